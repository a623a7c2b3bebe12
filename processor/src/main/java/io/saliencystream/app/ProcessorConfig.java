package io.saliencystream.app;

import io.saliencystream.drift.AlertPolicy;
import io.saliencystream.drift.DriftMetric;
import io.saliencystream.drift.Threshold;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.stream.BudgetConfig;
import io.saliencystream.stream.FlagRules;
import io.saliencystream.stream.SamplingConfig;
import io.saliencystream.stream.Selection;
import io.saliencystream.stream.StreamsSettings;
import io.saliencystream.stream.TopicNames;
import io.saliencystream.stream.drift.DriftConfig;
import io.saliencystream.stream.drift.DriftTopics;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The processor's configuration, read from {@link Settings}. Every key, its default and its
 * meaning is listed in the README's configuration table; keep the two in step.
 */
public record ProcessorConfig(
        String schemaRegistryUrl,
        Optional<Path> catalogPath,
        Optional<Path> modelDir,
        Optional<Path> inputFileRoot,
        TopicNames topics,
        SamplingConfig sampling,
        StreamsSettings streams,
        InputLimits limits,
        int gridRows,
        int gridCols,
        boolean driftEnabled,
        DriftConfig drift,
        Map<String, ModelSpec.MethodSpec> methodsByReason,
        Set<String> faithfulnessReasons,
        Lifecycle lifecycle,
        Map<String, String> kafkaOverrides) {

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
     * The Kafka Streams properties of both applications: the processor's settings, then every
     * {@code kafka.<name>} setting passed through as {@code <name>} (for example
     * {@code kafka.session.timeout.ms}).
     */
    public Properties streamsProperties() {
        Properties properties = streams.toProperties();
        properties.putAll(kafkaOverrides);
        return properties;
    }

    public static ProcessorConfig from(Settings s) {
        TopicNames defaults = TopicNames.defaults();
        TopicNames topics = new TopicNames(
                s.get("topics.inference-events", defaults.inferenceEvents()),
                s.get("topics.saliency-summaries", defaults.saliencySummaries()),
                s.get("topics.saliency-overlays", defaults.saliencyOverlays()),
                s.get("topics.explanation-audit", defaults.explanationAudit()),
                s.get("topics.dead-letters", defaults.deadLetters()));

        FlagRules flags = new FlagRules(
                Boolean.parseBoolean(s.get("flags.producer", "true")),
                s.findDouble("flags.low-confidence-below").orElse(null),
                s.findDouble("flags.small-margin-below").orElse(null),
                Boolean.parseBoolean(s.get("flags.label-disagreement", "true")),
                list(s.get("flags.watched-labels", "")),
                list(s.get("flags.watched-classes", "")).stream().map(Integer::valueOf).collect(Collectors.toSet()));

        Map<String, Double> rates = new HashMap<>();
        s.withPrefix("sampling.rate.").keySet().forEach(model -> rates.put(model, s.getDouble("sampling.rate." + model, 0)));
        Map<String, BudgetConfig> budgets = new HashMap<>();
        s.withPrefix("budget.model.").keySet().stream()
                .map(key -> key.substring(0, key.lastIndexOf('.')))
                .distinct()
                .forEach(model -> budgets.put(model, budget(s, "budget.model." + model + ".")));
        SamplingConfig sampling = new SamplingConfig(
                s.getDouble("sampling.rate", 0.01), rates, flags, budget(s, "budget."), budgets);

        StreamsSettings streams = StreamsSettings
                .defaults(s.get("application.id", "saliency-stream"), s.require("bootstrap.servers"))
                .withProcessingGuarantee(s.get("processing.guarantee", "exactly_once_v2"))
                .withReplicationFactor(s.getInt("replication.factor", -1))
                .withWorstCaseExplain(Duration.ofMillis(s.getInt("explain.worst-case-ms", 5000)));
        if (s.find("state.dir").isPresent()) {
            streams = streams.withStateDir(Path.of(s.require("state.dir")));
        }
        return new ProcessorConfig(
                s.require("schema.registry.url"),
                s.find("catalog.path").map(Path::of),
                s.find("model.dir").map(Path::of),
                s.find("inputs.file-root").map(Path::of),
                topics,
                sampling,
                streams,
                new InputLimits(s.getInt("limits.max-image-bytes", 20 * 1024 * 1024),
                        (long) s.getDouble("limits.max-image-pixels", 16 * 1024 * 1024)),
                s.getInt("summary.grid-rows", 8),
                s.getInt("summary.grid-cols", 8),
                Boolean.parseBoolean(s.get("drift.enabled", "true")),
                drift(s, topics),
                methodsByReason(s),
                knownReasons("summary.faithfulness-for", list(s.get("summary.faithfulness-for", ""))),
                new Lifecycle(Duration.ofMillis(s.getInt("startup.timeout-ms", 30_000)),
                        bool(s, "topics.create", false),
                        Duration.ofMillis(s.getInt("shutdown.timeout-ms", 30_000))),
                s.withPrefix("kafka."));
    }

    /**
     * {@code explain.method-for.<reason>=<method>} and {@code explain.method-for.<reason>.params=k=v;k=v}:
     * the method for events selected for a reason ({@code sampled}, {@code producer},
     * {@code low-confidence}, {@code small-margin}, {@code label-disagreement}, {@code watched-class}).
     */
    private static Map<String, ModelSpec.MethodSpec> methodsByReason(Settings s) {
        Map<String, ModelSpec.MethodSpec> out = new java.util.TreeMap<>();
        for (String key : s.withPrefix("explain.method-for.").keySet()) {
            if (key.endsWith(".params") || key.endsWith(".overlay")) {
                continue;
            }
            Map<String, String> params = pairs(s, "explain.method-for." + key + ".params");
            knownReasons("explain.method-for." + key, Set.of(key));
            out.put(key, new ModelSpec.MethodSpec(s.require("explain.method-for." + key), params,
                    pairs(s, "explain.method-for." + key + ".overlay")));
        }
        return out;
    }

    /** Attention drift: windows over the summaries, references, distances and alert thresholds. */
    private static DriftConfig drift(Settings s, TopicNames topics) {
        DriftConfig defaults = DriftConfig.defaults();
        DriftTopics driftTopics = new DriftTopics(topics.saliencySummaries(),
                s.get("topics.attention-references", defaults.topics().references()),
                s.get("topics.attention-drift", defaults.topics().metrics()),
                s.get("topics.attention-alerts", defaults.topics().alerts()));
        Duration window = duration(s, "drift.window", defaults.windowSize());
        Map<DriftMetric, Threshold> thresholds = new EnumMap<>(DriftMetric.class);
        s.withPrefix("drift.threshold.").keySet().forEach(metric -> {
            List<Double> values = list(s.get("drift.threshold." + metric, "")).stream().map(Double::valueOf).toList();
            thresholds.put(DriftMetric.ofLabel(metric), values.size() == 1
                    ? Threshold.of(values.get(0)) : new Threshold(values.get(0), values.get(1)));
        });
        AlertPolicy policy = new AlertPolicy(thresholds.isEmpty() ? defaults.alertPolicy().thresholds() : thresholds,
                s.getInt("drift.open-after", defaults.alertPolicy().openAfter()),
                s.getInt("drift.resolve-after", defaults.alertPolicy().resolveAfter()));
        return defaults.withTopics(driftTopics)
                .withWindows(window, duration(s, "drift.advance", window), duration(s, "drift.grace", defaults.grace()))
                .withMinCount(s.getInt("drift.min-count", defaults.minCount()))
                .withLearnWindows(s.getInt("drift.learn-windows", defaults.learnWindows()))
                .withAlertPolicy(policy)
                .withSamplingBoost(s.getDouble("drift.sampling-boost", defaults.samplingBoost()));
    }

    /** Selection reasons as settings name them: without the {@code flag:} prefix. */
    public static final Set<String> REASONS = java.util.stream.Stream.of(Selection.SAMPLED, Selection.FLAG_PRODUCER,
                    Selection.FLAG_LOW_CONFIDENCE, Selection.FLAG_SMALL_MARGIN, Selection.FLAG_LABEL_DISAGREEMENT,
                    Selection.FLAG_WATCHED_CLASS)
            .map(reason -> reason.replaceFirst("^flag:", ""))
            .collect(Collectors.toUnmodifiableSet());

    /** {@code reasons}, refused when one is misspelt: a typo would otherwise silently do nothing. */
    private static Set<String> knownReasons(String key, Set<String> reasons) {
        for (String reason : reasons) {
            if (!REASONS.contains(reason)) {
                throw new IllegalArgumentException("Setting '" + key + "' names selection reason '" + reason
                        + "'; known reasons: " + new java.util.TreeSet<>(REASONS));
            }
        }
        return reasons;
    }

    /** A setting of the form {@code k=v;k=v}, empty when absent. */
    private static Map<String, String> pairs(Settings s, String key) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String pair : s.get(key, "").split(";")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("Setting '" + key + "' must be k=v pairs separated by ';', got '"
                        + pair + "'");
            }
            out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return out;
    }

    private static Duration duration(Settings s, String key, Duration defaultValue) {
        return s.find(key).map(v -> {
            try {
                return Duration.parse(v);
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("Setting '" + key + "' must be an ISO-8601 duration such as PT1M,"
                        + " got '" + v + "'", e);
            }
        }).orElse(defaultValue);
    }

    /** A budget from {@code prefix}explanations-per-second, burst and reserved-for-flagged; unlimited if no rate. */
    private static BudgetConfig budget(Settings s, String prefix) {
        Optional<Double> rate = s.findDouble(prefix + "explanations-per-second");
        if (rate.isEmpty()) {
            return BudgetConfig.unlimited();
        }
        double perSecond = rate.get();
        return new BudgetConfig(perSecond,
                s.getDouble(prefix + "burst", Math.max(1, 2 * perSecond)),
                s.getDouble(prefix + "reserved-for-flagged", 0.5));
    }

    private static boolean bool(Settings s, String key, boolean defaultValue) {
        String value = s.get(key, Boolean.toString(defaultValue));
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException("Setting '" + key + "' must be true or false, got '" + value + "'");
        }
        return Boolean.parseBoolean(value);
    }

    private static Set<String> list(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(","))
                .map(String::trim)
                .filter(v -> !v.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
