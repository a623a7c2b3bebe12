package io.saliencystream.stream.drift;

import io.saliencystream.drift.AlertPolicy;
import io.saliencystream.drift.RegionsOfInterest;
import java.time.Duration;
import java.util.Objects;

/**
 * Every knob of attention drift.
 *
 * @param topics        topic names
 * @param windowSize    window length, in event time
 * @param windowAdvance hop between window starts; equal to windowSize for tumbling windows
 * @param grace         how late (in event time, behind the newest summary seen) a summary may
 *                      arrive and still count; later ones are dropped and counted by Kafka
 *                      Streams' dropped-records metric
 * @param minCount      non-zero grids a window needs to take part in learning and alerting
 *                      (smaller windows still get a metrics record, marked insufficient)
 * @param learnWindows  sufficient windows averaged into the learned reference
 * @param alertPolicy   watched metrics, thresholds, K and M
 * @param regions       regions of interest per model / class
 * @param samplingBoost factor on a model's sampling rate while a drift alert is open for it
 *                      (the result is capped at 1); 1 turns the boost off
 * @param allTargets    whether summaries of targets other than the predicted class (label, top-k
 *                      ranks, listed classes) are windowed too, each in the series of the class it
 *                      explains; by default a series holds only the maps of its predicted class
 */
public record DriftConfig(
        DriftTopics topics,
        Duration windowSize,
        Duration windowAdvance,
        Duration grace,
        int minCount,
        int learnWindows,
        AlertPolicy alertPolicy,
        RegionsOfInterest regions,
        double samplingBoost,
        boolean allTargets) {

    public DriftConfig {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(alertPolicy, "alertPolicy");
        Objects.requireNonNull(regions, "regions");
        requirePositive("windowSize", windowSize);
        requirePositive("windowAdvance", windowAdvance);
        if (windowAdvance.compareTo(windowSize) > 0) {
            throw new IllegalArgumentException("windowAdvance " + windowAdvance + " must not exceed windowSize "
                    + windowSize + ": summaries between windows would be lost");
        }
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("grace must be zero or positive, got " + grace);
        }
        if (minCount < 1) {
            throw new IllegalArgumentException("minCount must be >= 1, got " + minCount);
        }
        if (learnWindows < 1) {
            throw new IllegalArgumentException("learnWindows must be >= 1, got " + learnWindows);
        }
        if (!(samplingBoost >= 1) || Double.isInfinite(samplingBoost)) {
            throw new IllegalArgumentException("samplingBoost must be a finite factor >= 1, got " + samplingBoost);
        }
    }

    /**
     * 1-minute tumbling windows, 10 s grace, at least 5 grids per window, reference learned from
     * the first 3 windows, Jensen–Shannon above 0.1 for 2 windows opens an alert and below it for
     * 2 windows resolves it, no regions of interest, sampling ×5 while an alert is open.
     */
    public static DriftConfig defaults() {
        return new DriftConfig(DriftTopics.defaults(), Duration.ofMinutes(1), Duration.ofMinutes(1),
                Duration.ofSeconds(10), 5, 3, AlertPolicy.defaults(), RegionsOfInterest.none(), 5.0, false);
    }

    public DriftConfig withTopics(DriftTopics t) {
        return new DriftConfig(t, windowSize, windowAdvance, grace, minCount, learnWindows, alertPolicy, regions,
                samplingBoost, allTargets);
    }

    /** Windows of {@code size} starting every {@code advance}, accepting summaries up to {@code grace} late. */
    public DriftConfig withWindows(Duration size, Duration advance, Duration graceperiod) {
        return new DriftConfig(topics, size, advance, graceperiod, minCount, learnWindows, alertPolicy, regions,
                samplingBoost, allTargets);
    }

    public DriftConfig withMinCount(int count) {
        return new DriftConfig(topics, windowSize, windowAdvance, grace, count, learnWindows, alertPolicy, regions,
                samplingBoost, allTargets);
    }

    public DriftConfig withLearnWindows(int windows) {
        return new DriftConfig(topics, windowSize, windowAdvance, grace, minCount, windows, alertPolicy, regions,
                samplingBoost, allTargets);
    }

    public DriftConfig withAlertPolicy(AlertPolicy policy) {
        return new DriftConfig(topics, windowSize, windowAdvance, grace, minCount, learnWindows, policy, regions,
                samplingBoost, allTargets);
    }

    public DriftConfig withRegions(RegionsOfInterest r) {
        return new DriftConfig(topics, windowSize, windowAdvance, grace, minCount, learnWindows, alertPolicy, r,
                samplingBoost, allTargets);
    }

    public DriftConfig withSamplingBoost(double factor) {
        return new DriftConfig(topics, windowSize, windowAdvance, grace, minCount, learnWindows, alertPolicy, regions,
                factor, allTargets);
    }

    public DriftConfig withAllTargets(boolean all) {
        return new DriftConfig(topics, windowSize, windowAdvance, grace, minCount, learnWindows, alertPolicy, regions,
                samplingBoost, all);
    }

    /** How long closed windows stay in the window store: exactly until they can no longer change. */
    public Duration windowRetention() {
        return windowSize.plus(grace);
    }

    private static void requirePositive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
        }
    }
}
