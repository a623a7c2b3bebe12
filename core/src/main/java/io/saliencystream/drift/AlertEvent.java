package io.saliencystream.drift;

/**
 * An alert opening or resolving.
 *
 * @param opened    true when it opens, false when it resolves
 * @param metric    the metric that crossed (for a resolve: the one that had opened it)
 * @param distance  its value in the deciding window
 * @param threshold the threshold it was compared with (open or resolve threshold)
 */
public record AlertEvent(boolean opened, DriftMetric metric, double distance, double threshold) {
}
