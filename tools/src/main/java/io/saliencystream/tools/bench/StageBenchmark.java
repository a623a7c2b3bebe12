package io.saliencystream.tools.bench;

import io.saliencystream.app.ProcessorApp;
import io.saliencystream.engine.input.ImageDecoder;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.engine.model.SessionSettings;
import io.saliencystream.quality.InterpretationBuckets;
import io.saliencystream.registry.HttpSchemaRegistryClient;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.ExplanationRequest;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.stream.BudgetConfig;
import io.saliencystream.stream.CatalogEventValidator;
import io.saliencystream.stream.EngineEventExplainer;
import io.saliencystream.stream.EventInputs;
import io.saliencystream.stream.ExplanationTopology;
import io.saliencystream.stream.FlagRules;
import io.saliencystream.stream.LanePriority;
import io.saliencystream.stream.ProcessingCounters;
import io.saliencystream.stream.RequestTopics;
import io.saliencystream.stream.SamplingConfig;
import io.saliencystream.stream.Selection;
import io.saliencystream.stream.SelectionTopology;
import io.saliencystream.stream.StreamsSettings;
import io.saliencystream.stream.TargetRules;
import io.saliencystream.stream.TopicNames;
import io.saliencystream.testing.EmbeddedKafkaBroker;
import io.saliencystream.testing.InProcessSchemaRegistryServer;
import io.saliencystream.tools.demo.DemoCatalog;
import io.saliencystream.tools.demo.SampleEvents;
import io.saliencystream.tools.demo.ScratchStateDir;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Prints figures, asserts nothing: the two stages through a real broker, exactly-once.
 * <ol>
 * <li>the selection stage at sampling 0 % against a pass-through application that reads the
 *     same events and drops them, same guarantee, same run, steady state: a warm-up round of each
 *     left out, then interleaved rounds, each timed from 5 % done (start-up excluded), and the
 *     median ratio;</li>
 * <li>the explanation stage with 1 stream thread x 1 ONNX Runtime intra-op thread, 1 x cores and
 *     2 x cores / 2;</li>
 * <li>both stages under a steady offered load: consumer lag of each application over time, and
 *     the latency from a flagged event's append to its summary being readable (read_committed).</li>
 * </ol>
 */
public final class StageBenchmark {

    /**
     * @param selectionEvents  events read by the selection stage and the pass-through, per round
     * @param explainRequests  requests explained per thread setting
     * @param offeredPerSecond events per second offered in the steady-load run
     * @param loadSeconds      length of the steady-load run
     * @param sampledRate      sampling rate of the steady-load run
     * @param flaggedEvery     one event in this many carries a producer flag in the steady-load run
     * @param loadMethod       method of every explanation in the steady-load run
     * @param sampledYieldMax  longest a sampled explanation waits for flagged ones in the steady-load run (0: no priority)
     * @param warmUp           whether the steady-load run warms the methods up before the lanes start, as run does
     */
    public record Options(int selectionEvents, int explainRequests, double offeredPerSecond, int loadSeconds,
            double sampledRate, int flaggedEvery, String loadMethod, Duration sampledYieldMax, boolean warmUp) {
    }

    private static final int PARTITIONS = 2;
    /** Measured rounds of section 1, after one warm-up round; the median is printed. */
    private static final int SELECTION_ROUNDS = 5;
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private final PrintStream out;
    private final ScratchStateDir stateRoot;
    private int apps;

    public StageBenchmark(PrintStream out) throws java.io.IOException {
        this.out = out;
        this.stateRoot = ScratchStateDir.create("saliency-stream-stage-bench");
    }

    public void run(Options options) throws Exception {
        run(options, 0);
    }

    /** Only section 1, selection against pass-through. */
    public void runSelection(Options options) throws Exception {
        run(options, 1);
    }

    /** Only section 2, the explanation stage's thread settings. */
    public void runExplanationThreads(Options options) throws Exception {
        run(options, 2);
    }

    /** Only section 3, the steady load. */
    public void runSteadyLoad(Options options) throws Exception {
        run(options, 3);
    }

    /** Section {@code only}, or all three for 0. */
    private void run(Options options, int only) throws Exception {
        out.printf("machine: %d cores, %s, Java %s%n", CORES, System.getProperty("os.arch"),
                System.getProperty("java.version"));
        ModelStore store = new ModelStore(ModelStore.defaultDir(), out);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             InProcessSchemaRegistryServer registry = InProcessSchemaRegistryServer.start();
             ModelCatalog catalog = DemoCatalog.load(store)) {
            AvroSerdes serdes = new AvroSerdes(new HttpSchemaRegistryClient(registry.url()));
            CatalogModel text = textModel(catalog);
            List<InferenceEvent> pool = pool(text, serdes);
            if (only == 0 || only == 1) {
                selectionVersusPassThrough(broker, serdes, catalog, pool, options.selectionEvents());
            }
            if (only == 0 || only == 2) {
                explanationThreads(broker, serdes, store, pool, options.explainRequests());
            }
            if (only == 0 || only == 3) {
                steadyLoad(broker, serdes, store, pool, options);
            }
        } finally {
            stateRoot.close();
        }
    }

    private static CatalogModel textModel(ModelCatalog catalog) {
        return catalog.models().stream().filter(m -> m.spec().name().equals("text-orientation")).findFirst()
                .orElseThrow(() -> new IllegalStateException("the demo catalog has no text-orientation model"));
    }

    /** 200 of the demo's good text-line events (PNG of about 11 KB, one in 25 a raw tensor), no flags. */
    private static List<InferenceEvent> pool(CatalogModel text, AvroSerdes serdes) throws Exception {
        var deserializer = serdes.specific(InferenceEvent.class).deserializer();
        List<SampleEvents.Sample> samples = new SampleEvents(text, serdes.specific(InferenceEvent.class).serializer(),
                "pool").build(11, 200, Instant.now());
        List<InferenceEvent> events = new ArrayList<>();
        for (SampleEvents.Sample s : samples.subList(0, 200)) {
            InferenceEvent e = deserializer.deserialize("pool", s.value());
            e.setFlags(List.of());
            e.setGroundTruthLabel(null);
            events.add(e);
        }
        return events;
    }

    // ---- 1: selection against pass-through ----

    private void selectionVersusPassThrough(EmbeddedKafkaBroker broker, AvroSerdes serdes, ModelCatalog catalog,
            List<InferenceEvent> pool, int count) throws Exception {
        TopicNames topics = topics("bench-select");
        RequestTopics requests = new RequestTopics("bench-select-flagged", "bench-select-sampled");
        broker.createTopics(Map.of(topics.inferenceEvents(), PARTITIONS, topics.deadLetters(), 1,
                requests.flagged(), PARTITIONS, requests.sampled(), PARTITIONS));
        var serializer = serdes.specific(InferenceEvent.class).serializer();
        long bytes = 0;
        try (KafkaProducer<String, byte[]> producer = producer(broker)) {
            for (int i = 0; i < count; i++) {
                InferenceEvent e = pool.get(i % pool.size());
                e.setEventId("sel-" + i);
                byte[] value = serializer.serialize(topics.inferenceEvents(), e);
                bytes += value.length;
                producer.send(new ProducerRecord<>(topics.inferenceEvents(), e.getEventId(), value));
            }
            producer.flush();
        }
        out.printf(Locale.ROOT, "1. selection stage vs pass-through: %d events of %.1f KB on %d partitions,"
                + " exactly-once, sampling 0%%, flags off; each round reads them all from the start, pass-through"
                + " and selection alternating first%n", count, bytes / 1024.0 / count, PARTITIONS);
        SamplingConfig none = SamplingConfig.of(0.0).withFlagRules(FlagRules.none());
        EventInputs inputs = new EventInputs(ImageDecoder.withDefaults(), 20 << 20, Optional.empty());
        double[] pass = new double[SELECTION_ROUNDS];
        double[] select = new double[SELECTION_ROUNDS];
        double[] ratio = new double[SELECTION_ROUNDS];
        // round 0 warms the JIT and the broker's page cache for both and is left out of the figures
        for (int round = 0; round <= SELECTION_ROUNDS; round++) {
            String label = round == 0 ? "warm-up" : "round " + round;
            double p = 0;
            double s = 0;
            for (boolean passTurn : round % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
                if (passTurn) {
                    p = passThroughRate(broker, topics, count);
                } else {
                    Topology selection = new SelectionTopology(topics, requests, none, serdes,
                            new CatalogEventValidator(catalog, inputs)).build();
                    KafkaStreams[] running = new KafkaStreams[1];
                    s = steadyRate(broker, selection, 1, count,
                            () -> running[0] == null ? 0 : ProcessingCounters.read(running[0].metrics()).eventsIn(),
                            running);
                }
            }
            out.printf(Locale.ROOT, "   %-8s  pass-through %8.0f events/s, selection %8.0f events/s: ratio %.2f%s%n",
                    label, p, s, s / p, round == 0 ? " (excluded)" : "");
            if (round > 0) {
                pass[round - 1] = p;
                select[round - 1] = s;
                ratio[round - 1] = s / p;
            }
        }
        out.printf(Locale.ROOT, "   median of %d rounds: selection %.0f events/s, pass-through %.0f events/s;"
                        + " ratio %.2f (range %.2f-%.2f; goal >= 0.8)%n", SELECTION_ROUNDS, median(select),
                median(pass), median(ratio), Arrays.stream(ratio).min().orElseThrow(),
                Arrays.stream(ratio).max().orElseThrow());
    }

    /** A bare application that reads every event and drops it: the baseline of section 1. */
    private double passThroughRate(EmbeddedKafkaBroker broker, TopicNames topics, int count)
            throws InterruptedException {
        AtomicLong dropped = new AtomicLong();
        Topology passThrough = new Topology();
        passThrough.addSource("source", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                topics.inferenceEvents());
        passThrough.addProcessor("drop", () -> (Processor<byte[], byte[], Void, Void>) r -> dropped.incrementAndGet(),
                "source");
        return steadyRate(broker, passThrough, 1, count, dropped::get);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    // ---- 2: explanation stage, stream threads x intra-op threads ----

    /**
     * The same requests explained by 1 stream thread x 1 intra-op thread, 1 x cores and 2 x cores / 2.
     * Each setting gets its own request topic, filled only once every stream thread owns a partition:
     * with requests waiting, the first thread to join polls a batch of them and explains it alone while
     * the second waits for that thread's next poll to rebalance (the embedded broker has no initial
     * rebalance delay), so the two-thread figure measured one thread. The requests are spread evenly
     * over the partitions (keyed by event id, 40 of them split up to 26/14), and the rate is taken
     * from 10 % to 90 % done, leaving out start-up and the tail where one partition has run dry.
     */
    private void explanationThreads(EmbeddedKafkaBroker broker, AvroSerdes serdes, ModelStore store,
            List<InferenceEvent> pool, int count) throws Exception {
        String method;
        try (ModelCatalog probe = DemoCatalog.load(store)) {
            method = textModel(probe).spec().method().name() + " " + textModel(probe).spec().method().parameters();
        }
        out.printf(Locale.ROOT, "2. explanation stage: %d requests per setting, %d on each of %d partitions, PaddleOCR"
                + " text orientation, the catalog's %s, exactly-once; rate from 10%% to 90%% done%n", count,
                count / PARTITIONS, PARTITIONS, method);
        int half = Math.max(1, CORES / 2);
        int[][] settings = {{1, 1}, {1, CORES}, {2, half}};
        double[] rates = new double[settings.length];
        for (int i = 0; i < settings.length; i++) {
            double[] measured = explanationRate(broker, serdes, store, pool, count, settings[i][0], settings[i][1], i);
            rates[i] = measured[0];
            out.printf(Locale.ROOT, "   %d stream thread(s) x %d intra-op thread(s)  %6.2f explanations/s, %5.2f CPU s"
                    + " per explanation (whole process)%n", settings[i][0], settings[i][1], rates[i], measured[1]);
        }
        out.printf(Locale.ROOT, "   2x%d / 1x1 = %.2fx (goal >= 1.7x on 2 cores); 2x%d / 1x%d = %.2fx%n", half,
                rates[2] / rates[0], half, CORES, rates[2] / rates[1]);
    }

    private double[] explanationRate(EmbeddedKafkaBroker broker, AvroSerdes serdes, ModelStore store,
            List<InferenceEvent> pool, int count, int threads, int intraOp, int round) throws Exception {
        TopicNames topics = topics("bench-explain-" + round);
        RequestTopics requests = new RequestTopics("bench-explain-" + round + "-flagged",
                "bench-explain-" + round + "-sampled");
        broker.createTopics(Map.of(requests.sampled(), PARTITIONS, topics.saliencySummaries(), PARTITIONS,
                topics.saliencyOverlays(), PARTITIONS, topics.explanationAudit(), PARTITIONS, topics.deadLetters(), 1));
        ModelCatalog catalog = DemoCatalog.load(store);
        KafkaStreams streams = null;
        try {
            configure(catalog, intraOp);
            // as run does: sessions open before any stream thread starts
            for (CatalogModel m : catalog.models()) {
                m.session();
            }
            Topology topology = new ExplanationTopology(topics, requests, RequestTopics.Lane.SAMPLED, serdes,
                    explainer(catalog, Map.of()), Optional.empty()).build();
            streams = start(topology, properties(broker, "explain", threads, false));
            awaitAssigned(streams, Math.min(threads, PARTITIONS));
            produceRequests(broker, serdes, topics, requests, pool, count);
            KafkaStreams running = streams;
            return windowRate(count, () -> ProcessingCounters.read(running.metrics()).explained());
        } finally {
            // a stream thread that did not stop may still be inside a model call: closing its session would crash it
            if (streams == null || streams.close(Duration.ofMinutes(2))) {
                catalog.close();
            }
        }
    }

    private static void produceRequests(EmbeddedKafkaBroker broker, AvroSerdes serdes, TopicNames topics,
            RequestTopics requests, List<InferenceEvent> pool, int count) {
        var serializer = serdes.specific(InferenceEvent.class).serializer();
        var requestSerializer = serdes.specific(ExplanationRequest.class).serializer();
        Instant appended = Instant.now();
        try (KafkaProducer<String, byte[]> producer = producer(broker)) {
            for (int i = 0; i < count; i++) {
                InferenceEvent e = InferenceEvent.newBuilder(pool.get(i % pool.size())).build();
                e.setEventId("exp-" + i);
                ExplanationRequest request = ExplanationRequest.newBuilder().setEventId(e.getEventId())
                        .setModelName(e.getModelName()).setSelectionReasons(List.of(Selection.SAMPLED))
                        .setFlagged(false).setSelectedAt(appended).setSourceTopic(topics.inferenceEvents())
                        .setSourcePartition(0).setSourceOffset(i).setSourceTimestamp(appended).setOriginalKey(null)
                        .setOriginalValue(ByteBuffer.wrap(serializer.serialize(topics.inferenceEvents(), e))).build();
                // consecutive events on alternate partitions: each thread gets the same share and mix
                producer.send(new ProducerRecord<>(requests.sampled(), i % PARTITIONS, e.getEventId(),
                        requestSerializer.serialize(requests.sampled(), request)));
            }
            producer.flush();
        }
    }

    /** Waits until {@code streams} runs with {@code threads} stream threads each owning a task. */
    private static void awaitAssigned(KafkaStreams streams, int threads) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            if (streams.state() == KafkaStreams.State.RUNNING && streams.metadataForLocalThreads().stream()
                    .filter(t -> !t.activeTasks().isEmpty()).count() >= threads) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the explanation stage's " + threads + " stream threads did not all get a"
                + " partition within 2 minutes");
    }

    /**
     * The rate of {@code done} from 10 % to 90 % of {@code count}, and the CPU seconds this process
     * spent per item meanwhile (broker included: a figure that a busy machine distorts less than the
     * rate); returned once all {@code count} are done.
     */
    private static double[] windowRate(int count, LongSupplier done) throws InterruptedException {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        long from = Math.max(1, count / 10);
        long to = Math.max(from + 1, count - count / 10);
        long t0 = 0;
        long n0 = 0;
        long cpu0 = 0;
        double[] rate = null;
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        while (System.nanoTime() < deadline) {
            long n = done.getAsLong();
            if (t0 == 0 && n >= from) {
                t0 = System.nanoTime();
                cpu0 = os.getProcessCpuTime();
                n0 = n;
            }
            if (rate == null && t0 != 0 && n >= to) {
                rate = new double[] {(n - n0) / ((System.nanoTime() - t0) / 1e9),
                        (os.getProcessCpuTime() - cpu0) / 1e9 / (n - n0)};
            }
            if (n >= count) {
                return rate;
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("only " + done.getAsLong() + " of " + count + " explained in 15 minutes");
    }

    // ---- 3: steady offered load ----

    private void steadyLoad(EmbeddedKafkaBroker broker, AvroSerdes serdes, ModelStore store, List<InferenceEvent> pool,
            Options options) throws Exception {
        TopicNames topics = topics("bench-load");
        RequestTopics requests = new RequestTopics("bench-load-flagged", "bench-load-sampled");
        Map<String, Integer> partitions = new HashMap<>();
        for (String t : List.of(topics.inferenceEvents(), topics.saliencySummaries(), topics.saliencyOverlays(),
                topics.explanationAudit(), requests.flagged(), requests.sampled())) {
            partitions.put(t, PARTITIONS);
        }
        partitions.put(topics.deadLetters(), 1);
        broker.createTopics(partitions);
        // latencies count from the broker's append, not from the producer's send
        broker.admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC,
                topics.inferenceEvents()), List.of(new AlterConfigOp(new ConfigEntry(
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime"), AlterConfigOp.OpType.SET)))).all().get();
        out.printf(Locale.ROOT, "3. steady load: %.0f events/s offered for %d s, sampling %.1f%%, one in %d flagged"
                        + " by the producer, every explanation %s; 1 selection thread, 1 flagged and 1 sampled"
                        + " explanation thread, 1 intra-op thread each; a sampled explanation waits up to %d ms while"
                        + " a flagged one runs%n", options.offeredPerSecond(),
                options.loadSeconds(), options.sampledRate() * 100, options.flaggedEvery(), options.loadMethod(),
                options.sampledYieldMax().toMillis());
        Map<String, ModelSpec.MethodSpec> methods = new HashMap<>();
        for (String reason : List.of("sampled", "producer", "low-confidence", "small-margin", "label-disagreement",
                "watched-class")) {
            methods.put(reason, new ModelSpec.MethodSpec(options.loadMethod(), Map.of()));
        }
        SamplingConfig sampling = SamplingConfig.of(options.sampledRate())
                .withFlagRules(new FlagRules(true, null, null, false, Set.of(), Set.of()))
                .withBudgets(BudgetConfig.unlimited(), Map.of());
        try (ModelCatalog catalog = DemoCatalog.load(store)) {
            configure(catalog, 1);
            EventInputs inputs = new EventInputs(ImageDecoder.withDefaults(), 20 << 20, Optional.empty());
            EngineEventExplainer explainer = explainer(catalog, methods);
            if (options.warmUp()) {
                long started = System.nanoTime();
                explainer.warmUp();
                out.printf(Locale.ROOT, "   methods warmed up before the lanes start, as run does: %d ms%n",
                        (System.nanoTime() - started) / 1_000_000);
            }
            Properties selectProps = properties(broker, "select", 1, true);
            Properties flaggedProps = properties(broker, "flagged", 1, false);
            Properties sampledProps = properties(broker, "sampled", 1, false);
            KafkaStreams select = start(new SelectionTopology(topics, requests, sampling, serdes,
                    new CatalogEventValidator(catalog, inputs)).build(), selectProps);
            LanePriority priority = new LanePriority(options.sampledYieldMax());
            KafkaStreams flagged = start(new ExplanationTopology(topics, requests, RequestTopics.Lane.FLAGGED, serdes,
                    explainer, Optional.of(Duration.ofMinutes(15))).withPriority(priority).build(), flaggedProps);
            KafkaStreams sampled = start(new ExplanationTopology(topics, requests, RequestTopics.Lane.SAMPLED, serdes,
                    explainer, Optional.of(Duration.ofMinutes(1))).withPriority(priority).build(), sampledProps);
            List<KafkaStreams> all = List.of(select, flagged, sampled);
            awaitRunning(all);
            Map<String, long[]> flaggedTimes = new HashMap<>();
            AtomicBoolean producing = new AtomicBoolean(true);
            AtomicLong produced = new AtomicLong();
            Thread producerThread = new Thread(() -> offer(broker, serdes, topics, pool, options, produced, producing),
                    "bench-load-producer");
            Thread latencyThread = new Thread(() -> flaggedTimes(broker, serdes, topics, requests, flaggedTimes, producing),
                    "bench-load-latency");
            producerThread.start();
            latencyThread.start();
            long maxSelectLag = 0;
            long lastSelectLag = 0;
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                // the load, then 10 s for what is in flight
                for (int second = 1; second <= options.loadSeconds() + 10; second++) {
                    Thread.sleep(1000);
                    long selectLag = lag(admin, id(selectProps), topics.inferenceEvents());
                    maxSelectLag = Math.max(maxSelectLag, selectLag);
                    lastSelectLag = selectLag;
                    if (second % 10 == 0) {
                        ProcessingCounters.Snapshot c = counters(all);
                        out.printf(Locale.ROOT, "   %3d s: produced %7d, lag selection %6d, flagged %4d, sampled %5d;"
                                        + " explained %5d, skipped-deadline %5d%n", second, produced.get(), selectLag,
                                lag(admin, id(flaggedProps), requests.flagged()),
                                lag(admin, id(sampledProps), requests.sampled()), c.explained(),
                                c.skippedDeadline());
                    }
                }
            } finally {
                producing.set(false);
                producerThread.join();
                latencyThread.join();
                all.forEach(app -> app.close(Duration.ofSeconds(30)));
            }
            ProcessingCounters.Snapshot c = counters(all);
            out.printf(Locale.ROOT, "   offered %d events in %d s (%.0f/s); selection lag max %d, at the end %d%n",
                    produced.get(), options.loadSeconds(), produced.get() / (double) options.loadSeconds(),
                    maxSelectLag, lastSelectLag);
            out.printf(Locale.ROOT, "   requested %d, explained %d, skipped by deadline %d, dead-lettered %d;"
                            + " sampled explanations waited %.1f s in all for flagged ones%n",
                    c.requested(), c.explained(), c.skippedDeadline(), c.deadLettered(),
                    priority.sampledWaited().toMillis() / 1000.0);
            printFlaggedTimes(flaggedTimes);
        }
    }

    private void offer(EmbeddedKafkaBroker broker, AvroSerdes serdes, TopicNames topics, List<InferenceEvent> pool,
            Options options, AtomicLong produced, AtomicBoolean producing) {
        var serializer = serdes.specific(InferenceEvent.class).serializer();
        List<InferenceEvent> events = pool.stream().map(e -> InferenceEvent.newBuilder(e).build())
                .collect(Collectors.toList());
        long start = System.nanoTime();
        long total = (long) (options.offeredPerSecond() * options.loadSeconds());
        try (KafkaProducer<String, byte[]> producer = producer(broker)) {
            for (long i = 0; i < total && producing.get(); i++) {
                long due = start + (long) (i * 1e9 / options.offeredPerSecond());
                long wait = due - System.nanoTime();
                if (wait > 1_000_000) {
                    Thread.sleep(wait / 1_000_000);
                }
                InferenceEvent e = events.get((int) (i % events.size()));
                e.setEventId("load-" + i);
                e.setEventTime(Instant.now());
                e.setFlags(i % options.flaggedEvery() == options.flaggedEvery() / 2 ? List.of("bench") : List.of());
                producer.send(new ProducerRecord<>(topics.inferenceEvents(), e.getEventId(),
                        serializer.serialize(topics.inferenceEvents(), e)));
                produced.incrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // indexes of a flagged event's times (epoch ms) in flaggedTimes
    private static final int APPENDED = 0;
    private static final int SELECTED = 1;
    private static final int REQUEST_READABLE = 2;
    private static final int EXPLAINED = 3;
    private static final int EXPLAINING = 4;
    private static final int SUMMARY_READABLE = 5;

    /**
     * The times of every flagged event, by event id: its append (the record timestamp, which both
     * stages carry forward), its selection (the request's selectedAt), when its request became
     * readable (read_committed), when it was explained (the audit's explainedAt, after the overlay),
     * how long the method took (the summary's durationMillis), and when its summary became readable.
     */
    private static void flaggedTimes(EmbeddedKafkaBroker broker, AvroSerdes serdes, TopicNames topics,
            RequestTopics requests, Map<String, long[]> times, AtomicBoolean producing) {
        var summaries = serdes.specific(SaliencySummary.class).deserializer();
        var audits = serdes.specific(ExplanationAudit.class).deserializer();
        var requestDecoder = serdes.specific(ExplanationRequest.class).deserializer();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "bench-latency-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(requests.flagged(), topics.explanationAudit(), topics.saliencySummaries()));
            while (producing.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    long now = System.currentTimeMillis();
                    if (r.topic().equals(requests.flagged())) {
                        ExplanationRequest request = requestDecoder.deserialize(r.topic(), r.value());
                        long[] t = times.computeIfAbsent(request.getEventId(), id -> new long[6]);
                        t[APPENDED] = r.timestamp();
                        t[SELECTED] = request.getSelectedAt().toEpochMilli();
                        t[REQUEST_READABLE] = now;
                    } else if (r.topic().equals(topics.explanationAudit())) {
                        ExplanationAudit audit = audits.deserialize(r.topic(), r.value());
                        if (audit.getSelectionReasons().contains(Selection.FLAG_PRODUCER)) {
                            times.computeIfAbsent(audit.getEventId(), id -> new long[6])[EXPLAINED] =
                                    audit.getExplainedAt().toEpochMilli();
                        }
                    } else {
                        SaliencySummary summary = summaries.deserialize(r.topic(), r.value());
                        if (summary.getSelectionReasons().contains(Selection.FLAG_PRODUCER)) {
                            long[] t = times.computeIfAbsent(summary.getEventId(), id -> new long[6]);
                            t[EXPLAINING] = summary.getDurationMillis();
                            t[SUMMARY_READABLE] = now;
                        }
                    }
                }
            }
        }
    }

    /** Append to summary readable, and the parts it is made of, over the flagged events seen from end to end. */
    private void printFlaggedTimes(Map<String, long[]> times) {
        List<long[]> complete = times.values().stream()
                .filter(t -> t[REQUEST_READABLE] > 0 && t[EXPLAINED] > 0 && t[SUMMARY_READABLE] > 0).toList();
        if (complete.isEmpty()) {
            out.println("   no flagged summary was read");
            return;
        }
        printPercentiles("flagged event append -> summary readable", complete,
                t -> t[SUMMARY_READABLE] - t[APPENDED], " (goal p99 <= 2000 ms)");
        printPercentiles("  append -> selected (selection stage's lag)", complete, t -> t[SELECTED] - t[APPENDED], "");
        printPercentiles("  selected -> request readable (its commit)", complete,
                t -> t[REQUEST_READABLE] - t[SELECTED], "");
        printPercentiles("  request readable -> explained (waiting, explaining, overlay)", complete,
                t -> t[EXPLAINED] - t[REQUEST_READABLE], "");
        printPercentiles("    of which the method", complete, t -> t[EXPLAINING], "");
        printPercentiles("  explained -> summary readable (flagged lane's commit)", complete,
                t -> t[SUMMARY_READABLE] - t[EXPLAINED], "");
        long start = complete.stream().mapToLong(t -> t[APPENDED]).min().orElseThrow();
        StringBuilder windows = new StringBuilder();
        for (long from = 0; ; from += 10) {
            long lo = start + from * 1000;
            long[] sorted = complete.stream().filter(t -> t[APPENDED] >= lo && t[APPENDED] < lo + 10_000)
                    .mapToLong(t -> t[SUMMARY_READABLE] - t[APPENDED]).sorted().toArray();
            if (sorted.length == 0) {
                break;
            }
            windows.append(String.format(Locale.ROOT, "%s%d-%d s %d", from == 0 ? "" : ", ", from, from + 10,
                    percentile(sorted, 0.99)));
        }
        out.println("   p99 ms by when the flagged event was appended: " + windows);
        List<long[]> slowest = complete.stream()
                .sorted((a, b) -> Long.compare(b[SUMMARY_READABLE] - b[APPENDED], a[SUMMARY_READABLE] - a[APPENDED]))
                .limit(Math.max(1, complete.size() / 20)).toList();
        out.printf(Locale.ROOT, "   the slowest 5 %% (%d), mean ms: selection lag %.0f, its commit %.0f, waiting"
                        + " and explaining %.0f (method %.0f), flagged commit %.0f%n", slowest.size(),
                mean(slowest, t -> t[SELECTED] - t[APPENDED]), mean(slowest, t -> t[REQUEST_READABLE] - t[SELECTED]),
                mean(slowest, t -> t[EXPLAINED] - t[REQUEST_READABLE]), mean(slowest, t -> t[EXPLAINING]),
                mean(slowest, t -> t[SUMMARY_READABLE] - t[EXPLAINED]));
    }

    private static double mean(List<long[]> times, ToLongFunction<long[]> part) {
        return times.stream().mapToLong(part).average().orElse(0);
    }

    private void printPercentiles(String what, List<long[]> times, ToLongFunction<long[]> part,
            String goal) {
        long[] sorted = times.stream().mapToLong(part).sorted().toArray();
        out.printf(Locale.ROOT, "   %-66s %4d: p50 %5d ms, p95 %5d ms, p99 %5d ms, max %5d ms%s%n", what,
                sorted.length, percentile(sorted, 0.50), percentile(sorted, 0.95), percentile(sorted, 0.99),
                sorted[sorted.length - 1], goal);
    }

    // ---- shared ----

    private static void configure(ModelCatalog catalog, int intraOp) {
        for (CatalogModel m : catalog.models()) {
            m.configure(SessionSettings.DEFAULTS.withIntraOpThreads(intraOp));
        }
    }

    private static EngineEventExplainer explainer(ModelCatalog catalog, Map<String, ModelSpec.MethodSpec> methods) {
        EventInputs inputs = new EventInputs(ImageDecoder.withDefaults(), 20 << 20, Optional.empty());
        return new EngineEventExplainer(catalog, new ExplanationEngine(), inputs, 8, 8, ProcessorApp.versions(),
                Clock.systemUTC(), methods, Set.of(), InterpretationBuckets.defaults(),
                TargetRules.unconfigured());
    }

    private static TopicNames topics(String prefix) {
        return new TopicNames(prefix + "-events", prefix + "-summaries", prefix + "-overlays", prefix + "-audit",
                prefix + "-dead-letters");
    }

    private static String id(Properties properties) {
        return properties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
    }

    private Properties properties(EmbeddedKafkaBroker broker, String name, int threads, boolean selection) {
        apps++;
        StreamsSettings settings = StreamsSettings.defaults("bench-" + name + "-" + apps, broker.bootstrapServers())
                .withReplicationFactor(1).withStateDir(stateRoot.path().resolve(name + "-" + apps));
        Properties p = settings.toProperties();
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads));
        // as the processor runs them: selection polls large batches, every stage commits often
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        if (selection) {
            p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1000");
        }
        return p;
    }

    private static KafkaStreams start(Topology topology, Properties properties) {
        KafkaStreams streams = new KafkaStreams(topology, properties);
        streams.start();
        return streams;
    }

    private double steadyRate(EmbeddedKafkaBroker broker, Topology topology, int threads, int count, LongSupplier done)
            throws InterruptedException {
        return steadyRate(broker, topology, threads, count, done, new KafkaStreams[1]);
    }

    /**
     * Runs {@code topology} until {@code done} reaches {@code count}, and returns the rate from the
     * moment 5 % were done to the end, so that start-up and group join are left out.
     */
    private double steadyRate(EmbeddedKafkaBroker broker, Topology topology, int threads, int count,
            LongSupplier done, KafkaStreams[] running) throws InterruptedException {
        Properties p = properties(broker, "rate", threads, true);
        KafkaStreams streams = new KafkaStreams(topology, p);
        running[0] = streams;
        streams.start();
        try {
            long warm = Math.max(1, count / 20);
            long t0 = 0;
            long n0 = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (System.nanoTime() < deadline) {
                long n = done.getAsLong();
                if (t0 == 0 && n >= warm) {
                    t0 = System.nanoTime();
                    n0 = n;
                }
                if (n >= count) {
                    return (count - n0) / ((System.nanoTime() - t0) / 1e9);
                }
                Thread.sleep(5);
            }
            throw new IllegalStateException("only " + done.getAsLong() + " of " + count + " done in 10 minutes");
        } finally {
            streams.close(Duration.ofSeconds(30));
            running[0] = null;
        }
    }

    private static void awaitRunning(List<KafkaStreams> apps) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (apps.stream().anyMatch(a -> a.state() != KafkaStreams.State.RUNNING) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private static ProcessingCounters.Snapshot counters(List<KafkaStreams> apps) {
        Map<org.apache.kafka.common.MetricName, org.apache.kafka.common.Metric> metrics = new HashMap<>();
        apps.forEach(a -> metrics.putAll(a.metrics()));
        return ProcessingCounters.read(metrics);
    }

    /** Records of {@code topic} not yet committed by consumer group {@code group}. */
    private static long lag(Admin admin, String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        long lag = 0;
        for (var e : admin.listOffsets(latest).all().get().entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            lag += e.getValue().offset() - (c == null ? 0 : c.offset());
        }
        return lag;
    }

    private static KafkaProducer<String, byte[]> producer(EmbeddedKafkaBroker broker) {
        // not idempotent: on a topic created a moment before, the embedded broker sometimes refused an
        // idempotent producer's retry as out of order for good; a duplicate only ends a run a record early
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "5",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false"),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static long percentile(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
