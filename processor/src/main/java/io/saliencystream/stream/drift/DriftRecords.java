package io.saliencystream.stream.drift;

import io.saliencystream.drift.AlertState;
import io.saliencystream.drift.AttentionObservation;
import io.saliencystream.drift.AttentionWindowStats;
import io.saliencystream.drift.BucketedWindowStats;
import io.saliencystream.drift.DriftMetric;
import io.saliencystream.drift.GridShape;
import io.saliencystream.drift.ReferenceLearner;
import io.saliencystream.drift.ReferenceProfile;
import io.saliencystream.schema.AttentionReference;
import io.saliencystream.quality.InterpretationBucket;
import io.saliencystream.schema.AttentionWindowAggregate;
import io.saliencystream.schema.BucketWindowAggregate;
import io.saliencystream.schema.DriftSeriesState;
import io.saliencystream.schema.SaliencySummary;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Conversions between the Avro records of the drift topics and stores and the statistics classes. */
final class DriftRecords {

    private DriftRecords() {
    }

    /** The checked observation of a summary; throws with the reason for a summary drift cannot use. */
    static AttentionObservation observation(SaliencySummary s) {
        if (s.getGrid() == null) {
            throw new IllegalArgumentException("Summary has no grid");
        }
        GridShape shape = new GridShape(s.getGridRows(), s.getGridCols());
        double[] grid = new double[s.getGrid().size()];
        for (int i = 0; i < grid.length; i++) {
            Float v = s.getGrid().get(i);
            grid[i] = v == null ? Double.NaN : v;
        }
        return AttentionObservation.of(shape, grid, s.getCentroidX(), s.getCentroidY(),
                s.getEntropy() == null ? null : s.getEntropy().doubleValue());
    }

    /** The summary's interpretation bucket, or null without one; throws for a bucket this version does not know. */
    static InterpretationBucket bucket(SaliencySummary s) {
        String id = s.getInterpretationBucket();
        if (id == null) {
            return null;
        }
        return InterpretationBucket.ofId(id).orElseThrow(() ->
                new IllegalArgumentException("Unknown interpretation bucket '" + id + "'"));
    }

    static AttentionWindowAggregate toAvro(BucketedWindowStats s) {
        AttentionWindowStats all = s.all();
        GridShape shape = all.shape();
        List<BucketWindowAggregate> buckets = new ArrayList<>();
        s.buckets().forEach((bucket, b) -> buckets.add(BucketWindowAggregate.newBuilder()
                .setBucket(bucket.id())
                .setCount(b.count())
                .setZeroMaps(b.zeroMaps())
                .setCellMean(list(b.cellMean()))
                .setCellM2(list(b.cellM2()))
                .setCentroidXMean(b.centroidXMean())
                .setCentroidYMean(b.centroidYMean())
                .setEntropyMean(b.entropyMean())
                .build()));
        return AttentionWindowAggregate.newBuilder()
                .setGridRows(shape == null ? 0 : shape.rows())
                .setGridCols(shape == null ? 0 : shape.cols())
                .setCount(all.count())
                .setZeroMaps(all.zeroMaps())
                .setCellMean(list(all.cellMean()))
                .setCellM2(list(all.cellM2()))
                .setCentroidXMean(all.centroidXMean())
                .setCentroidYMean(all.centroidYMean())
                .setEntropyMean(all.entropyMean())
                .setBuckets(buckets)
                .build();
    }

    static BucketedWindowStats fromAvro(AttentionWindowAggregate a) {
        GridShape shape = a.getCount() > 0 ? new GridShape(a.getGridRows(), a.getGridCols()) : null;
        AttentionWindowStats all = AttentionWindowStats.restore(shape, a.getCount(), a.getZeroMaps(),
                array(a.getCellMean()), array(a.getCellM2()), a.getCentroidXMean(), a.getCentroidYMean(), a.getEntropyMean());
        Map<InterpretationBucket, AttentionWindowStats> buckets = new EnumMap<>(InterpretationBucket.class);
        for (BucketWindowAggregate b : a.getBuckets()) {
            InterpretationBucket bucket = InterpretationBucket.ofId(b.getBucket()).orElseThrow(() ->
                    new IllegalArgumentException("Unknown interpretation bucket '" + b.getBucket() + "' in a stored window"));
            buckets.put(bucket, AttentionWindowStats.restore(b.getCount() > 0 ? shape : null, b.getCount(),
                    b.getZeroMaps(), array(b.getCellMean()), array(b.getCellM2()), b.getCentroidXMean(),
                    b.getCentroidYMean(), b.getEntropyMean()));
        }
        return BucketedWindowStats.restore(all, buckets);
    }

    static ReferenceLearner learner(DriftSeriesState s, int target) {
        GridShape shape = s.getLearnedWindows() > 0 ? new GridShape(s.getGridRows(), s.getGridCols()) : null;
        return ReferenceLearner.restore(target, s.getLearnedWindows(), shape, array(s.getGridSum()),
                s.getCentroidXSum(), s.getCentroidYSum(), s.getEntropySum());
    }

    static AlertState alertState(DriftSeriesState s) {
        DriftMetric metric = s.getAlertOpen() && !s.getAlertMetric().isEmpty() ? DriftMetric.ofLabel(s.getAlertMetric()) : null;
        return new AlertState(s.getAlertOpen(), metric, s.getAboveStreak(), s.getBelowStreak());
    }

    static DriftSeriesState state(ReferenceLearner learner, AlertState alert, long lastWindowStart) {
        GridShape shape = learner.shape();
        return DriftSeriesState.newBuilder()
                .setLearnedWindows(learner.windows())
                .setGridRows(shape == null ? 0 : shape.rows())
                .setGridCols(shape == null ? 0 : shape.cols())
                .setGridSum(list(learner.gridSum()))
                .setCentroidXSum(learner.centroidXSum())
                .setCentroidYSum(learner.centroidYSum())
                .setEntropySum(learner.entropySum())
                .setAlertOpen(alert.open())
                .setAlertMetric(alert.openMetric() == null ? "" : alert.openMetric().label())
                .setAboveStreak(alert.aboveStreak())
                .setBelowStreak(alert.belowStreak())
                .setLastWindowStart(lastWindowStart)
                .build();
    }

    /** A pinned reference as a profile; throws with the reason if it is unusable. */
    static ReferenceProfile pinned(AttentionReference r) {
        GridShape shape = new GridShape(r.getGridRows(), r.getGridCols());
        return new ReferenceProfile(shape, array(r.getGrid()), r.getCentroidX(), r.getCentroidY(), r.getEntropy(),
                r.getRoiMass(), ReferenceProfile.Origin.PINNED, 0);
    }

    static List<Double> list(double[] values) {
        List<Double> out = new ArrayList<>(values.length);
        for (double v : values) {
            out.add(v);
        }
        return out;
    }

    static double[] array(List<Double> values) {
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
