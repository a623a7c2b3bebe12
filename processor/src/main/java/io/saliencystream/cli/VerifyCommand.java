package io.saliencystream.cli;

import io.saliencystream.app.audit.AuditVerdict;
import io.saliencystream.app.audit.AuditVerifier;
import io.saliencystream.app.audit.AvroJsonLines;
import io.saliencystream.app.audit.EventIndex;
import io.saliencystream.app.audit.ImageFolder;
import io.saliencystream.app.audit.InputSource;
import io.saliencystream.app.audit.TopicRecords;
import io.saliencystream.engine.input.ImageDecoder;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.registry.HttpSchemaRegistryClient;
import io.saliencystream.registry.RegistrySettings;
import io.saliencystream.registry.SchemaRegistry;
import io.saliencystream.app.Settings;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.stream.ExplainedEvent;
import io.saliencystream.stream.EventInputs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import picocli.CommandLine.Mixin;

/**
 * {@code verify}: recomputes audited explanations and reports, per record, whether they
 * reproduce. See {@link AuditVerifier} for the checks and what counts as a match.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Recomputes each audited explanation from its input and model and reports MATCH or MISMATCH "
                + "with the reason, one line per audit record.%n"
                + "Audit records come from --audit FILE (JSON lines, as the demo writes audit.jsonl) or, with "
                + "--bootstrap-servers, from the audit topic. Inputs come from --inputs FOLDER (image files, found "
                + "by content hash) or, with --bootstrap-servers, from the inference-events topic (found by event id).%n"
                + "A record matches when the model file, preprocessing and input hashes are the audited ones, the "
                + "target score is within 1e-4 and the map hash is equal; when only the map hash differs, the "
                + "event's saliency summary (--summaries or the summaries topic) decides: coarse grids within "
                + "1e-3 of the largest cell match (numerically equal).%n"
                + "Exit code 0 when every record matches, 1 when any does not, 2 for bad options.")
public final class VerifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--audit", paramLabel = "FILE", description = "Audit records, JSON lines in Avro's JSON encoding "
            + "(default: read the audit topic; needs --bootstrap-servers).")
    Path auditFile;

    @Option(names = "--inputs", paramLabel = "FOLDER", description = "Folder of the explained images, located by "
            + "SHA-256 (default: read the inference-events topic; needs --bootstrap-servers).")
    Path inputFolder;

    @Option(names = "--summaries", paramLabel = "FILE", description = "Saliency summaries, JSON lines in Avro's JSON "
            + "encoding, for the numeric check (default with --bootstrap-servers: the summaries topic).")
    Path summariesFile;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka cluster to read topics "
            + "from (default: bootstrap.servers of the settings).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", paramLabel = "URL", description = "Schema registry of the topics' "
            + "records (default: schema.registry.url of the settings, with its credentials).")
    String schemaRegistryUrl;

    @Option(names = "--audit-topic", description = "Default: topics.explanation-audit of the settings.")
    String auditTopic;

    @Option(names = "--events-topic", description = "Default: topics.inference-events of the settings.")
    String eventsTopic;

    @Option(names = "--summaries-topic", description = "Default: topics.saliency-summaries of the settings.")
    String summariesTopic;

    @Option(names = "--catalog", paramLabel = "JSON", description = "Model catalog file (default: catalog.path, "
            + "else the built-in catalog).")
    Path catalogFile;

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "Model file cache (default: model.dir, else ~/.cache/saliency-stream/models).")
    Path modelDir;

    @Option(names = "--file-root", paramLabel = "DIR", description = "Root of claim-check file: URIs (default: "
            + "inputs.file-root of the settings).")
    Path fileRoot;

    @Mixin
    SettingsOptions settings;

    @Option(names = "--timeout", defaultValue = "PT2M", description = "Longest wait to read a topic to its end "
            + "(default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        Settings loaded = settings.load();
        Map<String, Object> fixed = loaded.fixed();
        bootstrapServers = bootstrapServers != null ? bootstrapServers : (String) fixed.get("bootstrap.servers");
        auditTopic = auditTopic != null ? auditTopic : (String) fixed.get("topics.explanation-audit");
        eventsTopic = eventsTopic != null ? eventsTopic : (String) fixed.get("topics.inference-events");
        summariesTopic = summariesTopic != null ? summariesTopic : (String) fixed.get("topics.saliency-summaries");
        catalogFile = catalogFile != null ? catalogFile : loaded.find("catalog.path").map(Path::of).orElse(null);
        modelDir = modelDir != null ? modelDir : loaded.find("model.dir").map(Path::of).orElse(null);
        fileRoot = fileRoot != null ? fileRoot : loaded.find("inputs.file-root").map(Path::of).orElse(null);
        boolean registryGiven = schemaRegistryUrl != null || loaded.find(RegistrySettings.URL).isPresent();
        boolean kafka = bootstrapServers != null;
        if (kafka != registryGiven) {
            throw usage("--bootstrap-servers and --schema-registry-url go together (or bootstrap.servers and "
                    + "schema.registry.url in the settings)");
        }
        if (auditFile == null && !kafka) {
            throw usage("no audit records: give --audit FILE, or --bootstrap-servers and --schema-registry-url to "
                    + "read topic " + auditTopic);
        }
        if (inputFolder == null && !kafka) {
            throw usage("no inputs: give --inputs FOLDER, or --bootstrap-servers and --schema-registry-url to read "
                    + "topic " + eventsTopic);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SchemaRegistry registry = null;
        Map<String, Object> client = new LinkedHashMap<>();
        loaded.kafka().forEach((key, value) -> {
            if (ConsumerConfig.configNames().contains(key)) {
                client.put(key, value);
            }
        });
        if (kafka) {
            Settings withUrl = schemaRegistryUrl == null ? loaded
                    : loaded.with(RegistrySettings.URL, schemaRegistryUrl, "--schema-registry-url");
            registry = new HttpSchemaRegistryClient(withUrl.registry(), HttpSchemaRegistryClient.Settings.defaults());
            client.put("bootstrap.servers", bootstrapServers);
        }

        List<ExplanationAudit> audits;
        int badAudits = 0;
        if (auditFile != null) {
            audits = readFile(auditFile, ExplanationAudit.class, "--audit");
        } else {
            TopicRecords.Read<ExplanationAudit> read = TopicRecords.readAll(client, registry, auditTopic,
                    ExplanationAudit.class, timeout);
            audits = read.records();
            badAudits = read.undecodable();
        }
        InputSource inputs;
        if (inputFolder != null) {
            try {
                inputs = new ImageFolder(inputFolder);
            } catch (IOException e) {
                throw usage("--inputs: " + e.getMessage());
            }
        } else {
            TopicRecords.Read<InferenceEvent> read = TopicRecords.readAll(client, registry, eventsTopic,
                    InferenceEvent.class, timeout);
            inputs = new EventIndex(read.records(), "topic " + eventsTopic);
        }
        Map<String, SaliencySummary> summaries = new LinkedHashMap<>();
        if (summariesFile != null) {
            readFile(summariesFile, SaliencySummary.class, "--summaries").forEach(s -> summaries.put(summaryKey(s), s));
        } else if (kafka) {
            try {
                TopicRecords.readAll(client, registry, summariesTopic, SaliencySummary.class, timeout)
                        .records().forEach(s -> summaries.put(summaryKey(s), s));
            } catch (IllegalArgumentException e) {
                // the summaries only serve the numeric check; without them an unequal map hash is a mismatch
                err.println("no summaries for the numeric check: " + e.getMessage());
            }
        }

        ModelStore store = modelDir == null ? new ModelStore() : new ModelStore(modelDir);
        int matched = 0;
        int numeric = 0;
        long start = System.nanoTime();
        try (ModelCatalog catalog = loadCatalog(store)) {
            AuditVerifier verifier = new AuditVerifier(catalog, new ExplanationEngine(),
                    new EventInputs(ImageDecoder.withDefaults(), ImageDecoder.DEFAULT_MAX_BYTES, Optional.ofNullable(fileRoot)),
                    inputs, summaries);
            for (ExplanationAudit audit : audits) {
                AuditVerdict verdict = verifier.verify(audit);
                out.println(verdict.line());
                out.flush();
                if (verdict.match()) {
                    matched++;
                    numeric += verdict.reason().contains("numerically equal") ? 1 : 0;
                }
            }
        }
        int mismatched = audits.size() - matched;
        out.printf(Locale.ROOT, "verified %d audit records against %s in %.1f s: %d match (%d numerically), "
                        + "%d mismatch%s%n", audits.size(), inputs.describe(), (System.nanoTime() - start) / 1e9,
                matched, numeric, mismatched,
                badAudits > 0 ? ", " + badAudits + " undecodable audit records on " + auditTopic : "");
        out.flush();
        if (audits.isEmpty() && badAudits == 0) {
            err.println("no audit records to verify");
            err.flush();
            return 1;
        }
        return mismatched == 0 && badAudits == 0 ? 0 : 1;
    }

    private <T extends org.apache.avro.specific.SpecificRecord> List<T> readFile(Path file, Class<T> type, String option) {
        try {
            return AvroJsonLines.read(file, type);
        } catch (IOException e) {
            throw usage(option + ": " + e.getMessage());
        }
    }

    private ModelCatalog loadCatalog(ModelStore store) {
        try {
            return catalogFile == null ? ModelCatalog.defaultCatalog(store) : ModelCatalog.load(catalogFile, store);
        } catch (IOException e) {
            throw usage("--catalog: " + e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** A summary's output key, which its target's audit record shares. */
    private static String summaryKey(SaliencySummary s) {
        return ExplainedEvent.key(s.getEventId(), s.getTarget(), s.getPredictedClass());
    }
}
