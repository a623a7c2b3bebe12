package io.saliencystream.app;

import io.saliencystream.engine.input.ImageDecoder;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.registry.HttpSchemaRegistryClient;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.serde.AvroTrust;
import io.saliencystream.stream.CatalogEventValidator;
import io.saliencystream.stream.EngineEventExplainer;
import io.saliencystream.stream.EventInputs;
import io.saliencystream.stream.ProcessingCounters;
import io.saliencystream.stream.SaliencyTopology;
import io.saliencystream.stream.drift.DriftSamplingBoost;
import io.saliencystream.stream.drift.DriftTopology;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The processor wired from its configuration: schema registry client, model catalog (models
 * fetched and loaded before the stream starts, so a bad catalog fails at start-up), engine,
 * topology and the KafkaStreams instance that runs it.
 */
public final class ProcessorApp implements AutoCloseable {

    private final ModelCatalog catalog;
    private final KafkaStreams streams;
    private final KafkaStreams drift;

    private ProcessorApp(ModelCatalog catalog, KafkaStreams streams, KafkaStreams drift) {
        this.catalog = catalog;
        this.streams = streams;
        this.drift = drift;
    }

    /** Builds everything and starts the stream threads; {@code log} gets one line per stage. */
    public static ProcessorApp start(ProcessorConfig config, PrintStream log) throws IOException {
        AvroTrust.install();
        ModelStore store = config.modelDir().map(dir -> new ModelStore(dir, log)).orElseGet(
                () -> new ModelStore(ModelStore.defaultDir(), log));
        ModelCatalog catalog = config.catalogPath().isPresent()
                ? ModelCatalog.load(config.catalogPath().get(), store)
                : ModelCatalog.defaultCatalog(store);
        try {
            catalog.models().forEach(ProcessorApp::loadSession);
            EventInputs inputs = new EventInputs(
                    new ImageDecoder(config.limits().maxImagePixels(), config.limits().maxImageBytes()),
                    config.limits().maxImageBytes(), config.inputFileRoot());
            AvroSerdes serdes = new AvroSerdes(new HttpSchemaRegistryClient(config.schemaRegistryUrl()));
            SaliencyTopology saliency = new SaliencyTopology(config.topics(), config.sampling(), serdes,
                    new CatalogEventValidator(catalog, inputs),
                    new EngineEventExplainer(catalog, new ExplanationEngine(), inputs,
                            config.gridRows(), config.gridCols(), versions(), Clock.systemUTC(),
                            config.methodsByReason(), config.faithfulnessReasons()));
            if (config.driftEnabled()) {
                saliency = saliency.withSamplingBoost(DriftSamplingBoost.of(config.drift(), serdes));
            }
            KafkaStreams streams = start(saliency.build(), config.streams().toProperties(), log);
            // Drift reads the summaries topic as its own application, so its windows and state
            // scale and restart independently of the expensive explaining.
            KafkaStreams drift = config.driftEnabled()
                    ? start(new DriftTopology(config.drift(), serdes).build(), driftProperties(config), log)
                    : null;
            log.printf("processor started: %d model(s), reading %s, sampling rate %.3f, %s, drift %s%n",
                    catalog.models().size(), config.topics().inferenceEvents(), config.sampling().defaultRate(),
                    config.streams().processingGuarantee(), drift == null ? "off"
                            : "on (" + config.drift().windowSize() + " windows)");
            return new ProcessorApp(catalog, streams, drift);
        } catch (RuntimeException e) {
            closeQuietly(catalog);
            throw e;
        }
    }

    private static KafkaStreams start(Topology topology, Properties properties, PrintStream log) {
        KafkaStreams streams = new KafkaStreams(topology, properties);
        streams.setUncaughtExceptionHandler(e -> {
            // Bad records never get here (they are dead-lettered); this is an outage such as an
            // unreachable schema registry: stop rather than skip records.
            log.println("stream thread of " + properties.get(StreamsConfig.APPLICATION_ID_CONFIG)
                    + " failed, shutting down: " + e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        return streams;
    }

    /** The drift application's settings: the processor's, under its own application id. */
    private static Properties driftProperties(ProcessorConfig config) {
        Properties properties = config.streams().toProperties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, config.streams().applicationId() + "-drift");
        return properties;
    }

    /** Library versions recorded in every audit record, as the build wrote them, plus Java's. */
    public static Map<String, String> versions() {
        Properties built = new Properties();
        try (InputStream in = ProcessorApp.class.getResourceAsStream("/saliency-stream-versions.properties")) {
            if (in == null) {
                throw new IllegalStateException("saliency-stream-versions.properties is missing from the build");
            }
            built.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> versions = new TreeMap<>();
        built.stringPropertyNames().forEach(name -> versions.put(name, built.getProperty(name)));
        versions.put("java", System.getProperty("java.version"));
        return versions;
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** The attention-drift application, when drift is on. */
    public java.util.Optional<KafkaStreams> drift() {
        return java.util.Optional.ofNullable(drift);
    }

    public ProcessingCounters.Snapshot counters() {
        return ProcessingCounters.read(streams.metrics());
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        if (drift != null) {
            drift.close(Duration.ofSeconds(30));
        }
        closeQuietly(catalog);
    }

    private static void loadSession(io.saliencystream.engine.model.CatalogModel model) {
        try {
            model.session();
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException("cannot load model " + model.spec().key() + " from " + model.file()
                    + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(ModelCatalog catalog) {
        try {
            catalog.close();
        } catch (Exception e) {
            System.err.println("closing the model catalog failed: " + e);
        }
    }
}
