package io.saliencystream.engine.method;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.AttributionMap;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.gradient.TargetScore;
import io.saliencystream.engine.model.ModelSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Occlusion (Zeiler and Fergus, 2014): a square window, moved by {@code stride}, replaces the
 * input in all channels with {@code baseline}; a pixel's attribution is the mean, over the
 * windows covering it, of score(original) - score(occluded) for the target class, where the
 * score is the target's log-odds (default), probability, or the model's raw output. Windows
 * start at 0 and step until one reaches the far edge; windows past the edge are clipped.
 * With stride > window some pixels are covered by no window and get 0.
 *
 * <p>Cost: 1 + ceil(windows / batchSize) model calls and 1 + windows evaluations.
 */
public final class Occlusion extends AttributionMethod<Occlusion.Params> {

    public static final String NAME = "occlusion";

    /**
     * @param window    side of the square window in input pixels
     * @param stride    step between windows
     * @param baseline  what fills the window: a number written into the normalised input (0 is
     *                  the mid value of (x - mean) / std normalisation), or "median", each
     *                  channel's median over the input: for text lines, the paper colour, so
     *                  the window removes strokes without painting a gray blob
     * @param batchSize occluded copies per model call
     * @param score     the target's score whose drop is measured
     */
    public record Params(int window, int stride, String baseline, int batchSize, TargetScore score) implements Parameters {
        public Params {
            if (score == null || window <= 0 || stride <= 0 || batchSize <= 0) {
                throw new IllegalArgumentException("occlusion needs positive window, stride and batchSize and a score; got "
                        + window + ", " + stride + ", " + batchSize + ", " + score);
            }
            baseline = Perturbation.check(NAME, baseline);
        }

        /**
         * Reads "window" (8), "stride" (4), "baseline" (0), "batch_size" (8), "score" (logodds).
         * Batches of 8: the size at which forward calls of MobileNetV3-small 224 ran fastest per
         * input (MethodFloorBenchmark's floor search); 32 took about 7 % more per input.
         */
        public static Params from(Map<String, String> p) {
            ParameterReader r = new ParameterReader(NAME, p);
            Params params = new Params(r.integer("window", 8), r.integer("stride", 4), r.text("baseline", "0"),
                    r.integer("batch_size", 8), r.choice("score", TargetScore.class, TargetScore.LOGODDS));
            r.finish();
            return params;
        }

        @Override
        public Map<String, String> asMap() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("window", Integer.toString(window));
            m.put("stride", Integer.toString(stride));
            m.put("baseline", baseline);
            m.put("batch_size", Integer.toString(batchSize));
            m.put("score", ParameterReader.id(score));
            return m;
        }
    }

    public Occlusion(Params params) {
        super(NAME, params);
    }

    /** Window start positions along an axis of length {@code n}. */
    static List<Integer> starts(int n, int window, int stride) {
        List<Integer> starts = new ArrayList<>();
        for (int p = 0; ; p += stride) {
            starts.add(p);
            if (p + window >= n) {
                return starts;
            }
        }
    }

    @Override
    protected Explanation attribute(Run run) throws OrtException {
        Params params = params();
        ModelSpec spec = run.spec;
        float[] input = run.input;
        int w = spec.width();
        int h = spec.height();
        double originalScore = Perturbation.score(run.runner, run.raw, run.target, params.score());
        float[] fill = Perturbation.perChannel(params.baseline(), input, spec);

        List<int[]> windows = new ArrayList<>();
        for (int y0 : starts(h, params.window(), params.stride())) {
            for (int x0 : starts(w, params.window(), params.stride())) {
                windows.add(new int[] {x0, y0});
            }
        }
        double[] sum = new double[w * h];
        int[] covered = new int[w * h];
        int size = spec.inputSize();
        float[] batch = null;
        for (int first = 0; first < windows.size(); first += params.batchSize()) {
            int n = Math.min(params.batchSize(), windows.size() - first);
            if (batch == null || batch.length != n * size) {
                // copies of the input, made once; each call occludes its windows and puts the input back after
                batch = new float[n * size];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(input, 0, batch, i * size, size);
                }
            }
            float[] copies = batch;
            for (int i = 0; i < n; i++) {
                int offset = i * size;
                forEachPixel(windows.get(first + i), w, h, (x, y) -> {
                    for (int c = 0; c < spec.channels(); c++) {
                        copies[offset + run.layout.index(c, y, x)] = fill[c];
                    }
                });
            }
            float[][] outputs = run.runner.raw(batch, n);
            for (int i = 0; i < n; i++) {
                int offset = i * size;
                forEachPixel(windows.get(first + i), w, h, (x, y) -> {
                    for (int c = 0; c < spec.channels(); c++) {
                        int at = run.layout.index(c, y, x);
                        copies[offset + at] = input[at];
                    }
                });
                double delta = originalScore - Perturbation.score(run.runner, outputs[i], run.target, params.score());
                forEachPixel(windows.get(first + i), w, h, (x, y) -> {
                    sum[y * w + x] += delta;
                    covered[y * w + x]++;
                });
            }
        }
        float[] values = new float[w * h];
        for (int i = 0; i < values.length; i++) {
            values[i] = covered[i] == 0 ? 0f : (float) (sum[i] / covered[i]);
        }
        return run.explanation(new AttributionMap(w, h, values));
    }

    private interface PixelVisitor {
        void visit(int x, int y);
    }

    private void forEachPixel(int[] win, int w, int h, PixelVisitor visitor) {
        int x1 = Math.min(w, win[0] + params().window());
        int y1 = Math.min(h, win[1] + params().window());
        for (int y = win[1]; y < y1; y++) {
            for (int x = win[0]; x < x1; x++) {
                visitor.visit(x, y);
            }
        }
    }
}
