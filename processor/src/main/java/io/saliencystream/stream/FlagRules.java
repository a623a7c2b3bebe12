package io.saliencystream.stream;

import java.util.Set;

/**
 * Rules that flag an event for explanation whatever the sampling rate says. Each rule is
 * switched off on its own: a null threshold, false, or an empty set. Scores are compared as
 * the producer reported them (probabilities or logits, whichever the model emits), so
 * thresholds must be chosen per the model's output kind.
 *
 * @param producerFlag       flag events whose producer set any entry in {@code flags}
 * @param lowConfidenceBelow flag events whose top-1 score is below this (null: off)
 * @param smallMarginBelow   flag events whose top-1 minus top-2 score is below this (null: off)
 * @param labelDisagreement  flag events with a ground-truth label that is neither the top-1
 *                           label nor the top-1 class index written as a number
 * @param watchedLabels      flag events whose top-1 label is one of these
 * @param watchedClasses     flag events whose top-1 class index is one of these
 */
public record FlagRules(
        boolean producerFlag,
        Double lowConfidenceBelow,
        Double smallMarginBelow,
        boolean labelDisagreement,
        Set<String> watchedLabels,
        Set<Integer> watchedClasses) {

    public FlagRules {
        watchedLabels = watchedLabels == null ? Set.of() : Set.copyOf(watchedLabels);
        watchedClasses = watchedClasses == null ? Set.of() : Set.copyOf(watchedClasses);
        requireFinite("lowConfidenceBelow", lowConfidenceBelow);
        requireFinite("smallMarginBelow", smallMarginBelow);
    }

    /** Every rule off. */
    public static FlagRules none() {
        return new FlagRules(false, null, null, false, Set.of(), Set.of());
    }

    /** The rules that need no tuning: producer flags and label disagreement. */
    public static FlagRules defaults() {
        return new FlagRules(true, null, null, true, Set.of(), Set.of());
    }

    private static void requireFinite(String name, Double value) {
        if (value != null && !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite number or null (off), got " + value);
        }
    }
}
