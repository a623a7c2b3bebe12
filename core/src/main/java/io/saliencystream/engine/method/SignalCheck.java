package io.saliencystream.engine.method;

import io.saliencystream.engine.AttributionMap;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelRunner;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;

import ai.onnxruntime.OrtException;

import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Whether a map says anything about the model: the target's probability drop when the pixels the
 * map ranks highest are deleted, minus the mean drop when the same mask is moved elsewhere.
 * The mask is the top {@code share} of pixels by attribution (most positive first, ties in a
 * seeded random order, so a flat map picks arbitrary pixels); it is moved by random circular
 * shifts, which keep its shape and size, so only its placement differs. A map that ranks pixels
 * the way the model uses them deletes the evidence and the probability falls more than under its
 * shifted copies; a flat or noisy map, or one of a model that ignores the input, moves the
 * probability no more than chance does.
 *
 * <p>Deleted pixels take 0 in every channel (the mid value of the model's normalisation).
 * Cost: 2 + {@code shifts} evaluations in one model call.
 */
public final class SignalCheck {

    /** Share of pixels deleted. */
    public static final double SHARE = 0.2;
    /** Random placements the top mask is compared with. */
    public static final int SHIFTS = 8;
    /**
     * A figure below this is "no signal": calibrated on shapes:v1, whose trained model's maps
     * (every method) stay above it while those of its randomised copy fall below it
     * (see the README and the model-randomisation test).
     */
    public static final double THRESHOLD = 0.05;

    public enum Verdict {
        SIGNAL, NO_SIGNAL;

        /** As summaries record it: "signal" or "no-signal". */
        public String id() {
            return this == SIGNAL ? "signal" : "no-signal";
        }
    }

    /**
     * @param figure     probability drop under the top mask minus the mean drop under its shifts
     * @param verdict    {@link Verdict#NO_SIGNAL} when the figure is below {@link #THRESHOLD}
     * @param score      the target's probability on the input
     * @param topDrop    drop when the top mask is deleted
     * @param shiftDrop  mean drop when a shifted mask is deleted
     * @param modelCalls ONNX Runtime calls spent
     * @param evaluations inputs scored
     */
    public record Result(double figure, Verdict verdict, double score, double topDrop, double shiftDrop,
                         int modelCalls, long evaluations) {
    }

    private SignalCheck() {
    }

    public static Result evaluate(CatalogModel model, float[] input, AttributionMap map, int targetClass, long seed)
            throws OrtException {
        ModelSpec spec = model.spec();
        if (input.length != spec.inputSize()) {
            throw new IllegalArgumentException("input has " + input.length + " values, model " + spec.key()
                    + " takes " + spec.inputSize());
        }
        int w = spec.width();
        int h = spec.height();
        if (map.width() != w || map.height() != h) {
            throw new IllegalArgumentException("map is " + map.width() + "x" + map.height() + ", model " + spec.key()
                    + " takes " + w + "x" + h);
        }
        int pixels = w * h;
        SplittableRandom random = new SplittableRandom(seed);
        int[] tieBreak = new int[pixels];
        for (int i = 0; i < pixels; i++) {
            tieBreak[i] = random.nextInt();
        }
        float[] values = map.values();
        int[] order = IntStream.range(0, pixels).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -(Float.isNaN(values[i]) ? 0f : values[i]))
                        .thenComparingInt(i -> tieBreak[i]))
                .mapToInt(Integer::intValue).toArray();
        int deleted = Math.max(1, (int) Math.round(SHARE * pixels));
        boolean[] top = new boolean[pixels];
        for (int r = 0; r < deleted; r++) {
            top[order[r]] = true;
        }
        Preprocessor layout = new Preprocessor(spec);
        int size = spec.inputSize();
        int n = 2 + SHIFTS;
        float[] batch = new float[n * size];
        for (int k = 0; k < n; k++) {
            System.arraycopy(input, 0, batch, k * size, size);
        }
        for (int k = 1; k < n; k++) {
            // k = 1: the mask itself; then shifted copies, never by zero in both directions
            int dx = k == 1 ? 0 : random.nextInt(w);
            int dy = k == 1 ? 0 : random.nextInt(h);
            if (k > 1 && dx == 0 && dy == 0) {
                dx = w > 1 ? 1 + random.nextInt(w - 1) : 0;
                dy = dx == 0 && h > 1 ? 1 + random.nextInt(h - 1) : dy;
            }
            for (int p = 0; p < pixels; p++) {
                if (top[p]) {
                    int x = (p % w + dx) % w;
                    int y = (p / w + dy) % h;
                    for (int c = 0; c < spec.channels(); c++) {
                        batch[k * size + layout.index(c, y, x)] = 0f;
                    }
                }
            }
        }
        ModelRunner runner = new ModelRunner(model);
        float[][] scores = runner.scores(batch, n);
        double score = scores[0][targetClass];
        double topDrop = score - scores[1][targetClass];
        double shiftDrop = 0;
        for (int k = 2; k < n; k++) {
            shiftDrop += score - scores[k][targetClass];
        }
        shiftDrop /= SHIFTS;
        double figure = topDrop - shiftDrop;
        return new Result(figure, figure >= THRESHOLD ? Verdict.SIGNAL : Verdict.NO_SIGNAL, score, topDrop, shiftDrop,
                runner.calls(), runner.evaluations());
    }
}
