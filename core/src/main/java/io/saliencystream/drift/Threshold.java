package io.saliencystream.drift;

/**
 * When a distance counts as drifted: above {@code open}; as recovered: below {@code resolve}.
 * A resolve threshold under the open one (hysteresis) keeps a distance that hovers near the
 * threshold from opening and resolving alerts in turn; between the two a window counts as
 * neither.
 */
public record Threshold(double open, double resolve) {

    public Threshold {
        if (!(open > 0) || Double.isInfinite(open) || !(resolve > 0) || resolve > open) {
            throw new IllegalArgumentException("Thresholds must satisfy 0 < resolve <= open < infinity, got open "
                    + open + ", resolve " + resolve);
        }
    }

    /** The same threshold to open and to resolve. */
    public static Threshold of(double value) {
        return new Threshold(value, value);
    }
}
