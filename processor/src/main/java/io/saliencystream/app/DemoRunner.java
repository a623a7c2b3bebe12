package io.saliencystream.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.saliencystream.app.audit.AvroJsonLines;
import io.saliencystream.engine.CatalogModel;
import io.saliencystream.engine.ModelCatalog;
import io.saliencystream.engine.ModelStore;
import io.saliencystream.registry.HttpSchemaRegistryClient;
import io.saliencystream.schema.DeadLetter;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.stream.ProcessingCounters;
import io.saliencystream.stream.TopicNames;
import io.saliencystream.stream.drift.DriftTopics;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The embedded default: a real broker and registry, the real PaddleOCR text-orientation model,
 * a few hundred rendered sample events (and one of every bad-input kind), the processor, and
 * the results written to a folder a person can look at, with a short report.
 */
public final class DemoRunner {

    /**
     * @param out        folder for the results (emptied of earlier results first)
     * @param events     good sample events to produce
     * @param samplingRate share of events explained without a flag
     * @param seed       seed of the rendered samples
     * @param timeout    how long to wait for every event to be accounted for
     */
    public record Options(Path out, int events, double samplingRate, long seed, Duration timeout) {
    }

    /** What came out, reconciled against what went in. */
    public record Result(int produced, ProcessingCounters.Snapshot counters, OutputCollector.Outputs outputs,
                         Duration elapsed) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream console;

    public DemoRunner(PrintStream console) {
        this.console = console;
    }

    /** Something to do with the live stack once the demo's results are in, before it shuts down. */
    @FunctionalInterface
    public interface WhileRunning {
        void accept(EmbeddedStack stack, TopicNames topics, Result result) throws Exception;
    }

    public Result run(Options options) throws Exception {
        return run(options, (stack, topics, result) -> { });
    }

    public Result run(Options options, WhileRunning whileRunning) throws Exception {
        TopicNames topics = TopicNames.defaults();
        console.println("saliency-stream demo: embedded broker, registry, PaddleOCR text-orientation model");
        try (EmbeddedStack stack = EmbeddedStack.start(topics, DriftTopics.defaults());
             ModelCatalog catalog = ModelCatalog.defaultCatalog(new ModelStore(ModelStore.defaultDir(), console))) {
            console.printf("  broker %s (KRaft, one node), schema registry %s%n",
                    stack.bootstrapServers(), stack.schemaRegistryUrl());
            CatalogModel model = catalog.models().iterator().next();
            AvroSerdes serdes = new AvroSerdes(new HttpSchemaRegistryClient(stack.schemaRegistryUrl()));
            List<SampleEvents.Sample> samples = new SampleEvents(model,
                    serdes.specific(InferenceEvent.class).serializer(), topics.inferenceEvents())
                    .build(options.seed(), options.events(), Instant.now().minusSeconds(600));
            Path stateDir = Files.createTempDirectory("saliency-stream-demo-state");
            Instant started = Instant.now();
            try (ProcessorApp app = ProcessorApp.start(
                    ProcessorConfig.from(stack.processorSettings("saliency-stream-demo", stateDir,
                            options.samplingRate(),
                            // the model is confident on almost every line; flag the few where it is not
                            Map.of("flags.low-confidence-below", "0.9"))), console);
                 OutputCollector collector = new OutputCollector(stack.bootstrapServers(), serdes.registry(), topics)) {
                produce(stack.bootstrapServers(), topics.inferenceEvents(), samples);
                console.printf("  produced %d events (%d of them bad inputs) to %s%n",
                        samples.size(), samples.size() - options.events(), topics.inferenceEvents());
                Result result = await(app, collector, samples.size(), options.timeout(), started);
                write(options.out(), result);
                report(options, result, model);
                whileRunning.accept(stack, topics, result);
                return result;
            } finally {
                deleteRecursively(stateDir);
            }
        }
    }

    static void produce(String bootstrap, String topic, List<SampleEvents.Sample> samples) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"),
                new StringSerializer(), new ByteArraySerializer())) {
            for (SampleEvents.Sample s : samples) {
                producer.send(new ProducerRecord<>(topic, s.key(), s.value()));
            }
            producer.flush();
        }
    }

    /** Waits until every event is accounted for and every explanation's three records are readable. */
    private Result await(ProcessorApp app, OutputCollector collector, int produced, Duration timeout, Instant started)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ProgressLine progress = new ProgressLine(console);
        while (true) {
            OutputCollector.Outputs out = collector.poll(Duration.ofMillis(500));
            ProcessingCounters.Snapshot c = app.counters();
            Duration elapsed = Duration.between(started, Instant.now());
            progress.update(String.format(Locale.ROOT,
                    "  processing: %d/%d accounted for | explained %d | skipped %d | dead letters %d | %.0f s",
                    c.accountedFor(), produced, c.explained(), c.skippedSampling() + c.skippedBudget(),
                    c.deadLettered(), elapsed.toMillis() / 1000.0));
            boolean complete = c.accountedFor() == produced
                    && out.summaries().size() == c.explained()
                    && out.overlays().size() == c.explained()
                    && out.audits().size() == c.explained()
                    && out.deadLetters().size() == c.deadLettered();
            if (complete) {
                progress.done();
                return new Result(produced, c, out, elapsed);
            }
            if (System.nanoTime() > deadline) {
                progress.done();
                throw new IllegalStateException("demo timed out after " + timeout.toSeconds() + " s: " + c
                        + ", read " + out.summaries().size() + " summaries, " + out.deadLetters().size()
                        + " dead letters");
            }
        }
    }

    private static void write(Path out, Result result) throws IOException {
        Path overlays = out.resolve("overlays");
        deleteRecursively(out);
        Files.createDirectories(overlays);
        OutputCollector.Outputs o = result.outputs();
        // Avro's JSON encoding, so that `verify --audit audit.jsonl --summaries summaries.jsonl` reads them back
        AvroJsonLines.write(out.resolve("summaries.jsonl"), o.summaries());
        AvroJsonLines.write(out.resolve("audit.jsonl"), o.audits());
        writeLines(out.resolve("dead-letters.jsonl"), o.deadLetters(), DemoRunner::deadLetterJson);
        for (SaliencyOverlay overlay : o.overlays()) {
            Files.write(overlays.resolve(overlay.getEventId() + ".png"), bytes(overlay.getPng()));
        }
    }

    private void report(Options options, Result r, CatalogModel model) throws IOException {
        OutputCollector.Outputs o = r.outputs();
        long agree = o.summaries().stream()
                .filter(s -> s.getReportedClass() != null && s.getReportedClass() == s.getPredictedClass()).count();
        Map<String, Long> reasons = o.summaries().stream()
                .flatMap(s -> s.getSelectionReasons().stream())
                .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
        Map<String, Long> deadLetters = o.deadLetters().stream()
                .collect(Collectors.groupingBy(d -> d.getStage() + "/" + d.getErrorCode(), TreeMap::new,
                        Collectors.counting()));
        double meanMillis = o.summaries().stream().mapToLong(SaliencySummary::getDurationMillis).average().orElse(0);
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "model      %s %s (sha256 %s)%n", model.spec().name(),
                model.spec().version(), model.sha256().substring(0, 16)));
        text.append(String.format(Locale.ROOT, "events     %d in, %d explained + %d skipped by sampling + %d over budget"
                        + " + %d dead-lettered = %d%n", r.produced(), r.counters().explained(),
                r.counters().skippedSampling(), r.counters().skippedBudget(), r.counters().deadLettered(),
                r.counters().accountedFor()));
        text.append(String.format(Locale.ROOT, "selected   %s (sampling rate %.2f)%n", reasons, options.samplingRate()));
        text.append(String.format(Locale.ROOT, "explained  occlusion, %.0f ms per explanation on average;"
                + " recomputed class agrees with the reported one on %d/%d%n", meanMillis, agree, o.summaries().size()));
        text.append(String.format(Locale.ROOT, "dead       %s%n", deadLetters));
        text.append(String.format(Locale.ROOT, "took       %.1f s from processor start to the last output%n",
                r.elapsed().toMillis() / 1000.0));
        text.append(String.format(Locale.ROOT, "results    %s: summaries.jsonl, audit.jsonl, dead-letters.jsonl,"
                + " overlays/*.png (%d)%n", options.out(), o.overlays().size()));
        Files.writeString(options.out().resolve("report.txt"), text);
        console.print(text.toString().lines().map(l -> "  " + l).collect(Collectors.joining("\n", "", "\n")));
    }

    private static String deadLetterJson(DeadLetter d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stage", d.getStage());
        m.put("errorCode", d.getErrorCode());
        m.put("reason", d.getReason());
        m.put("errorClass", d.getErrorClass());
        m.put("eventId", d.getEventId());
        m.put("source", d.getSourceTopic() + "/" + d.getSourcePartition() + "@" + d.getSourceOffset());
        m.put("originalKey", d.getOriginalKey() == null ? null : new String(bytes(d.getOriginalKey())));
        m.put("originalValueBytes", d.getOriginalValue() == null ? null : d.getOriginalValue().remaining());
        m.put("originalValueBase64", d.getOriginalValue() == null ? null
                : Base64.getEncoder().encodeToString(bytes(d.getOriginalValue())));
        try {
            return JSON.writeValueAsString(m);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> void writeLines(Path file, List<T> records, Function<T, String> json) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (T record : records) {
                w.write(json.apply(record));
                w.newLine();
            }
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
