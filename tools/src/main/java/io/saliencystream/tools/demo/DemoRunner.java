package io.saliencystream.tools.demo;

import io.saliencystream.tools.demo.DemoCatalog;
import io.saliencystream.app.ProcessorApp;
import io.saliencystream.app.ProcessorConfig;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.saliencystream.app.audit.AvroJsonLines;
import io.saliencystream.dashboard.Dashboard;
import io.saliencystream.dashboard.DashboardLimits;
import io.saliencystream.dashboard.DashboardSources;
import io.saliencystream.engine.input.ImageDecoder;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.registry.HttpSchemaRegistryClient;
import io.saliencystream.quality.InterpretationBucket;
import io.saliencystream.quality.InterpretationBuckets;
import io.saliencystream.schema.AttentionDriftAlert;
import io.saliencystream.schema.AttentionDriftMetrics;
import io.saliencystream.schema.DeadLetter;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.stream.EventInputs;
import io.saliencystream.stream.ProcessingCounters;
import io.saliencystream.stream.TopicNames;
import io.saliencystream.stream.drift.DriftTopics;
import io.saliencystream.stream.Targets;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

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
     * @param drift      the attention-drift scenario run beside the text lines
     * @param dashboardPort port of the dashboard on loopback, 0 for any free one
     */
    public record Options(Path out, int events, double samplingRate, long seed, Duration timeout,
                          DriftScenario drift, int dashboardPort) {

        /** With the demo's drift scenario, {@link DriftScenario#demo()}, and the dashboard on any free port. */
        public Options(Path out, int events, double samplingRate, long seed, Duration timeout) {
            this(out, events, samplingRate, seed, timeout, DriftScenario.demo());
        }

        /** With the dashboard on any free port. */
        public Options(Path out, int events, double samplingRate, long seed, Duration timeout, DriftScenario drift) {
            this(out, events, samplingRate, seed, timeout, drift, 0);
        }
    }

    /** What came out, reconciled against what went in; {@code dashboardUrl} serves it while the demo runs. */
    public record Result(int produced, ProcessingCounters.Snapshot counters, OutputCollector.Outputs outputs,
                         Duration elapsed, DriftTimeline drift, String dashboardUrl) {
    }

    /** When the drift scenario's windows start and where its input changed. */
    public record DriftTimeline(DriftScenario scenario, Instant firstWindowStart) {

        public Instant switchTime() {
            return scenario.switchTime(firstWindowStart);
        }

        public Instant lastWindowStart() {
            return scenario.lastWindowStart(firstWindowStart);
        }

        /** 1 for the first window after the switch, 0 for the one before it, and so on. */
        public long windowsAfterSwitch(Instant windowStart) {
            return Math.floorDiv(Duration.between(switchTime(), windowStart).toMillis(),
                    scenario.window().toMillis()) + 1;
        }
    }

    /** How long to wait, once every event is accounted for, for the drift windows to close. */
    private static final Duration DRIFT_SETTLE = Duration.ofSeconds(60);

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
        DriftTopics driftTopics = DriftTopics.defaults();
        DriftScenario scenario = options.drift();
        console.println("saliency-stream demo: embedded broker, registry, PaddleOCR text-orientation model,"
                + " attention drift on the ground-truth model shapes:v1");
        try (EmbeddedStack stack = EmbeddedStack.start(topics, driftTopics);
             ModelCatalog catalog = DemoCatalog.load(new ModelStore(ModelStore.defaultDir(), console));
             ScratchStateDir stateDir = ScratchStateDir.create("saliency-stream-demo-state")) {
            console.printf("  broker %s (KRaft, one node), schema registry %s%n",
                    stack.bootstrapServers(), stack.schemaRegistryUrl());
            CatalogModel model = catalog.models().iterator().next();
            CatalogModel shapes = catalog.require(DriftScenario.MODEL, DriftScenario.VERSION);
            AvroSerdes serdes = new AvroSerdes(new HttpSchemaRegistryClient(stack.schemaRegistryUrl()));
            SampleEvents sampleEvents = new SampleEvents(model,
                    serdes.specific(InferenceEvent.class).serializer(), topics.inferenceEvents());
            Instant now = Instant.now();
            List<SampleEvents.Sample> samples = new java.util.ArrayList<>(
                    sampleEvents.build(options.seed(), options.events(), now.minusSeconds(600)));
            int textEvents = samples.size();
            // the drift scenario's event times follow the text lines' and end well before now
            DriftTimeline timeline = new DriftTimeline(scenario, scenario.firstWindowStart(now, Duration.ofMinutes(2)));
            samples.addAll(sampleEvents.driftEvents(shapes, scenario, timeline.firstWindowStart()));
            Instant started = Instant.now();
            ProcessorConfig config = ProcessorConfig.from(stack.processorSettings("saliency-stream-demo",
                    stateDir.path(), options.samplingRate(), settings(scenario)));
            try (ProcessorApp app = ProcessorApp.start(config, console);
                 OutputCollector collector = new OutputCollector(stack.bootstrapServers(), serdes.registry(), topics,
                         driftTopics);
                 Dashboard dashboard = Dashboard.start(DashboardSources.of(config), DashboardLimits.defaults(),
                         new InetSocketAddress(InetAddress.getLoopbackAddress(), options.dashboardPort()),
                         Optional.of(catalog), new EventInputs(ImageDecoder.withDefaults(),
                                 ImageDecoder.DEFAULT_MAX_BYTES, config.inputFileRoot()))) {
                console.printf("  dashboard %s (live while the demo runs; --serve keeps it up afterwards)%n",
                        dashboard.url());
                // the text lines first, the drift scenario once they are through: its event times are
                // later, and a text summary arriving after them would be too late for its drift window
                produce(stack.bootstrapServers(), topics.inferenceEvents(), samples.subList(0, textEvents));
                console.printf("  produced %d text lines (%d of them bad inputs) to %s%n", textEvents,
                        textEvents - options.events(), topics.inferenceEvents());
                awaitAccounted(app, collector, textEvents, options.timeout(), started, "text lines");
                // window by window, as a live stream arrives: flagged events overtake sampled ones in the
                // explanation stage, and a burst of many windows would let them run further ahead of the
                // sampled summaries than drift's grace (one window) allows
                for (int from = textEvents; from < samples.size(); from += scenario.eventsPerWindow()) {
                    int to = Math.min(samples.size(), from + scenario.eventsPerWindow());
                    produce(stack.bootstrapServers(), topics.inferenceEvents(), samples.subList(from, to));
                    if (to < samples.size()) {
                        awaitAccounted(app, collector, to, options.timeout(), started, "drift windows");
                    }
                }
                console.printf("  produced %d shapes images in %d drift windows of %d s event time, the corner stamp"
                                + " painted on from window %d on%n", scenario.events(),
                        scenario.cleanWindows() + scenario.stampedWindows(), scenario.window().toSeconds(),
                        scenario.cleanWindows() + 1);
                Result result = await(app, collector, samples.size(), options.timeout(), started, timeline,
                        shapes.spec().labels().size(), dashboard.url());
                write(options.out(), result, shapes);
                report(options, result, model, shapes, config.buckets());
                whileRunning.accept(stack, topics, result);
                return result;
            }
        }
    }

    public static void produce(String bootstrap, String topic, List<SampleEvents.Sample> samples) {
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

    /**
     * The processor's settings for the demo. Every selection reason explains by the same occlusion
     * the text model's catalog entry names (the shapes model's catalog default is RISE): one method
     * per model, whatever selected an event, keeps each drift series comparable over time.
     */
    static Map<String, String> settings(DriftScenario scenario) {
        Map<String, String> s = new LinkedHashMap<>(scenario.settings());
        // the text model is confident on almost every line; flag the few where it is not
        s.put("flags.low-confidence-below", "0.9");
        for (String reason : ProcessorConfig.REASONS) {
            s.put("explain.method-for." + reason, "occlusion");
            s.put("explain.method-for." + reason + ".params", OCCLUSION_PARAMS);
        }
        return s;
    }

    /** The text model's catalog parameters (models/catalog.json), used for both models. */
    private static final String OCCLUSION_PARAMS = "window=6;stride=3;baseline=median;batch_size=64;score=logodds";

    /**
     * Waits until every event is accounted for and every explanation's three records are readable,
     * then (up to {@link #DRIFT_SETTLE}) until every drift series of the scenario's model has
     * closed its last stamped window.
     */
    private Result await(ProcessorApp app, OutputCollector collector, int produced, Duration timeout, Instant started,
                         DriftTimeline timeline, int classes, String dashboardUrl) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long driftDeadline = Long.MAX_VALUE;
        ProgressLine progress = new ProgressLine(console);
        while (true) {
            OutputCollector.Outputs out = collector.poll(Duration.ofMillis(500));
            ProcessingCounters.Snapshot c = app.counters();
            Duration elapsed = Duration.between(started, Instant.now());
            int closed = closedLastWindows(out, timeline);
            progress.update(String.format(Locale.ROOT,
                    "  processing: %d/%d accounted for | explained %d | skipped %d | dead letters %d"
                            + " | drift windows %d, alerts %d | %.0f s",
                    c.accountedFor(), produced, c.explained(), c.skippedSampling() + c.skippedBudget(),
                    c.deadLettered(), out.driftMetrics().size(), out.driftAlerts().size(), elapsed.toMillis() / 1000.0));
            // an event may have several targets, each with its own records, all written in one transaction
            boolean complete = c.accountedFor() == produced
                    && events(out.summaries(), SaliencySummary::getEventId) == c.explained()
                    && events(out.overlays(), SaliencyOverlay::getEventId) == c.explained()
                    && events(out.audits(), ExplanationAudit::getEventId) == c.explained()
                    && out.deadLetters().size() == c.deadLettered();
            if (complete && driftDeadline == Long.MAX_VALUE) {
                driftDeadline = System.nanoTime() + DRIFT_SETTLE.toNanos();
            }
            if (complete && (closed == classes || System.nanoTime() > driftDeadline)) {
                progress.done();
                if (closed < classes) {
                    console.printf("  note: %d of %d drift series closed their last window within %d s%n",
                            closed, classes, DRIFT_SETTLE.toSeconds());
                }
                return new Result(produced, c, out, elapsed, timeline, dashboardUrl);
            }
            if (System.nanoTime() > deadline) {
                progress.done();
                throw new IllegalStateException("demo timed out after " + timeout.toSeconds() + " s: " + c
                        + ", read " + out.summaries().size() + " summaries, " + out.deadLetters().size()
                        + " dead letters, " + out.driftMetrics().size() + " drift windows");
            }
        }
    }

    /** Waits until the first {@code count} events ({@code what}) are accounted for. */
    private void awaitAccounted(ProcessorApp app, OutputCollector collector, int count, Duration timeout,
                                Instant started, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ProgressLine progress = new ProgressLine(console);
        while (app.counters().accountedFor() < count) {
            collector.poll(Duration.ofMillis(500));
            ProcessingCounters.Snapshot c = app.counters();
            progress.update(String.format(Locale.ROOT, "  %s: %d/%d accounted for | explained %d | %.0f s",
                    what, c.accountedFor(), count, c.explained(), Duration.between(started, Instant.now()).toMillis() / 1000.0));
            if (System.nanoTime() > deadline) {
                progress.done();
                throw new IllegalStateException("demo timed out after " + timeout.toSeconds() + " s on the " + what + ": "
                        + c);
            }
        }
        progress.done();
    }

    /** Series of the scenario's model with a metrics record for the last stamped window. */
    private static int closedLastWindows(OutputCollector.Outputs out, DriftTimeline timeline) {
        return (int) out.driftMetrics().stream()
                .filter(m -> m.getModelName().equals(DriftScenario.MODEL)
                        && m.getWindowStart().equals(timeline.lastWindowStart()))
                .map(AttentionDriftMetrics::getPredictedClass)
                .distinct()
                .count();
    }

    /** How many events {@code records} are of. */
    private static <T> long events(List<T> records, Function<T, CharSequence> eventId) {
        return records.stream().map(r -> eventId.apply(r).toString()).distinct().count();
    }

    private static void write(Path out, Result result, CatalogModel shapes) throws IOException {
        Path overlays = out.resolve("overlays");
        deleteRecursively(out);
        Files.createDirectories(overlays);
        OutputCollector.Outputs o = result.outputs();
        // Avro's JSON encoding, so that `verify --audit audit.jsonl --summaries summaries.jsonl` reads them back
        AvroJsonLines.write(out.resolve("summaries.jsonl"), o.summaries());
        AvroJsonLines.write(out.resolve("audit.jsonl"), o.audits());
        // the catalog the audit records name models from (shapes:v1 is not in the production catalog)
        Files.copy(DemoCatalog.writeTemporaryFile(), out.resolve("catalog.json"));
        writeLines(out.resolve("dead-letters.jsonl"), o.deadLetters(), DemoRunner::deadLetterJson);
        AvroJsonLines.write(out.resolve("drift.jsonl"), o.driftMetrics());
        AvroJsonLines.write(out.resolve("alerts.jsonl"), o.driftAlerts());
        for (DriftPlots.Plot plot : DriftPlots.of(o.driftMetrics(), result.drift(), shapes.spec())) {
            Files.write(out.resolve(plot.fileName()), plot.png());
        }
        for (SaliencyOverlay overlay : o.overlays()) {
            // as explain names them: a target other than the predicted class carries its class
            String name = Targets.PREDICTED.equals(overlay.getTarget()) ? overlay.getEventId()
                    : overlay.getEventId() + ".target-" + overlay.getPredictedClass();
            Files.write(overlays.resolve(name + ".png"), Utils.toArray(overlay.getPng()));
        }
    }

    private void report(Options options, Result r, CatalogModel model, CatalogModel shapes,
                        InterpretationBuckets buckets) throws IOException {
        OutputCollector.Outputs o = r.outputs();
        // one summary per event: its predicted target (a label disagreement also explains the true class)
        List<SaliencySummary> predicted = o.summaries().stream()
                .filter(s -> Targets.PREDICTED.equals(s.getTarget())).toList();
        long agree = predicted.stream()
                .filter(s -> s.getReportedClass() != null && s.getReportedClass() == s.getPredictedClass()).count();
        Map<String, Long> reasons = predicted.stream()
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
                + " recomputed class agrees with the reported one on %d/%d%n", meanMillis, agree, predicted.size()));
        text.append(bucketReport(predicted, buckets));
        text.append(String.format(Locale.ROOT, "dead       %s%n", deadLetters));
        text.append(String.format(Locale.ROOT, "took       %.1f s from processor start to the last output%n",
                r.elapsed().toMillis() / 1000.0));
        text.append(driftReport(r, shapes.spec()));
        text.append(String.format(Locale.ROOT, "results    %s: summaries.jsonl, audit.jsonl, dead-letters.jsonl,"
                + " overlays/*.png (%d), drift.jsonl, alerts.jsonl, drift-*.png%n", options.out(), o.overlays().size()));
        Files.writeString(options.out().resolve("report.txt"), text);
        console.print(text.toString().lines().map(l -> "  " + l).collect(Collectors.joining("\n", "", "\n")));
    }

    /** Per model, how many explanations fell in each interpretation bucket (every demo event has its ground truth). */
    private static String bucketReport(List<SaliencySummary> summaries, InterpretationBuckets buckets) {
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        for (SaliencySummary s : summaries) {
            if (s.getInterpretationBucket() != null) {
                counts.computeIfAbsent(s.getModelName(), m -> {
                    Map<String, Long> zero = new java.util.LinkedHashMap<>();
                    for (InterpretationBucket b : InterpretationBucket.values()) {
                        zero.put(b.id(), 0L);
                    }
                    return zero;
                }).merge(s.getInterpretationBucket(), 1L, Long::sum);
            }
        }
        StringBuilder text = new StringBuilder();
        counts.forEach((model, n) -> text.append(String.format(Locale.ROOT,
                "buckets    %s (high confidence: top-1 probability >= %.2f): %s%n", model, buckets.threshold(model), n)));
        return text.toString();
    }

    /** Per series of the drift scenario: distances before and after the switch, and the alerts with their reason. */
    private static String driftReport(Result r, io.saliencystream.engine.model.ModelSpec spec) {
        DriftTimeline t = r.drift();
        DriftScenario sc = t.scenario();
        java.time.format.DateTimeFormatter time = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss")
                .withZone(java.time.ZoneOffset.UTC);
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "drift      %s:%s, %d s windows of event time, reference learned from the"
                        + " first %d, alert when %s > %.2f in %d windows running; corner stamp painted on from %s UTC%n",
                spec.name(), spec.version(), sc.window().toSeconds(), sc.learnWindows(), DriftScenario.METRIC,
                sc.threshold(), sc.openAfter(), time.format(t.switchTime())));
        DriftPlots.series(r.outputs().driftMetrics()).forEach((predictedClass, windows) -> {
            StringBuilder values = new StringBuilder();
            for (AttentionDriftMetrics m : windows) {
                if (m.getWindowStart().equals(t.switchTime())) {
                    values.append(" |");
                }
                values.append(m.getJensenShannon() == null ? (m.getSufficient() ? " learn" : " few")
                        : String.format(Locale.ROOT, " %.3f", m.getJensenShannon()));
            }
            text.append(String.format(Locale.ROOT, "  %-9s%s%n", spec.labels().get(predictedClass), values));
        });
        if (r.outputs().driftAlerts().isEmpty()) {
            text.append("  no drift alert\n");
        }
        for (AttentionDriftAlert a : r.outputs().driftAlerts()) {
            String label = a.getModelName().equals(spec.name()) ? spec.labels().get(a.getPredictedClass())
                    : Integer.toString(a.getPredictedClass());
            text.append(String.format(Locale.ROOT, "  ALERT %s %s:%s \"%s\" in window %s-%s UTC, %s: %s %.3f vs"
                            + " threshold %.3f%n", a.getState(), a.getModelName(), a.getModelVersion(), label,
                    time.format(a.getWindowStart()), time.format(a.getWindowEnd()),
                    relativeToSwitch(t.windowsAfterSwitch(a.getWindowStart())), a.getMetric(), a.getDistance(),
                    a.getThreshold()));
        }
        return text.toString();
    }

    private static String relativeToSwitch(long windowsAfter) {
        if (windowsAfter <= 0) {
            return (1 - windowsAfter) + " window(s) before the switch";
        }
        long n = windowsAfter;
        String suffix = n % 100 >= 11 && n % 100 <= 13 ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd"
                : n % 10 == 3 ? "rd" : "th";
        return "the " + n + suffix + " window after the switch";
    }

    private static String deadLetterJson(DeadLetter d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stage", d.getStage());
        m.put("errorCode", d.getErrorCode());
        m.put("reason", d.getReason());
        m.put("errorClass", d.getErrorClass());
        m.put("eventId", d.getEventId());
        m.put("source", d.getSourceTopic() + "/" + d.getSourcePartition() + "@" + d.getSourceOffset());
        m.put("originalKey", d.getOriginalKey() == null ? null : new String(Utils.toArray(d.getOriginalKey())));
        m.put("originalValueBytes", d.getOriginalValue() == null ? null : d.getOriginalValue().remaining());
        m.put("originalValueBase64", d.getOriginalValue() == null ? null
                : Base64.getEncoder().encodeToString(Utils.toArray(d.getOriginalValue())));
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


    public static void deleteRecursively(Path dir) throws IOException {
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
