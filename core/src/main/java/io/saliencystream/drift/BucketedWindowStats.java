package io.saliencystream.drift;

import io.saliencystream.quality.InterpretationBucket;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The statistics of one series in one window, all summaries together and, for those with a
 * ground truth, per {@link InterpretationBucket}: where the model looks when it is confidently
 * right next to where it looks when it is confidently wrong. Mutable and not thread-safe.
 */
public final class BucketedWindowStats {

    private final AttentionWindowStats all;
    private final EnumMap<InterpretationBucket, AttentionWindowStats> buckets;

    private BucketedWindowStats(AttentionWindowStats all, Map<InterpretationBucket, AttentionWindowStats> buckets) {
        this.all = all;
        this.buckets = new EnumMap<>(InterpretationBucket.class);
        this.buckets.putAll(buckets);
    }

    public static BucketedWindowStats empty() {
        return new BucketedWindowStats(AttentionWindowStats.empty(), Map.of());
    }

    /** Rebuilds the statistics from their stored parts. */
    public static BucketedWindowStats restore(AttentionWindowStats all, Map<InterpretationBucket, AttentionWindowStats> buckets) {
        return new BucketedWindowStats(all, buckets);
    }

    /**
     * Adds one observation, and to its bucket's statistics when it has one.
     *
     * @param bucket the summary's bucket, or null when its event had no ground truth
     * @throws IllegalArgumentException if its grid shape differs from the grids already added (nothing is added)
     */
    public BucketedWindowStats add(AttentionObservation o, InterpretationBucket bucket) {
        all.add(o);
        if (bucket != null) {
            buckets.computeIfAbsent(bucket, b -> AttentionWindowStats.empty()).add(o);
        }
        return this;
    }

    /** Every summary of the window. */
    public AttentionWindowStats all() {
        return all;
    }

    /** The buckets that received at least one summary, in {@link InterpretationBucket} order. */
    public Map<InterpretationBucket, AttentionWindowStats> buckets() {
        return Collections.unmodifiableMap(buckets);
    }
}
