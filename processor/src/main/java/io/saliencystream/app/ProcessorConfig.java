package io.saliencystream.app;

import io.saliencystream.drift.AlertPolicy;
import io.saliencystream.drift.DriftMetric;
import io.saliencystream.drift.RegionOfInterest;
import io.saliencystream.drift.RegionsOfInterest;
import io.saliencystream.drift.Threshold;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.SessionSettings;
import io.saliencystream.quality.InterpretationBuckets;
import io.saliencystream.registry.RegistrySettings;
import io.saliencystream.serde.KeyFormat;
import io.saliencystream.stream.BudgetConfig;
import io.saliencystream.stream.FlagRules;
import io.saliencystream.stream.RequestTopics;
import io.saliencystream.stream.SamplingConfig;
import io.saliencystream.stream.StreamsSettings;
import io.saliencystream.stream.TargetRules;
import io.saliencystream.stream.Targets;
import io.saliencystream.stream.TopicNames;
import io.saliencystream.stream.drift.DriftConfig;
import io.saliencystream.stream.drift.DriftTopics;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigException;

/**
 * The processor's configuration, read from {@link Settings}. Every key, its default and its
 * meaning is defined once, in {@link SettingDefinitions}.
 */
public record ProcessorConfig(
        RegistrySettings registry,
        KeyFormat keyFormat,
        Optional<Path> catalogPath,
        Optional<Path> modelDir,
        Optional<Path> inputFileRoot,
        TopicNames topics,
        RequestTopics requests,
        Deadlines deadlines,
        Duration sampledYieldMax,
        Duration worstCaseExplanation,
        Compute compute,
        boolean warmUp,
        SamplingConfig sampling,
        StreamsSettings streams,
        InputLimits limits,
        int gridRows,
        int gridCols,
        boolean driftEnabled,
        DriftConfig drift,
        Map<String, ModelSpec.MethodSpec> methodsByReason,
        Set<String> faithfulnessReasons,
        InterpretationBuckets buckets,
        TargetRules targets,
        Lifecycle lifecycle,
        int opsPort,
        Outputs outputs,
        Map<String, String> kafkaOverrides) {

    /**
     * The longest one request of {@code lane} may take: {@code explain.worst-case-ms} for each
     * target its event may get (several classes explained per event, {@code explain.targets}).
     */
    public Duration worstCaseRequest(RequestTopics.Lane lane) {
        return worstCaseExplanation.multipliedBy(targets.most(lane));
    }

    /**
     * How old an event may be when its explanation request's turn comes, per lane; a request
     * over it is skipped and counted ({@code skipped-deadline}). Empty: no deadline.
     */
    public record Deadlines(Optional<Duration> flagged, Optional<Duration> sampled) {

        public Optional<Duration> of(RequestTopics.Lane lane) {
            return lane == RequestTopics.Lane.FLAGGED ? flagged : sampled;
        }
    }

    /**
     * The explanation stage's compute: stream threads per lane, and how ONNX Runtime runs a model
     * whose catalog entry sets nothing of its own.
     */
    public record Compute(int flaggedThreads, int sampledThreads, SessionSettings session) {

        public int threads(RequestTopics.Lane lane) {
            return lane == RequestTopics.Lane.FLAGGED ? flaggedThreads : sampledThreads;
        }

        /**
         * {@code explain.stream-threads.<lane>} (default: {@code defaultThreads}, Kafka Streams'
         * {@code num.stream.threads}) and the {@code onnx.*} settings; intra-op threads default to
         * {@code cores} shared out over the stream threads of both lanes, so that explanations running
         * on every thread at once do not oversubscribe the machine.
         */
        static Compute from(Map<String, Object> v, int defaultThreads, int cores) {
            int flagged = Optional.ofNullable((Integer) v.get("explain.stream-threads.flagged")).orElse(defaultThreads);
            int sampled = Optional.ofNullable((Integer) v.get("explain.stream-threads.sampled")).orElse(defaultThreads);
            int intraOp = Optional.ofNullable((Integer) v.get("onnx.intra-op-threads"))
                    .orElse(Math.max(1, cores / (flagged + sampled)));
            return new Compute(flagged, sampled, new SessionSettings(intraOp,
                    SessionSettings.Optimization.of((String) v.get("onnx.optimization")),
                    SessionSettings.Provider.of((String) v.get("onnx.execution-provider"))));
        }
    }

    /** Limits on event inputs, checked before any pixel is decoded. */
    public record InputLimits(int maxImageBytes, long maxImagePixels) {
    }

    /**
     * How {@code run} starts and stops.
     *
     * @param startupTimeout how long start-up waits for the brokers before giving up with one error line
     * @param createTopics   create missing output topics at start-up instead of refusing to start
     * @param closeTimeout   how long each application may take to close on SIGTERM
     */
    public record Lifecycle(Duration startupTimeout, boolean createTopics, Duration closeTimeout) {
    }

    /**
     * How oversize dead letters and overlays are made to fit what the producer and topics accept.
     *
     * @param deadLetterMaxOriginalBytes original values above this are cut to their first bytes even when they would fit
     * @param overlayClaimCheckDir       where overlays too large for their topic are stored (absent: downscaled)
     */
    public record Outputs(Optional<Integer> deadLetterMaxOriginalBytes, Optional<Path> overlayClaimCheckDir) {
    }

    /**
     * The Kafka Streams properties of every application: the processor's settings, then every
     * {@code kafka.<name>} setting passed through as {@code <name>} (for example
     * {@code kafka.session.timeout.ms}).
     */
    public Properties streamsProperties() {
        Properties properties = streams.toProperties();
        properties.putAll(kafkaOverrides);
        return properties;
    }

    public static ProcessorConfig from(Settings s) {
        Map<String, Object> v = s.fixed();
        TopicNames topics = new TopicNames(
                (String) v.get("topics.inference-events"),
                (String) v.get("topics.saliency-summaries"),
                (String) v.get("topics.saliency-overlays"),
                (String) v.get("topics.explanation-audit"),
                (String) v.get("topics.dead-letters"));

        FlagRules flags = new FlagRules(
                (Boolean) v.get("flags.producer"),
                (Double) v.get("flags.low-confidence-below"),
                (Double) v.get("flags.small-margin-below"),
                (Boolean) v.get("flags.label-disagreement"),
                new LinkedHashSet<>(strings(v, "flags.watched-labels")),
                strings(v, "flags.watched-classes").stream().map(Integer::valueOf).collect(Collectors.toSet()));

        Map<String, Double> rates = new HashMap<>();
        s.withPrefix("sampling.rate.").forEach((model, rate) -> rates.put(model, Double.valueOf(rate)));
        Map<String, BudgetConfig> budgets = new HashMap<>();
        s.withPrefix("budget.model.").keySet().stream()
                .map(key -> key.substring(0, key.lastIndexOf('.')))
                .distinct()
                .forEach(model -> budgets.put(model, budget(
                        s.find("budget.model." + model + ".explanations-per-second").map(Double::valueOf),
                        s.find("budget.model." + model + ".burst").map(Double::valueOf),
                        s.find("budget.model." + model + ".reserved-for-flagged").map(Double::valueOf)
                                .orElse((Double) v.get("budget.reserved-for-flagged")))));
        SamplingConfig sampling = new SamplingConfig((Double) v.get("sampling.rate"), rates, flags,
                budget(Optional.ofNullable((Double) v.get("budget.explanations-per-second")),
                        Optional.ofNullable((Double) v.get("budget.burst")),
                        (Double) v.get("budget.reserved-for-flagged")), budgets);

        Duration worstCaseExplanation = Duration.ofMillis((Integer) v.get("explain.worst-case-ms"));
        TargetRules targets = targets(s, v);
        StreamsSettings streams = StreamsSettings
                .defaults((String) v.get("application.id"), s.require(SettingDefinitions.BOOTSTRAP_SERVERS))
                .withProcessingGuarantee((String) v.get("processing.guarantee"))
                .withReplicationFactor((Integer) v.get("replication.factor"))
                // a request is explained once per target of its event, all before the thread polls again
                .withClientSettings(s.kafka(),
                        worstCaseExplanation.multipliedBy(targets.most(RequestTopics.Lane.FLAGGED)));
        // Kafka Streams' default is under the OS's temp directory, which the OS may clean under it
        streams = streams.withStateDir(path(v, "state.dir")
                .orElse(Path.of(System.getProperty("user.home"), ".saliency-stream", "state")));
        return new ProcessorConfig(
                s.registry(),
                KeyFormat.parse(SettingDefinitions.KEYS_FORMAT, (String) v.get(SettingDefinitions.KEYS_FORMAT)),
                path(v, "catalog.path"),
                path(v, "model.dir"),
                path(v, "inputs.file-root"),
                topics,
                new RequestTopics((String) v.get("topics.explanation-requests-flagged"),
                        (String) v.get("topics.explanation-requests-sampled")),
                new Deadlines(millis(v, "explain.deadline-ms.flagged"), millis(v, "explain.deadline-ms.sampled")),
                Duration.ofMillis((Integer) v.get("explain.sampled-yield-max-ms")),
                worstCaseExplanation,
                Compute.from(v, streams.numStreamThreads(), Runtime.getRuntime().availableProcessors()),
                (Boolean) v.get("explain.warm-up"),
                sampling,
                streams,
                new InputLimits((Integer) v.get("limits.max-image-bytes"), (Long) v.get("limits.max-image-pixels")),
                (Integer) v.get("summary.grid-rows"),
                (Integer) v.get("summary.grid-cols"),
                (Boolean) v.get("drift.enabled"),
                drift(s, v, topics),
                methodsByReason(s),
                new LinkedHashSet<>(strings(v, "summary.faithfulness-for")),
                buckets(s, v),
                targets,
                new Lifecycle(Duration.ofMillis((Integer) v.get("startup.timeout-ms")),
                        (Boolean) v.get("topics.create"),
                        Duration.ofMillis((Integer) v.get("shutdown.timeout-ms"))),
                (Integer) v.get(SettingDefinitions.OPS_PORT),
                new Outputs(Optional.ofNullable((Integer) v.get("dead-letters.max-original-bytes")),
                        path(v, "overlays.claim-check-dir")),
                s.kafka());
    }

    /** {@code buckets.confidence-threshold}, and {@code buckets.confidence-threshold.<model>} for single models. */
    static InterpretationBuckets buckets(Settings s, Map<String, Object> v) {
        Map<String, Double> byModel = new HashMap<>();
        s.withPrefix(SettingDefinitions.BUCKET_THRESHOLD + ".").forEach((model, t) -> byModel.put(model, Double.valueOf(t)));
        return new InterpretationBuckets((Double) v.get(SettingDefinitions.BUCKET_THRESHOLD), byModel);
    }

    /**
     * {@code explain.method-for.<reason>=<method>} and {@code explain.method-for.<reason>.params=k=v;k=v}:
     * the method for events selected for a reason ({@code sampled}, {@code producer},
     * {@code low-confidence}, {@code small-margin}, {@code label-disagreement}, {@code watched-class}).
     */
    private static Map<String, ModelSpec.MethodSpec> methodsByReason(Settings s) {
        Map<String, ModelSpec.MethodSpec> out = new java.util.TreeMap<>();
        for (String reason : SettingDefinitions.REASONS) {
            String key = "explain.method-for." + reason;
            s.find(key).ifPresent(method -> out.put(reason, new ModelSpec.MethodSpec(method,
                    pairs(s.find(key + ".params").orElse("")), pairs(s.find(key + ".overlay").orElse("")))));
        }
        return out;
    }

    /** {@code explain.targets}, {@code explain.targets.<model>} and {@code explain.targets-for.<reason>}. */
    private static TargetRules targets(Settings s, Map<String, Object> v) {
        Map<String, Targets> byModel = new HashMap<>();
        s.withPrefix("explain.targets.").forEach((model, text) -> byModel.put(model, Targets.parse(text)));
        Map<String, Targets> byReason = new HashMap<>();
        s.withPrefix("explain.targets-for.").forEach((reason, text) -> byReason.put(reason, Targets.parse(text)));
        return new TargetRules(Targets.parse((String) v.get("explain.targets")), byModel, byReason);
    }

    /** Attention drift: windows over the summaries, references, distances, alert thresholds and regions. */
    private static DriftConfig drift(Settings s, Map<String, Object> v, TopicNames topics) {
        DriftConfig defaults = DriftConfig.defaults();
        DriftTopics driftTopics = new DriftTopics(topics.saliencySummaries(),
                (String) v.get("topics.attention-references"),
                (String) v.get("topics.attention-drift"),
                (String) v.get("topics.attention-alerts"));
        Duration window = SettingDefinitions.duration("drift.window", (String) v.get("drift.window"));
        Duration advance = v.get("drift.advance") == null ? window
                : SettingDefinitions.duration("drift.advance", (String) v.get("drift.advance"));
        Map<DriftMetric, Threshold> thresholds = new EnumMap<>(DriftMetric.class);
        s.withPrefix("drift.threshold.").forEach((metric, text) -> {
            List<Double> values = Arrays.stream(text.split(",")).map(String::trim).map(Double::valueOf).toList();
            thresholds.put(DriftMetric.ofLabel(metric), values.size() == 1
                    ? Threshold.of(values.get(0)) : new Threshold(values.get(0), values.get(1)));
        });
        AlertPolicy policy = new AlertPolicy(thresholds.isEmpty() ? defaults.alertPolicy().thresholds() : thresholds,
                (Integer) v.get("drift.open-after"), (Integer) v.get("drift.resolve-after"));
        RegionsOfInterest regions = RegionsOfInterest.none();
        for (Map.Entry<String, String> entry : s.withPrefix(REGIONS_PREFIX).entrySet()) {
            List<RegionOfInterest> boxes = regions(REGIONS_PREFIX + entry.getKey(), entry.getValue());
            Matcher forClass = CLASS_SUFFIX.matcher(entry.getKey());
            regions = forClass.matches()
                    ? regions.withClass(forClass.group(1), Integer.parseInt(forClass.group(2)), boxes)
                    : regions.withModel(entry.getKey(), boxes);
        }
        return defaults.withTopics(driftTopics)
                .withWindows(window, advance, SettingDefinitions.duration("drift.grace", (String) v.get("drift.grace")))
                .withMinCount((Integer) v.get("drift.min-count"))
                .withLearnWindows((Integer) v.get("drift.learn-windows"))
                .withAlertPolicy(policy)
                .withRegions(regions)
                .withSamplingBoost((Double) v.get("drift.sampling-boost"))
                .withAllTargets((Boolean) v.get("drift.all-targets"));
    }

    private static final String REGIONS_PREFIX = "drift.regions.";
    /** {@code drift.regions.<model>.<class>}: a key ending in a class index is that class's. */
    private static final Pattern CLASS_SUFFIX = Pattern.compile("(.+)\\.(\\d{1,9})");

    /**
     * Refuses regions of interest for a model the catalog does not have, or for a class index
     * outside the model's labels: they could never apply, and roi-mass-change would never fire.
     */
    public void checkRegions(Collection<ModelSpec> models) {
        RegionsOfInterest regions = drift.regions();
        Map<String, Integer> classes = new TreeMap<>();
        models.forEach(m -> classes.merge(m.name(), m.labels().size(), Math::max));
        for (String model : regions.models()) {
            if (!classes.containsKey(model)) {
                throw new ConfigException(REGIONS_PREFIX + model + " names model '" + model
                        + "', which the catalog does not have; its models: " + classes.keySet()
                        + " (a key ending in .<digits> names a class of the model before it)");
            }
            for (int cls : regions.classes(model)) {
                if (cls >= classes.get(model)) {
                    throw new ConfigException(REGIONS_PREFIX + model + "." + cls + " names class " + cls + " of '"
                            + model + "', which has " + classes.get(model) + " classes (0 to "
                            + (classes.get(model) - 1) + ")");
                }
            }
        }
    }

    /** {@code name=left,top,right,bottom;name=...}: named boxes in [0, 1] image coordinates. */
    static List<RegionOfInterest> regions(String key, String text) {
        List<RegionOfInterest> out = new java.util.ArrayList<>();
        for (Map.Entry<String, String> region : pairs(text).entrySet()) {
            String[] edges = region.getValue().split(",");
            if (edges.length != 4) {
                throw new IllegalArgumentException("region " + region.getKey() + " needs left,top,right,bottom");
            }
            double[] e = new double[4];
            for (int i = 0; i < 4; i++) {
                try {
                    e[i] = Double.parseDouble(edges[i].trim());
                } catch (NumberFormatException notANumber) {
                    throw new IllegalArgumentException("region " + region.getKey() + ": '" + edges[i]
                            + "' is not a number");
                }
            }
            out.add(new RegionOfInterest(region.getKey(), e[0], e[1], e[2], e[3]));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(key + " names no region");
        }
        return out;
    }

    /** Selection reasons as settings name them: without the {@code flag:} prefix. */
    public static final Set<String> REASONS = SettingDefinitions.REASONS;

    /** A value of the form {@code k=v;k=v} (checked by its definition). */
    private static Map<String, String> pairs(String text) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String pair : text.split(";")) {
            if (!pair.isBlank()) {
                int eq = pair.indexOf('=');
                out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return out;
    }

    /** A budget from its rate, burst and reserved share; unlimited if no rate. */
    private static BudgetConfig budget(Optional<Double> rate, Optional<Double> burst, double reservedForFlagged) {
        if (rate.isEmpty()) {
            return BudgetConfig.unlimited();
        }
        return new BudgetConfig(rate.get(), burst.orElse(Math.max(1, 2 * rate.get())), reservedForFlagged);
    }

    private static Optional<Duration> millis(Map<String, Object> v, String key) {
        return Optional.ofNullable((Integer) v.get(key)).map(Duration::ofMillis);
    }

    private static Optional<Path> path(Map<String, Object> v, String key) {
        return Optional.ofNullable((String) v.get(key)).filter(p -> !p.isBlank()).map(Path::of);
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Map<String, Object> v, String key) {
        return ((List<String>) v.get(key)).stream().map(String::trim).filter(x -> !x.isEmpty()).toList();
    }
}
