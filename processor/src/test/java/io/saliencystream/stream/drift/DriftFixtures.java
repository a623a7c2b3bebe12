package io.saliencystream.stream.drift;

import io.saliencystream.schema.AttentionReference;
import io.saliencystream.schema.SaliencySummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Summaries and references for the drift tests: 2x2 grids, one series per model and class. */
final class DriftFixtures {

    static {
        // Avro 1.12 builds records with defaults only for trusted classes; the app installs this at start.
        io.saliencystream.serde.AvroTrust.install();
    }

    static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");
    /** Attention mostly top-left. */
    static final double[] TOP_LEFT = {0.7, 0.1, 0.1, 0.1};
    /** Attention mostly bottom-right. */
    static final double[] BOTTOM_RIGHT = {0.1, 0.1, 0.1, 0.7};

    private static int ids;

    private DriftFixtures() {
    }

    static SaliencySummary summary(String model, int cls, Instant time, double[] grid) {
        List<Float> cells = new ArrayList<>();
        for (double v : grid) {
            cells.add((float) v);
        }
        return SaliencySummary.newBuilder()
                .setEventId("evt-" + (++ids))
                .setEventTime(time)
                .setModelName(model).setModelVersion("1")
                .setPredictedClass(cls).setPredictedScore(0.9f)
                .setMethod("occlusion").setImageWidth(32).setImageHeight(32)
                .setGridRows(2).setGridCols(2).setGrid(cells)
                .setCentroidX(0.5f).setCentroidY(0.5f)
                .setPositiveMass(1f).setNegativeMass(0f).setModelCalls(1).setDurationMillis(1)
                .build();
    }

    /** A summary of an event with a ground-truth label, in interpretation bucket {@code bucket}. */
    static SaliencySummary summary(String model, int cls, Instant time, double[] grid, String bucket) {
        SaliencySummary s = summary(model, cls, time, grid);
        s.setInterpretationBucket(bucket);
        return s;
    }

    /** Time {@code seconds} into minute-window {@code window} after T0. */
    static Instant at(int window, int seconds) {
        return T0.plusSeconds(60L * window + seconds);
    }

    static AttentionReference reference(String model, int cls, int rows, int cols, double... grid) {
        List<Double> cells = new ArrayList<>();
        for (double v : grid) {
            cells.add(v);
        }
        return AttentionReference.newBuilder()
                .setModelName(model).setModelVersion("1").setPredictedClass(cls)
                .setGridRows(rows).setGridCols(cols).setGrid(cells)
                .build();
    }
}
