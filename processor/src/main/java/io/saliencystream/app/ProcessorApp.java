package io.saliencystream.app;

import io.saliencystream.engine.input.ImageDecoder;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.engine.model.SessionSettings;
import io.saliencystream.registry.HttpSchemaRegistryClient;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.serde.AvroTrust;
import io.saliencystream.stream.CatalogEventValidator;
import io.saliencystream.stream.EngineEventExplainer;
import io.saliencystream.stream.ErrorCodes;
import io.saliencystream.stream.EventInputs;
import io.saliencystream.stream.ExplanationTopology;
import io.saliencystream.stream.LanePriority;
import io.saliencystream.stream.ProcessingCounters;
import io.saliencystream.stream.RecordLimits;
import io.saliencystream.stream.RequestTopics;
import io.saliencystream.stream.SelectionTopology;
import io.saliencystream.stream.SizeCheckedClientSupplier;
import io.saliencystream.stream.StreamsSettings;
import io.saliencystream.stream.drift.DriftSamplingBoost;
import io.saliencystream.stream.drift.DriftTopology;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The processor wired from its configuration for one {@link Role}: schema registry client, model
 * catalog (for the explanation stage its models are loaded before any application starts, so a
 * bad catalog fails at start-up), engine, and one Kafka Streams application per part, each with
 * its own application id derived from {@code application.id}:
 *
 * <pre>
 *   &lt;id&gt;-select            selection stage: inference events to explanation requests   (select, all)
 *   &lt;id&gt;-drift             attention drift over the summaries                         (select, all; drift.enabled)
 *   &lt;id&gt;-explain-flagged   explanation stage, flagged requests, its own threads      (explain, all)
 *   &lt;id&gt;-explain-sampled   explanation stage, sampled requests                        (explain, all)
 * </pre>
 *
 * Every application is watched: the first one to stop on its own ends {@link #awaitStop()}.
 */
public final class ProcessorApp implements AutoCloseable {

    /** One running Kafka Streams application: what it does (for messages), its id and the instance. */
    public record Application(String name, String id, KafkaStreams streams) {
    }

    private final Role role;
    private final ModelCatalog catalog;
    private final List<Application> applications;
    private final Duration closeTimeout;
    private final PrintStream log;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Boolean> closedCleanly = new CompletableFuture<>();
    private final AtomicReference<String> fatal;

    private ProcessorApp(Role role, ModelCatalog catalog, List<Application> applications, Duration closeTimeout,
            PrintStream log, AtomicReference<String> fatal) {
        this.role = role;
        this.catalog = catalog;
        this.applications = List.copyOf(applications);
        this.closeTimeout = closeTimeout;
        this.log = log;
        this.fatal = fatal;
    }

    /** Both stages and drift in this process ({@link Role#ALL}), as {@code run} does by default. */
    public static ProcessorApp start(ProcessorConfig config, PrintStream log) throws IOException {
        return start(config, Role.ALL, log);
    }

    /**
     * Builds everything {@code role} runs and starts it; {@code log} gets one line when started.
     * Every application's state listener is in place before it starts, so a failure of any is
     * seen by {@link #awaitStop()}.
     */
    public static ProcessorApp start(ProcessorConfig config, Role role, PrintStream log) throws IOException {
        return start(config, role, log, phase -> { });
    }

    /**
     * {@link #start(ProcessorConfig, Role, PrintStream)}, telling {@code phases} what start-up is
     * doing as it goes: {@code loading models} (the select role: {@code reading the model catalog}),
     * {@code checking the Kafka cluster and schema registry}, {@code warming up} (when
     * {@code explain.warm-up} is on), {@code starting streams}.
     */
    public static ProcessorApp start(ProcessorConfig config, Role role, PrintStream log, Consumer<String> phases)
            throws IOException {
        AvroTrust.install();
        phases.accept(role.explains() ? "loading models" : "reading the model catalog");
        ModelStore store = config.modelDir().map(dir -> new ModelStore(dir, log)).orElseGet(
                () -> new ModelStore(ModelStore.defaultDir(), log));
        // the selection stage validates against the catalog's specs but never runs a model
        ModelCatalog catalog = config.catalogPath().isPresent()
                ? ModelCatalog.load(config.catalogPath().get(), store)
                : ModelCatalog.defaultCatalog(store);
        List<Application> applications = new ArrayList<>();
        try {
            config.checkRegions(catalog.models().stream().map(m -> m.spec()).toList());
            if (role.explains()) {
                configureSessions(catalog, config.compute(), log);
            }
            EventInputs inputs = new EventInputs(
                    new ImageDecoder(config.limits().maxImagePixels(), config.limits().maxImageBytes()),
                    config.limits().maxImageBytes(), config.inputFileRoot());
            HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(config.registry(),
                    HttpSchemaRegistryClient.Settings.defaults());
            AvroSerdes serdes = new AvroSerdes(registry, config.registry().serde(), config.keyFormat());
            phases.accept("checking the Kafka cluster and schema registry");
            ClusterCheck.Limits checked = ClusterCheck.run(config, role, log);
            RecordLimits limits = checked.records();
            SizeCheckedClientSupplier clients = new SizeCheckedClientSupplier(checked.topicLimits());
            // wrong registry credentials or certificates stop run here, not at the first record
            registry.checkAccess();
            // the first error that stops an application, for the one line run ends with
            AtomicReference<String> fatal = new AtomicReference<>();
            String id = config.streams().applicationId();
            if (role.selects()) {
                if (config.limits().maxImageBytes() > limits.requestBytes()) {
                    log.printf("note: limits.max-image-bytes %d is more than the explanation-request topics accept"
                                    + " (%d bytes): selected events that large are dead-lettered (%s); raise"
                                    + " max.message.bytes of %s and %s and kafka.max.request.size to explain them%n",
                            config.limits().maxImageBytes(), limits.requestBytes(), ErrorCodes.REQUEST_TOO_LARGE,
                            config.requests().flagged(), config.requests().sampled());
                }
                SelectionTopology selection = new SelectionTopology(config.topics(), config.requests(),
                        config.sampling(), serdes, new CatalogEventValidator(catalog, inputs)).withRecordLimits(limits);
                if (config.driftEnabled()) {
                    selection = selection.withSamplingBoost(DriftSamplingBoost.of(config.drift(), serdes));
                }
                applications.add(create("selection", selection.build(), selectionProperties(config, id + "-select"),
                        clients, log, fatal));
                // Drift reads the summaries topic as its own application, so its windows and state
                // scale and restart independently of the stages.
                if (config.driftEnabled()) {
                    applications.add(create("drift", new DriftTopology(config.drift(), serdes).build(),
                            properties(config, id + "-drift"), clients, log, fatal));
                }
            }
            if (role.explains()) {
                EngineEventExplainer explainer = new EngineEventExplainer(catalog, new ExplanationEngine(), inputs,
                        config.gridRows(), config.gridCols(), versions(), Clock.systemUTC(),
                        config.methodsByReason(), config.faithfulnessReasons(), config.buckets(),
                        config.targets());
                if (config.warmUp()) {
                    phases.accept("warming up");
                    long started = System.nanoTime();
                    List<String> warmed = explainer.warmUp();
                    log.printf("explanation methods warmed up in %d ms (%s)%n",
                            (System.nanoTime() - started) / 1_000_000, String.join(", ", warmed));
                }
                // one application per lane: flagged requests have stream threads of their own, and the
                // priority leaves them the cores while they explain
                LanePriority priority = new LanePriority(config.sampledYieldMax());
                for (RequestTopics.Lane lane : RequestTopics.Lane.values()) {
                    Topology topology = new ExplanationTopology(config.topics(), config.requests(), lane, serdes,
                            explainer, config.deadlines().of(lane)).withRecordLimits(limits).withPriority(priority)
                            .build();
                    applications.add(create(lane.label() + " explanation", topology,
                            explanationProperties(config, id + "-explain-" + lane.label(), lane), clients, log,
                            fatal));
                }
            }
            ProcessorApp app = new ProcessorApp(role, catalog, applications, config.lifecycle().closeTimeout(), log,
                    fatal);
            phases.accept("starting streams");
            for (Application application : applications) {
                app.watch(application);
                application.streams().start();
            }
            log.printf("processor started: role %s (%s), %d model(s)%s, %s%s%s%n", role.label(),
                    applications.stream().map(Application::id).collect(Collectors.joining(", ")),
                    catalog.models().size(), role.explains() ? " loaded" : " known",
                    config.streams().processingGuarantee(), role.selects()
                            ? String.format(", reading %s, sampling rate %.3f, drift %s",
                            config.topics().inferenceEvents(), config.sampling().defaultRate(),
                            config.driftEnabled() ? "on (" + config.drift().windowSize() + " windows)" : "off")
                            : ", reading " + config.requests().flagged() + " and " + config.requests().sampled(),
                    role.explains() ? String.format(", explaining on %d flagged + %d sampled stream thread(s) x %d"
                            + " intra-op thread(s)", config.compute().flaggedThreads(), config.compute().sampledThreads(),
                            config.compute().session().intraOpThreads()) : "");
            return app;
        } catch (RuntimeException e) {
            applications.forEach(a -> a.streams().close(Duration.ZERO));
            closeQuietly(catalog);
            throw e;
        }
    }

    private static Application create(String name, Topology topology, Properties properties,
                                      SizeCheckedClientSupplier clients, PrintStream log,
                                      AtomicReference<String> fatal) {
        UncleanStop.wipeIfUnclean(properties, log);
        String applicationId = properties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        KafkaStreams streams = new KafkaStreams(topology, properties, clients);
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
        return new Application(name, applicationId, streams);
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
    private void watch(Application application) {
        String name = application.name();
        application.streams().setStateListener((now, before) -> {
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
     * Blocks until any application stops on its own or {@link #close()} is called.
     *
     * @return why an application stopped, or empty when it was closed
     */
    public Optional<String> awaitStop() throws InterruptedException {
        stopped.await();
        return Optional.ofNullable(failure.get());
    }

    /** An application's settings: the processor's, under its own application id. */
    private static Properties properties(ProcessorConfig config, String applicationId) {
        Properties properties = config.streamsProperties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        return properties;
    }

    /**
     * The selection stage's settings: it never explains, so the poll sizing for the worst-case
     * explanation does not apply and it takes the largest poll the sizing allows, unless
     * {@code kafka.max.poll.records} says otherwise.
     */
    private static Properties selectionProperties(ProcessorConfig config, String applicationId) {
        Properties properties = properties(config, applicationId);
        if (!config.kafkaOverrides().containsKey(ConsumerConfig.MAX_POLL_RECORDS_CONFIG)) {
            properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(StreamsSettings.MAX_POLL_RECORDS_CAP));
        }
        return properties;
    }

    /**
     * An explanation lane's settings: its own stream threads ({@code explain.stream-threads.<lane>}),
     * and {@code max.poll.records} sized for the lane's worst-case request (every target its event may
     * get, {@link ProcessorConfig#worstCaseRequest}), unless {@code kafka.max.poll.records} says
     * otherwise. A sampled request may also wait up to {@code explain.sampled-yield-max-ms} for
     * flagged explanations before its own, so the sampled lane adds that wait.
     */
    static Properties explanationProperties(ProcessorConfig config, String applicationId, RequestTopics.Lane lane) {
        Properties properties = properties(config, applicationId);
        properties.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(config.compute().threads(lane)));
        if (!config.kafkaOverrides().containsKey(ConsumerConfig.MAX_POLL_RECORDS_CONFIG)) {
            Duration request = config.worstCaseRequest(lane);
            if (lane == RequestTopics.Lane.SAMPLED) {
                request = request.plus(config.sampledYieldMax());
            }
            properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(StreamsSettings.maxPollRecordsFor(
                    config.streams().maxPollInterval(), request)));
        }
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

    public Role role() {
        return role;
    }

    /** The applications of this role, in the order they were started. */
    public List<Application> applications() {
        return applications;
    }

    /** The application of {@code name} ("selection", "drift", "flagged explanation", "sampled explanation"). */
    public Optional<KafkaStreams> application(String name) {
        return applications.stream().filter(a -> a.name().equals(name)).map(Application::streams).findFirst();
    }

    /** Every application by its id, for the ops endpoints. */
    public Map<String, KafkaStreams> byId() {
        Map<String, KafkaStreams> byId = new LinkedHashMap<>();
        applications.forEach(a -> byId.put(a.id(), a.streams()));
        return byId;
    }

    /** The processing counters summed over every application of this process. */
    public ProcessingCounters.Snapshot counters() {
        Map<MetricName, Metric> metrics = new HashMap<>();
        applications.forEach(a -> metrics.putAll(a.streams().metrics()));
        return ProcessingCounters.read(metrics);
    }

    /**
     * Closes every application at once, each within the configured close timeout, and the
     * models. Safe to call more than once and from a shutdown hook.
     *
     * @return whether every application closed within the timeout
     */
    public boolean closeWithin() {
        if (!closing.compareAndSet(false, true)) {
            return closedCleanly.join();
        }
        stopped.countDown();
        List<CompletableFuture<Boolean>> closes = applications.stream()
                .map(a -> CompletableFuture.supplyAsync(() -> a.streams().close(closeTimeout))).toList();
        boolean clean = closes.stream().map(CompletableFuture::join).reduce(true, Boolean::logicalAnd);
        if (clean) {
            closeQuietly(catalog);
        } else {
            // a stream thread may still be inside an ONNX Runtime call: closing its session under it
            // crashes the JVM, so the sessions are left to the ending process
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

    /**
     * Gives every model its session settings (its catalog entry's over the {@code onnx.*} settings)
     * and opens its session, before any stream thread starts: an execution provider this build lacks
     * stops {@code run} here. Notes when explanations on every stream thread at once would ask for
     * more threads than the machine has cores.
     */
    private static void configureSessions(ModelCatalog catalog, ProcessorConfig.Compute compute, PrintStream log) {
        int streamThreads = compute.flaggedThreads() + compute.sampledThreads();
        int cores = Runtime.getRuntime().availableProcessors();
        for (io.saliencystream.engine.model.CatalogModel model : catalog.models()) {
            SessionSettings settings = model.spec().sessionSettings(compute.session());
            try {
                settings.provider().requireAvailable();
            } catch (IllegalStateException e) {
                boolean own = model.spec().session() != null && model.spec().session().executionProvider() != null;
                throw new IllegalStateException("model " + model.spec().key() + " ("
                        + (own ? "its catalog entry's session.executionProvider" : "onnx.execution-provider") + "): "
                        + e.getMessage(), e);
            }
            model.configure(settings);
            loadSession(model);
            if (settings.intraOpThreads() > 1 && streamThreads * settings.intraOpThreads() > cores) {
                log.printf("note: model %s: %d explanation stream threads x %d intra-op threads exceed the %d available"
                                + " cores; lower explain.stream-threads.flagged/.sampled or the intra-op threads%n",
                        model.spec().key(), streamThreads, settings.intraOpThreads(), cores);
            }
        }
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
