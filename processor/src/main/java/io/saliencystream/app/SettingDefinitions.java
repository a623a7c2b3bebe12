package io.saliencystream.app;

import io.saliencystream.drift.DriftMetric;
import io.saliencystream.quality.InterpretationBuckets;
import io.saliencystream.registry.RegistrySettings;
import io.saliencystream.stream.Selection;
import io.saliencystream.stream.Targets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;

/**
 * Every setting of {@code run}, {@code verify} and {@code fetch-models}, defined once: the fixed
 * keys in {@link #FIXED} (Kafka's {@link ConfigDef}: name, type, default, validator, documentation),
 * the keys with a per-model or per-reason part in {@link #FAMILIES}, and Kafka client settings
 * passed through under {@code kafka.} ({@link KafkaPassThrough}). The README's settings table is
 * {@link #markdownTable()}; a test keeps the two equal.
 */
public final class SettingDefinitions {

    private SettingDefinitions() {
    }

    /** Selection reasons as settings name them: without the {@code flag:} prefix. */
    public static final Set<String> REASONS = Stream.of(Selection.SAMPLED, Selection.FLAG_PRODUCER,
                    Selection.FLAG_LOW_CONFIDENCE, Selection.FLAG_SMALL_MARGIN, Selection.FLAG_LABEL_DISAGREEMENT,
                    Selection.FLAG_WATCHED_CLASS)
            .map(reason -> reason.replaceFirst("^flag:", ""))
            .collect(Collectors.toCollection(TreeSet::new));

    static final Set<String> METRICS = Arrays.stream(DriftMetric.values()).map(DriftMetric::label)
            .collect(Collectors.toCollection(TreeSet::new));

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String KEYS_FORMAT = "keys.format";
    public static final String OPS_PORT = "ops.port";
    public static final String BUCKET_THRESHOLD = "buckets.confidence-threshold";

    /** The value must be one of {@code allowed} (a typo would otherwise silently do nothing). */
    static final ConfigDef.Validator KNOWN_REASONS = (name, value) -> {
        for (Object reason : value == null ? List.of() : (List<?>) value) {
            if (!REASONS.contains(reason.toString())) {
                throw new ConfigException(name, value, "names selection reason '" + reason + "'; allowed: " + REASONS);
            }
        }
    };

    static final ConfigDef.Validator DURATION = (name, value) -> {
        if (value != null) {
            duration(name, value.toString());
        }
    };

    static final ConfigDef.Validator INTEGERS = (name, value) -> {
        for (Object item : value == null ? List.of() : (List<?>) value) {
            try {
                Integer.parseInt(item.toString());
            } catch (NumberFormatException e) {
                throw new ConfigException(name, value, "allowed: comma-separated class indices (integers)");
            }
        }
    };

    /** The value must parse as {@link Targets}; the message names the valid forms. */
    static final ConfigDef.Validator TARGETS = (name, value) -> {
        try {
            Targets.parse(value == null ? null : value.toString());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, value, e.getMessage());
        }
    };

    public static Duration duration(String name, String value) {
        try {
            return Duration.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw new ConfigException(name, value, "allowed: an ISO-8601 duration such as PT1M or PT10S");
        }
    }

    /** {@code inner}, but also accepting null (no value: the feature is off). */
    static ConfigDef.Validator optional(ConfigDef.Validator inner) {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value != null) {
                    inner.ensureValid(name, value);
                }
            }

            @Override
            public String toString() {
                return inner.toString();
            }
        };
    }

    private static final Range SHARE = Range.between(0.0, 1.0);

    private static final ConfigDef.Validator POSITIVE = new ConfigDef.Validator() {
        @Override
        public void ensureValid(String name, Object value) {
            if (!(((Number) value).doubleValue() > 0)) {
                throw new ConfigException(name, value, "Value must be above 0");
            }
        }

        @Override
        public String toString() {
            return "[above 0]";
        }
    };

    /** The fixed keys: the registry client's (Confluent's names) and the processor's own. */
    public static final ConfigDef FIXED = new ConfigDef(RegistrySettings.DEFINITION)
            .define(BOOTSTRAP_SERVERS, Type.STRING, null, Importance.HIGH, "Kafka brokers. Required by `run`.")
            .define("application.id", Type.STRING, "saliency-stream", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "prefix of the Kafka Streams application ids (consumer groups, internal topics, transactional"
                            + " ids): `<application.id>-select`, `-explain-flagged`, `-explain-sampled`, `-drift`")
            .define("catalog.path", Type.STRING, null, Importance.HIGH, "model catalog JSON (default: the built-in "
                    + "catalog; see below)")
            .define("model.dir", Type.STRING, null, Importance.MEDIUM, "where model files are fetched to and read "
                    + "from (default: `~/.cache/saliency-stream/models`)")
            .define("topics.inference-events", Type.STRING, "inference-events", new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "input topic")
            .define("topics.saliency-summaries", Type.STRING, "saliency-summaries", new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "output topic")
            .define("topics.saliency-overlays", Type.STRING, "saliency-overlays", new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "output topic")
            .define("topics.explanation-audit", Type.STRING, "explanation-audit", new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "output topic (compacted)")
            .define("topics.dead-letters", Type.STRING, "dead-letters", new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "output topic")
            .define("topics.explanation-requests-flagged", Type.STRING, "explanation-requests-flagged",
                    new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "flagged events' explanation requests, from the selection to the explanation stage")
            .define("topics.explanation-requests-sampled", Type.STRING, "explanation-requests-sampled",
                    new ConfigDef.NonEmptyString(), Importance.MEDIUM, "sampled events' explanation requests")
            .define("topics.attention-drift", Type.STRING, "attention-drift", new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "drift output topic")
            .define("topics.attention-alerts", Type.STRING, "attention-alerts", new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "drift output topic")
            .define("topics.attention-references", Type.STRING, "attention-references",
                    new ConfigDef.NonEmptyString(), Importance.MEDIUM, "pinned and learned drift references (compacted)")
            .define(KEYS_FORMAT, Type.STRING, "string", ValidString.in("string", "avro"), Importance.MEDIUM,
                    "record keys (event ids, drift series) on every topic: `string` (plain UTF-8, Kafka's "
                            + "`StringDeserializer`) or `avro` (an Avro string in the Confluent wire format, subject "
                            + "by `key.subject.name.strategy`, for Confluent's `AvroDeserializer`)")
            .define("sampling.rate", Type.DOUBLE, 0.01, SHARE, Importance.HIGH, "share of unflagged events "
                    + "explained, per model; decided by a hash of the event id, so replays select the same events")
            .define("flags.producer", Type.BOOLEAN, true, Importance.MEDIUM,
                    "explain every event whose producer set a flag")
            .define("flags.low-confidence-below", Type.DOUBLE, null, optional(SHARE), Importance.MEDIUM,
                    "explain events whose top-1 score is below this (default: off)")
            .define("flags.small-margin-below", Type.DOUBLE, null, optional(SHARE), Importance.MEDIUM,
                    "explain events whose top-1 minus top-2 score is below this (default: off)")
            .define("flags.label-disagreement", Type.BOOLEAN, true, Importance.MEDIUM,
                    "explain events whose ground-truth label differs from the top-1 label")
            .define("flags.watched-labels", Type.LIST, "", Importance.MEDIUM,
                    "comma-separated labels whose top-1 events are always explained")
            .define("flags.watched-classes", Type.LIST, "", INTEGERS, Importance.MEDIUM,
                    "comma-separated class indices whose top-1 events are always explained")
            .define("budget.explanations-per-second", Type.DOUBLE, null, optional(POSITIVE),
                    Importance.MEDIUM, "compute budget per model and instance (token bucket; default: unlimited)")
            .define("budget.burst", Type.DOUBLE, null, optional(Range.atLeast(1.0)), Importance.LOW,
                    "bucket size (default: 2 × rate)")
            .define("budget.reserved-for-flagged", Type.DOUBLE, 0.5, SHARE, Importance.LOW,
                    "share of the bucket only flagged events may spend, so sampled traffic cannot starve them")
            .define("explain.worst-case-ms", Type.INT, 5000, Range.atLeast(1), Importance.MEDIUM,
                    "longest one explanation (one target) may take; times the most targets an event may get,"
                            + " it sizes each explanation lane's `max.poll.records` (see below)")
            .define("explain.targets", Type.STRING, "predicted", TARGETS, Importance.MEDIUM,
                    "classes each explained event gets a summary, overlay and audit record for: `predicted`, "
                            + "`label` (the event's ground truth), `top-k:N`, class indices, joined by `+` "
                            + "(see [Targets](#targets-several-classes-per-event)); each target is a whole "
                            + "explanation, and the poll sizing counts `explain.worst-case-ms` once for each")
            .define("explain.deadline-ms.flagged", Type.INT, null, optional(Range.atLeast(1)), Importance.MEDIUM,
                    "a flagged event older than this when its explanation would start is skipped and counted"
                            + " (`skipped-deadline`) instead of explained late (default: none)")
            .define("explain.deadline-ms.sampled", Type.INT, null, optional(Range.atLeast(1)), Importance.MEDIUM,
                    "the same for sampled events (default: none)")
            .define("explain.warm-up", Type.BOOLEAN, true, Importance.LOW,
                    "before the explanation lanes start, run each model's methods once on a blank input, so the"
                            + " first requests do not wait for what a method builds on first use (a gradient"
                            + " method's backward graph and session: seconds)")
            .define("explain.sampled-yield-max-ms", Type.INT, 2000, Range.atLeast(0), Importance.MEDIUM,
                    "longest a sampled explanation waits while a flagged one runs in the same process, so flagged"
                            + " explanations get the cores (0: the lanes share them evenly); counts towards the"
                            + " sampled lane's `max.poll.records` sizing")
            .define("explain.stream-threads.flagged", Type.INT, null, optional(Range.atLeast(1)), Importance.MEDIUM,
                    "stream threads of the flagged explanation lane (default: `kafka.num.stream.threads`, else 1);"
                            + " see [Scaling](#scaling)")
            .define("explain.stream-threads.sampled", Type.INT, null, optional(Range.atLeast(1)), Importance.MEDIUM,
                    "stream threads of the sampled explanation lane (default: `kafka.num.stream.threads`, else 1)")
            .define("onnx.intra-op-threads", Type.INT, null, optional(Range.atLeast(1)), Importance.MEDIUM,
                    "ONNX Runtime threads one model call may use, for models without their own in the catalog"
                            + " (default: available cores / explanation stream threads of both lanes, at least 1)")
            .define("onnx.optimization", Type.STRING, "all", ValidString.in("disable-all", "basic", "extended", "all"),
                    Importance.LOW, "ONNX Runtime's graph optimisation level, for models without their own in the"
                            + " catalog")
            .define("onnx.execution-provider", Type.STRING, "cpu", ValidString.in("cpu", "cuda"), Importance.MEDIUM,
                    "where models without their own in the catalog run: `cpu`, or `cuda` with a jar built with"
                            + " `mvn -Pcuda package` on a machine with an NVIDIA GPU (untested here; without it"
                            + " `run` refuses to start)")
            .define("processing.guarantee", Type.STRING, "exactly_once_v2",
                    ValidString.in("exactly_once_v2", "at_least_once"), Importance.MEDIUM, "Kafka Streams guarantee")
            .define("replication.factor", Type.INT, -1, Importance.MEDIUM,
                    "of internal topics (-1: the broker's default)")
            .define("state.dir", Type.STRING, null, Importance.LOW,
                    "state directory (default: `~/.saliency-stream/state`, not under the OS's temp directory)")
            .define("inputs.file-root", Type.STRING, null, Importance.MEDIUM,
                    "folder `file:` claim-check URIs may point into (default: none, claim checks refused)")
            .define("limits.max-image-bytes", Type.INT, 1_000_000, Range.atLeast(1), Importance.MEDIUM,
                    "larger encoded images are dead-lettered (the default is what fits an event on a topic with"
                            + " Kafka's default 1 MiB limit; raise it with the input topic's `max.message.bytes`)")
            .define("limits.max-image-pixels", Type.LONG, 16L * 1024 * 1024, Range.atLeast(1), Importance.MEDIUM,
                    "checked from the image header before any pixel is decoded (decompression bombs)")
            .define("summary.grid-rows", Type.INT, 8, Range.atLeast(1), Importance.LOW,
                    "rows of the coarse grid of attribution mass in summaries")
            .define("summary.grid-cols", Type.INT, 8, Range.atLeast(1), Importance.LOW, "its columns")
            .define("summary.faithfulness-for", Type.LIST, "", KNOWN_REASONS, Importance.LOW,
                    "selection reasons (e.g. `low-confidence,label-disagreement`, or `sampled`) whose summaries also "
                            + "get deletion and insertion AUCs; costs 34 more model evaluations per such event")
            .define(BUCKET_THRESHOLD, Type.DOUBLE, InterpretationBuckets.DEFAULT_THRESHOLD, SHARE, Importance.LOW,
                    "top-1 probability from which an event with a ground-truth label counts as high confidence in its "
                            + "interpretation bucket (below: low confidence); 0.6 is the lowest high-confidence cut of "
                            + "OpenVINO XAI's map-interpretation notebook")
            .define("startup.timeout-ms", Type.INT, 30_000, Range.atLeast(1), Importance.MEDIUM,
                    "how long `run` waits for the brokers at start-up before giving up with one error line")
            .define("topics.create", Type.BOOLEAN, false, Importance.MEDIUM,
                    "create missing output and explanation-request topics at start-up instead of refusing to start")
            .define("shutdown.timeout-ms", Type.INT, 30_000, Range.atLeast(1), Importance.LOW,
                    "how long each application may take to close on SIGTERM")
            .define("dead-letters.max-original-bytes", Type.INT, null, optional(Range.atLeast(1)), Importance.LOW,
                    "original values above this are cut to their first 1 KiB plus size and SHA-256 even when they"
                            + " would fit (default: only what the producer and the dead-letter topic do not accept)")
            .define("overlays.claim-check-dir", Type.STRING, null, Importance.LOW,
                    "folder where overlays too large for their topic are stored, the record carrying only `pngUri`,"
                            + " `pngSize` and `pngSha256` (default: none, such overlays are downscaled)")
            .define("drift.enabled", Type.BOOLEAN, true, Importance.MEDIUM,
                    "run the attention-drift application (application id `<application.id>-drift`) with the"
                            + " selection stage")
            .define("drift.window", Type.STRING, "PT1M", DURATION, Importance.MEDIUM, "window of event time")
            .define("drift.advance", Type.STRING, null, optional(DURATION), Importance.LOW,
                    "hop between windows (default: the window, tumbling)")
            .define("drift.grace", Type.STRING, "PT10S", DURATION, Importance.LOW,
                    "how late a summary may arrive and still count")
            .define("drift.min-count", Type.INT, 5, Range.atLeast(1), Importance.LOW,
                    "summaries a window needs before it is learned from or alerted on")
            .define("drift.learn-windows", Type.INT, 3, Range.atLeast(1), Importance.LOW,
                    "windows averaged into the learned reference (a pinned reference replaces it)")
            .define("drift.open-after", Type.INT, 2, Range.atLeast(1), Importance.LOW,
                    "consecutive windows above the threshold before an alert opens")
            .define("drift.resolve-after", Type.INT, 2, Range.atLeast(1), Importance.LOW,
                    "consecutive windows below it before the alert resolves")
            .define("drift.all-targets", Type.BOOLEAN, false, Importance.LOW,
                    "also window the summaries of targets other than the predicted class (label, top-k ranks, "
                            + "listed classes), each in the series of the class it explains")
            .define("drift.sampling-boost", Type.DOUBLE, 5.0, Range.atLeast(1.0), Importance.LOW,
                    "while a model has an open alert, its sampling rate is multiplied by this (at most 1)")
            .define(OPS_PORT, Type.INT, 8080, Range.between(-1, 65535), Importance.MEDIUM,
                    "port of `run`'s `/health/live`, `/health/ready` and `/metrics` (0: any free port, -1: off)");

    /**
     * Keys with a per-model or per-reason part: {@code prefix + name + tail}. {@code names} lists
     * the allowed names where they are a closed set (reasons, metrics), empty for model names.
     */
    public record Family(String prefix, String placeholder, List<String> tails, Set<String> names, Type type,
                         ConfigDef.Validator validator, String documentation) {

        /** The name and tail of {@code key}, if it belongs to this family (the longest tail wins). */
        Optional<String[]> match(String key) {
            if (!key.startsWith(prefix)) {
                return Optional.empty();
            }
            String rest = key.substring(prefix.length());
            return tails.stream().sorted((a, b) -> b.length() - a.length())
                    .filter(tail -> rest.endsWith(tail) && rest.length() > tail.length())
                    .map(tail -> new String[] {rest.substring(0, rest.length() - tail.length()), tail})
                    .findFirst();
        }

        /** Checks the name part and the value of {@code key}; throws naming key, value and what is allowed. */
        void validate(String key, String name, String value) {
            if (!names.isEmpty() && !names.contains(name)) {
                throw new ConfigException(key, value, "'" + name + "' is not one of " + names);
            }
            Object parsed = ConfigDef.parseType(key, value, type);
            if (validator != null) {
                validator.ensureValid(key, parsed);
            }
        }
    }

    private static final ConfigDef.Validator PAIRS = (name, value) -> {
        for (String pair : value.toString().split(";")) {
            if (!pair.isBlank() && pair.indexOf('=') < 1) {
                throw new ConfigException(name, value, "allowed: k=v pairs separated by ';'");
            }
        }
    };

    private static final ConfigDef.Validator THRESHOLD = (name, value) -> {
        List<?> values = (List<?>) value;
        if (values.isEmpty() || values.size() > 2) {
            throw new ConfigException(name, value, "allowed: open[,resolve], one or two numbers");
        }
        for (Object v : values) {
            try {
                Double.parseDouble(v.toString());
            } catch (NumberFormatException e) {
                throw new ConfigException(name, value, "allowed: open[,resolve], one or two numbers");
            }
        }
    };

    private static final ConfigDef.Validator REGIONS = (name, value) -> {
        try {
            ProcessorConfig.regions(name, value.toString());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, value, e.getMessage());
        }
    };

    public static final List<Family> FAMILIES = List.of(
            new Family("sampling.rate.", "<model>", List.of(""), Set.of(), Type.DOUBLE, SHARE,
                    "rate for one model name (default: `sampling.rate`)"),
            new Family("budget.model.", "<model>",
                    List.of(".explanations-per-second", ".burst", ".reserved-for-flagged"), Set.of(), Type.DOUBLE,
                    Range.atLeast(0.0), "budget of one model (default: the `budget.` settings)"),
            new Family("explain.method-for.", "<reason>", List.of(""), REASONS, Type.STRING,
                    new ConfigDef.NonEmptyString(), "method for events selected for a reason: " + REASONS
                    + " (a flag's method wins over `sampled`'s; default: the catalog's method)"),
            new Family("explain.method-for.", "<reason>", List.of(".params"), REASONS, Type.STRING, PAIRS,
                    "its parameters, `k=v;k=v` (for example `steps=64;baseline=black`)"),
            new Family("explain.method-for.", "<reason>", List.of(".overlay"), REASONS, Type.STRING, PAIRS,
                    "overlay options of its maps, `k=v;k=v` with the keys of `explain --overlay` (`type`, `polarity`, "
                            + "`clip_above_percentile`, `clip_below_percentile`, `color_map`, `overlay_type`, "
                            + "`space` (`original` or `model`), `max_side`, ...)"),
            new Family(BUCKET_THRESHOLD + ".", "<model>", List.of(""), Set.of(), Type.DOUBLE, SHARE,
                    "confidence threshold of one model name (default: `" + BUCKET_THRESHOLD + "`)"),
            new Family("explain.targets.", "<model>", List.of(""), Set.of(), Type.STRING, TARGETS,
                    "targets of one model name (default: `explain.targets`)"),
            new Family("explain.targets-for.", "<reason>", List.of(""), REASONS, Type.STRING, TARGETS,
                    "targets of events selected for a reason: " + REASONS + " (a flag's wins over `sampled`'s and "
                            + "the model's; default: `predicted+label` for `label-disagreement`, else the model's)"),
            new Family("drift.threshold.", "<metric>", List.of(""), METRICS, Type.LIST, THRESHOLD,
                    "`open[,resolve]` threshold of " + METRICS + "; setting any replaces the default "
                            + "(`jensen-shannon` = `0.1`)"),
            new Family("drift.regions.", "<model>", List.of(""), Set.of(), Type.STRING, REGIONS,
                    "regions of interest of a model, `name=left,top,right,bottom;...` in [0, 1] image coordinates; "
                            + "`roi-mass-change` measures the change of attention inside them"),
            new Family("drift.regions.", "<model>.<class>", List.of(""), Set.of(), Type.STRING, REGIONS,
                    "regions of interest of one class of a model (its index in the catalog's labels), as "
                            + "`drift.regions.<model>`, in place of the model's for that class; checked against the "
                            + "catalog at start-up"));

    /**
     * The family of {@code key}, with its name part, if any: the longest tail whose name is allowed,
     * else (for the error message) the longest tail at all.
     */
    static Optional<Object[]> family(String key) {
        Object[] fallback = null;
        Object[] best = null;
        int bestTail = -1;
        for (Family family : FAMILIES) {
            Optional<String[]> parts = family.match(key);
            if (parts.isEmpty()) {
                continue;
            }
            Object[] candidate = {family, parts.get()[0]};
            int tail = parts.get()[1].length();
            boolean allowed = family.names().isEmpty() || family.names().contains(parts.get()[0]);
            if (allowed && tail > bestTail) {
                best = candidate;
                bestTail = tail;
            }
            if (fallback == null) {
                fallback = candidate;
            }
        }
        return Optional.ofNullable(best != null ? best : fallback);
    }

    /** Whether a value of {@code key} is a secret (never logged, shown as {@code [hidden]}). */
    public static boolean isSecret(String key) {
        ConfigDef.ConfigKey fixed = FIXED.configKeys().get(key);
        if (fixed != null) {
            return fixed.type == Type.PASSWORD;
        }
        return key.startsWith(KafkaPassThrough.PREFIX) && KafkaPassThrough.isSecret(
                key.substring(KafkaPassThrough.PREFIX.length()));
    }

    /** Every key a user could have meant, for "did you mean" suggestions. */
    static Stream<String> allKeys() {
        return Stream.concat(FIXED.names().stream(),
                FAMILIES.stream().flatMap(f -> f.tails().stream().map(t -> f.prefix() + f.placeholder() + t)));
    }

    /** The README's settings table. */
    public static String markdownTable() {
        StringBuilder out = new StringBuilder("| key | type | default | meaning |\n|---|---|---|---|\n");
        FIXED.configKeys().values().forEach(key -> out.append("| `").append(key.name).append("` | ")
                .append(key.type.name().toLowerCase(Locale.ROOT)).append(" | ")
                .append(defaultText(key)).append(" | ").append(key.documentation)
                .append(key.validator == null || key.validator.toString().isBlank() || key.type == Type.BOOLEAN ? ""
                        : allowedText(key.validator))
                .append(" |\n"));
        FAMILIES.forEach(f -> f.tails().forEach(tail -> out.append("| `").append(f.prefix()).append(f.placeholder())
                .append(tail).append("` | ").append(f.type().name().toLowerCase(Locale.ROOT)).append(" | | ")
                .append(f.documentation()).append(" |\n")));
        out.append("| `kafka.<setting>` | | | any Kafka client or Kafka Streams setting, passed through (see below) |\n");
        return out.toString();
    }

    private static String defaultText(ConfigDef.ConfigKey key) {
        if (key.defaultValue == null) {
            return "";
        }
        String text = ConfigDef.convertToString(key.defaultValue, key.type);
        return text.isEmpty() ? "" : "`" + text + "`";
    }

    private static String allowedText(ConfigDef.Validator validator) {
        String text = validator.toString();
        return text.startsWith("[") ? " (allowed: " + text + ")" : "";
    }
}
