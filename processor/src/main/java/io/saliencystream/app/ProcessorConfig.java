package io.saliencystream.app;

import io.saliencystream.stream.BudgetConfig;
import io.saliencystream.stream.FlagRules;
import io.saliencystream.stream.SamplingConfig;
import io.saliencystream.stream.StreamsSettings;
import io.saliencystream.stream.TopicNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
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
        int gridCols) {

    /** Limits on event inputs, checked before any pixel is decoded. */
    public record InputLimits(int maxImageBytes, long maxImagePixels) {
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
                s.getInt("summary.grid-cols", 8));
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

    private static Set<String> list(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(","))
                .map(String::trim)
                .filter(v -> !v.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
