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
import io.saliencystream.stream.SizeCheckedClientSupplier;
import io.saliencystream.stream.drift.DriftSamplingBoost;
import io.saliencystream.stream.drift.DriftTopology;
import org.apache.kafka.common.errors.RetriableException;
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
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The processor wired from its configuration: schema registry client, model catalog (models
 * fetched and loaded before the stream starts, so a bad catalog fails at start-up), engine,
 * topology and the KafkaStreams instance that runs it.
 */
public final class ProcessorApp implements AutoCloseable {

    private final ModelCatalog catalog;
    private final KafkaStreams streams;
    private final KafkaStreams drift;
    private final Duration closeTimeout;
    private final PrintStream log;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Boolean> closedCleanly = new CompletableFuture<>();
    private final AtomicReference<String> fatal;

    private ProcessorApp(ModelCatalog catalog, KafkaStreams streams, KafkaStreams drift, Duration closeTimeout,
            PrintStream log, AtomicReference<String> fatal) {
        this.catalog = catalog;
        this.streams = streams;
        this.drift = drift;
        this.closeTimeout = closeTimeout;
        this.log = log;
        this.fatal = fatal;
    }

    /**
     * Builds everything and starts both applications; {@code log} gets one line per stage.
     * Their state listeners are in place before they start, so a failure of either is seen by
     * {@link #awaitStop()}.
     */
    public static ProcessorApp start(ProcessorConfig config, PrintStream log) throws IOException {
        AvroTrust.install();
        ModelStore store = config.modelDir().map(dir -> new ModelStore(dir, log)).orElseGet(
                () -> new ModelStore(ModelStore.defaultDir(), log));
        ModelCatalog catalog = config.catalogPath().isPresent()
                ? ModelCatalog.load(config.catalogPath().get(), store)
                : ModelCatalog.defaultCatalog(store);
        try {
            config.checkRegions(catalog.models().stream().map(m -> m.spec()).toList());
            catalog.models().forEach(ProcessorApp::loadSession);
            EventInputs inputs = new EventInputs(
                    new ImageDecoder(config.limits().maxImagePixels(), config.limits().maxImageBytes()),
                    config.limits().maxImageBytes(), config.inputFileRoot());
            HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(config.registry(),
                    HttpSchemaRegistryClient.Settings.defaults());
            AvroSerdes serdes = new AvroSerdes(registry, config.registry().serde(), config.keyFormat());
            SaliencyTopology saliency = new SaliencyTopology(config.topics(), config.sampling(), serdes,
                    new CatalogEventValidator(catalog, inputs),
                    new EngineEventExplainer(catalog, new ExplanationEngine(), inputs,
                            config.gridRows(), config.gridCols(), versions(), Clock.systemUTC(),
                            config.methodsByReason(), config.faithfulnessReasons(), config.buckets(),
                            config.targets()));
            ClusterCheck.Limits limits = ClusterCheck.run(config, log);
            saliency = saliency.withRecordLimits(limits.records());
            SizeCheckedClientSupplier clients = new SizeCheckedClientSupplier(limits.topicLimits());
            // wrong registry credentials or certificates stop run here, not at the first record
            registry.checkAccess();
            if (config.driftEnabled()) {
                saliency = saliency.withSamplingBoost(DriftSamplingBoost.of(config.drift(), serdes));
            }
            // the first error that stops an application, for the one line run ends with
            AtomicReference<String> fatal = new AtomicReference<>();
            KafkaStreams streams = create(saliency.build(), config.streamsProperties(), clients, log, fatal);
            // Drift reads the summaries topic as its own application, so its windows and state
            // scale and restart independently of the expensive explaining.
            KafkaStreams drift = config.driftEnabled()
                    ? create(new DriftTopology(config.drift(), serdes).build(), driftProperties(config), clients, log,
                            fatal)
                    : null;
            ProcessorApp app = new ProcessorApp(catalog, streams, drift, config.lifecycle().closeTimeout(), log, fatal);
            app.watch("processor", streams);
            streams.start();
            if (drift != null) {
                app.watch("drift", drift);
                drift.start();
            }
            log.printf("processor started: %d model(s), reading %s, sampling rate %.3f, %s, drift %s%n",
                    catalog.models().size(), config.topics().inferenceEvents(), config.sampling().defaultRate(),
                    config.streams().processingGuarantee(), drift == null ? "off"
                            : "on (" + config.drift().windowSize() + " windows)");
            return app;
        } catch (RuntimeException e) {
            closeQuietly(catalog);
            throw e;
        }
    }

    private static KafkaStreams create(Topology topology, Properties properties, SizeCheckedClientSupplier clients,
                                       PrintStream log, AtomicReference<String> fatal) {
        UncleanStop.wipeIfUnclean(properties, log);
        KafkaStreams streams = new KafkaStreams(topology, properties, clients);
        Object applicationId = properties.get(StreamsConfig.APPLICATION_ID_CONFIG);
        streams.setUncaughtExceptionHandler(e -> {
            StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse response = responseTo(e);
            if (response == StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT) {
                fatal.compareAndSet(null, rootMessage(e));
            }
            log.println("stream thread of " + applicationId + " failed ("
                    + (response == StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD
                    ? "retriable, replacing the thread" : "shutting down") + "): " + rootMessage(e));
            return response;
        });
        return streams;
    }

    /**
     * A retriable Kafka error (broker unreachable, metadata or transaction timeouts during an
     * outage) replaces the stream thread: its open transaction is aborted and the new thread
     * resumes from the last committed offsets, so exactly-once holds. Anything else (bad records
     * never get here, they are dead-lettered) is an outage such as an unreachable schema
     * registry or a bug: stop rather than skip records.
     */
    static StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse responseTo(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof RetriableException) {
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            }
        }
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == error ? error.toString() : error.getMessage() + " (cause: " + root + ")";
    }

    /** Notes the first application that stops while this app is not being closed. */
    private void watch(String name, KafkaStreams app) {
        app.setStateListener((now, before) -> {
            boolean failed = now == KafkaStreams.State.PENDING_ERROR || now == KafkaStreams.State.ERROR
                    || (!closing.get() && (now == KafkaStreams.State.PENDING_SHUTDOWN
                    || now == KafkaStreams.State.NOT_RUNNING));
            if (failed && failure.compareAndSet(null, "the " + name + " application stopped (" + before + " -> "
                    + now + ")" + (fatal.get() == null ? "" : ": " + fatal.get()))) {
                stopped.countDown();
            }
        });
    }

    /**
     * Blocks until either application stops on its own or {@link #close()} is called.
     *
     * @return why an application stopped, or empty when it was closed
     */
    public Optional<String> awaitStop() throws InterruptedException {
        stopped.await();
        return Optional.ofNullable(failure.get());
    }

    /** The drift application's settings: the processor's, under its own application id. */
    private static Properties driftProperties(ProcessorConfig config) {
        Properties properties = config.streamsProperties();
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
    public Optional<KafkaStreams> drift() {
        return Optional.ofNullable(drift);
    }

    public ProcessingCounters.Snapshot counters() {
        return ProcessingCounters.read(streams.metrics());
    }

    /**
     * Closes both applications at once, each within the configured close timeout, and the
     * models. Safe to call more than once and from a shutdown hook.
     *
     * @return whether both applications closed within the timeout
     */
    public boolean closeWithin() {
        if (!closing.compareAndSet(false, true)) {
            return closedCleanly.join();
        }
        stopped.countDown();
        CompletableFuture<Boolean> main = CompletableFuture.supplyAsync(() -> streams.close(closeTimeout));
        boolean driftClosed = drift == null || drift.close(closeTimeout);
        boolean clean = main.join() && driftClosed;
        closeQuietly(catalog);
        if (!clean) {
            log.println("an application did not close within " + closeTimeout.toMillis() + " ms;"
                    + " its open transactions are aborted by the broker");
        }
        closedCleanly.complete(clean);
        return clean;
    }

    @Override
    public void close() {
        closeWithin();
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
