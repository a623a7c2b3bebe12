package io.saliencystream.drift;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * When alerts open and resolve. A window is <em>above</em> when some watched metric is above its
 * open threshold, <em>below</em> when every watched metric with a value is below its resolve
 * threshold, and neither otherwise (which breaks both streaks). An alert opens after
 * {@code openAfter} consecutive windows above and resolves after {@code resolveAfter}
 * consecutive windows below; while it is open, more windows above open nothing new, so a
 * series has at most one open alert.
 *
 * @param thresholds   the watched metrics and their thresholds (at least one)
 * @param openAfter    K: consecutive windows above before an alert opens
 * @param resolveAfter M: consecutive windows below before an open alert resolves
 */
public record AlertPolicy(Map<DriftMetric, Threshold> thresholds, int openAfter, int resolveAfter) {

    public AlertPolicy {
        Objects.requireNonNull(thresholds, "thresholds");
        if (thresholds.isEmpty()) {
            throw new IllegalArgumentException("An alert policy needs at least one metric with a threshold");
        }
        thresholds = Map.copyOf(new EnumMap<>(thresholds));
        if (openAfter < 1 || resolveAfter < 1) {
            throw new IllegalArgumentException("openAfter and resolveAfter must be >= 1, got " + openAfter + ", "
                    + resolveAfter);
        }
    }

    /** Jensen–Shannon above 0.1 for 2 windows opens, below 0.1 for 2 windows resolves. */
    public static AlertPolicy defaults() {
        return new AlertPolicy(Map.of(DriftMetric.JENSEN_SHANNON, Threshold.of(0.1)), 2, 2);
    }

    /** The state after one counted window, and the alert it opens or resolves, if any. */
    public Step step(AlertState state, DriftDistances distances) {
        DriftMetric worst = null;
        double worstRatio = 0;
        boolean anyValue = false;
        boolean allBelow = true;
        for (Map.Entry<DriftMetric, Threshold> e : thresholds.entrySet()) {
            Double value = e.getKey().valueIn(distances);
            if (value == null) {
                continue;
            }
            anyValue = true;
            if (value > e.getValue().open() && value / e.getValue().open() > worstRatio) {
                worst = e.getKey();
                worstRatio = value / e.getValue().open();
            }
            allBelow &= value < e.getValue().resolve();
        }
        if (!anyValue) {
            return new Step(state, null);
        }
        int above = worst != null ? state.aboveStreak() + 1 : 0;
        int below = worst == null && allBelow ? state.belowStreak() + 1 : 0;
        if (!state.open() && above >= openAfter) {
            double value = worst.valueIn(distances);
            return new Step(new AlertState(true, worst, 0, 0),
                    new AlertEvent(true, worst, value, thresholds.get(worst).open()));
        }
        if (state.open() && below >= resolveAfter) {
            DriftMetric metric = state.openMetric() != null && thresholds.containsKey(state.openMetric())
                    ? state.openMetric() : thresholds.keySet().iterator().next();
            Double value = metric.valueIn(distances);
            return new Step(AlertState.closed(), new AlertEvent(false, metric,
                    value == null ? Double.NaN : value, thresholds.get(metric).resolve()));
        }
        return new Step(new AlertState(state.open(), state.openMetric(), above, below), null);
    }

    /** A state and the alert event that led to it, or null when none. */
    public record Step(AlertState state, AlertEvent event) {
    }
}
