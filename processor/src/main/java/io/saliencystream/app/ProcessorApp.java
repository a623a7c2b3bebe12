package io.saliencystream.app;

import io.saliencystream.engine.ExplanationEngine;
import io.saliencystream.engine.ImageDecoder;
import io.saliencystream.engine.ModelCatalog;
import io.saliencystream.engine.ModelStore;
import io.saliencystream.registry.HttpSchemaRegistryClient;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.serde.AvroTrust;
import io.saliencystream.stream.CatalogEventValidator;
import io.saliencystream.stream.EngineEventExplainer;
import io.saliencystream.stream.EventInputs;
import io.saliencystream.stream.ProcessingCounters;
import io.saliencystream.stream.SaliencyTopology;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.TreeMap;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * The processor wired from its configuration: schema registry client, model catalog (models
 * fetched and loaded before the stream starts, so a bad catalog fails at start-up), engine,
 * topology and the KafkaStreams instance that runs it.
 */
public final class ProcessorApp implements AutoCloseable {

    private final ModelCatalog catalog;
    private final KafkaStreams streams;

    private ProcessorApp(ModelCatalog catalog, KafkaStreams streams) {
        this.catalog = catalog;
        this.streams = streams;
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
            Topology topology = new SaliencyTopology(config.topics(), config.sampling(),
                    new AvroSerdes(new HttpSchemaRegistryClient(config.schemaRegistryUrl())),
                    new CatalogEventValidator(catalog, inputs),
                    new EngineEventExplainer(catalog, new ExplanationEngine(), inputs,
                            config.gridRows(), config.gridCols(), versions(), Clock.systemUTC()))
                    .build();
            KafkaStreams streams = new KafkaStreams(topology, config.streams().toProperties());
            streams.setUncaughtExceptionHandler(e -> {
                // Bad records never get here (they are dead-lettered); this is an outage such as an
                // unreachable schema registry: stop rather than skip records.
                log.println("stream thread failed, shutting down: " + e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            streams.start();
            log.printf("processor started: %d model(s), reading %s, sampling rate %.3f, %s%n",
                    catalog.models().size(), config.topics().inferenceEvents(), config.sampling().defaultRate(),
                    config.streams().processingGuarantee());
            return new ProcessorApp(catalog, streams);
        } catch (RuntimeException e) {
            closeQuietly(catalog);
            throw e;
        }
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

    public ProcessingCounters.Snapshot counters() {
        return ProcessingCounters.read(streams.metrics());
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        closeQuietly(catalog);
    }

    private static void loadSession(io.saliencystream.engine.CatalogModel model) {
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
