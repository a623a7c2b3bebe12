package io.saliencystream.drift;

/**
 * The alert state of one series.
 *
 * @param open        whether an alert is open
 * @param openMetric  the metric that opened it (null while closed)
 * @param aboveStreak consecutive counted windows with some metric above its open threshold
 * @param belowStreak consecutive counted windows with every metric below its resolve threshold
 */
public record AlertState(boolean open, DriftMetric openMetric, int aboveStreak, int belowStreak) {

    public static AlertState closed() {
        return new AlertState(false, null, 0, 0);
    }
}
