package io.saliencystream.stream;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Which {@link Targets} an event gets: those of a flag reason of its selection (the first, in the
 * order the rules fired), else those of {@code sampled} when it was sampled, else its model's, else
 * the default. {@code label-disagreement} has {@code predicted+label} unless configured.
 *
 * @param defaults {@code explain.targets}
 * @param byModel  {@code explain.targets.<model>}, keyed by model name
 * @param byReason {@code explain.targets-for.<reason>}, keyed by the reason without its {@code flag:} prefix
 */
public record TargetRules(Targets defaults, Map<String, Targets> byModel, Map<String, Targets> byReason) {

    private static final String FLAG_PREFIX = "flag:";
    private static final String LABEL_DISAGREEMENT = Selection.FLAG_LABEL_DISAGREEMENT.substring(FLAG_PREFIX.length());

    public TargetRules {
        Map<String, Targets> reasons = new HashMap<>(byReason);
        reasons.putIfAbsent(LABEL_DISAGREEMENT, Targets.predictedAndLabel());
        byReason = Map.copyOf(reasons);
        byModel = Map.copyOf(byModel);
    }

    /** Nothing configured: the predicted class, and the label too for a label disagreement. */
    public static TargetRules unconfigured() {
        return new TargetRules(Targets.predicted(), Map.of(), Map.of());
    }

    /**
     * The most targets an event of {@code lane} can get, for sizing the time one request may take:
     * a sampled request's event has no flag, so only {@code sampled}'s rule or a model's (or the
     * default) applies; a flagged one may get any rule's.
     */
    public int most(RequestTopics.Lane lane) {
        Stream<Targets> rules = Stream.concat(Stream.of(defaults), byModel.values().stream());
        if (lane == RequestTopics.Lane.SAMPLED && byReason.containsKey(Selection.SAMPLED)) {
            rules = Stream.of(byReason.get(Selection.SAMPLED));
        } else if (lane == RequestTopics.Lane.FLAGGED) {
            rules = Stream.concat(rules, byReason.values().stream());
        }
        return rules.mapToInt(Targets::most).max().orElse(1);
    }

    public Targets of(String modelName, Selection selection) {
        List<String> reasons = selection.reasons();
        for (String reason : reasons) {
            if (reason.startsWith(FLAG_PREFIX) && byReason.containsKey(reason.substring(FLAG_PREFIX.length()))) {
                return byReason.get(reason.substring(FLAG_PREFIX.length()));
            }
        }
        if (reasons.contains(Selection.SAMPLED) && byReason.containsKey(Selection.SAMPLED)) {
            return byReason.get(Selection.SAMPLED);
        }
        return byModel.getOrDefault(modelName, defaults);
    }
}
