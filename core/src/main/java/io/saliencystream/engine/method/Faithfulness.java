package io.saliencystream.engine.method;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.AttributionMap;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelRunner;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Deletion and insertion curves (Petsiuk et al., 2018): pixels are ranked by attribution, most
 * positive first; at step k of {@code steps} the top round(k N / steps) pixels are deleted (set
 * to {@code baseline} in every channel) from the input, or inserted (copied from the input) into
 * a start image that is the baseline or a Gaussian blur of the input. The curve is the target's
 * probability at each step, so its area by the trapezoid rule over the deleted/inserted fraction
 * lies in [0, 1]. A faithful map has a low deletion AUC (the score falls fast) and a high
 * insertion AUC.
 *
 * <p>Cost: 2 (steps + 1) evaluations in ceil(2 (steps + 1) / batchSize) calls.
 */
public final class Faithfulness {

    public enum Start { BASELINE, BLUR }

    /**
     * @param steps     points of each curve besides the start
     * @param baseline  deleted pixels' value: a number in normalised units, or "median"
     * @param start     the insertion curve's start image
     * @param blurSigma Gaussian sigma in pixels of the blurred start
     * @param batchSize inputs per model call
     */
    public record Params(int steps, String baseline, Start start, double blurSigma, int batchSize) {
        public Params {
            if (steps <= 0 || batchSize <= 0 || start == null || !(blurSigma > 0)) {
                throw new IllegalArgumentException("faithfulness needs positive steps, batch_size and blur_sigma and a start; got "
                        + steps + ", " + batchSize + ", " + blurSigma + ", " + start);
            }
            baseline = Perturbation.check("faithfulness", baseline);
        }

        /** Reads "steps" (16), "baseline" (0), "start" (blur), "blur_sigma" (5), "batch_size" (34). */
        public static Params from(Map<String, String> p) {
            ParameterReader r = new ParameterReader("faithfulness", p);
            Params params = new Params(r.integer("steps", 16), r.text("baseline", "0"), r.choice("start", Start.class, Start.BLUR),
                    r.number("blur_sigma", 5), r.integer("batch_size", 34));
            r.finish();
            return params;
        }
    }

    /**
     * @param fractions    share of pixels deleted/inserted at each point, 0..1
     * @param deletion     target probability as pixels are deleted
     * @param insertion    target probability as pixels are inserted
     * @param deletionAuc  trapezoid area under {@code deletion}, 0..1
     * @param insertionAuc trapezoid area under {@code insertion}, 0..1
     */
    public record Curves(double[] fractions, double[] deletion, double[] insertion, double deletionAuc,
                         double insertionAuc, int modelCalls, long modelEvaluations) {
    }

    private final Params params;

    public Faithfulness(Params params) {
        this.params = params;
    }

    public Curves evaluate(CatalogModel model, float[] input, AttributionMap map, int targetClass) throws OrtException {
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
        if (targetClass < 0 || targetClass >= spec.labels().size()) {
            throw new IllegalArgumentException("target class " + targetClass + " outside 0.." + (spec.labels().size() - 1));
        }
        Preprocessor layout = new Preprocessor(spec);
        int pixels = w * h;
        float[] values = map.values();
        int[] order = IntStream.range(0, pixels).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -values[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
        float[] fill = Perturbation.perChannel(params.baseline(), input, spec);
        float[] baselineImage = new float[input.length];
        for (int c = 0; c < spec.channels(); c++) {
            for (int p = 0; p < pixels; p++) {
                baselineImage[layout.index(c, p / w, p % w)] = fill[c];
            }
        }
        float[] startImage = params.start() == Start.BLUR ? blur(input, spec, layout, params.blurSigma()) : baselineImage;

        int points = params.steps() + 1;
        int size = spec.inputSize();
        // rows 0..steps: deletion; rows steps+1..: insertion
        float[] all = new float[2 * points * size];
        double[] fractions = new double[points];
        for (int k = 0; k < points; k++) {
            int changed = (int) Math.round((double) k * pixels / params.steps());
            fractions[k] = (double) changed / pixels;
            System.arraycopy(input, 0, all, k * size, size);
            System.arraycopy(startImage, 0, all, (points + k) * size, size);
            for (int r = 0; r < changed; r++) {
                int p = order[r];
                for (int c = 0; c < spec.channels(); c++) {
                    int at = layout.index(c, p / w, p % w);
                    all[k * size + at] = baselineImage[at];
                    all[(points + k) * size + at] = input[at];
                }
            }
        }
        ModelRunner runner = new ModelRunner(model);
        double[] curve = new double[2 * points];
        for (int first = 0; first < 2 * points; first += params.batchSize()) {
            int n = Math.min(params.batchSize(), 2 * points - first);
            float[] batch = new float[n * size];
            System.arraycopy(all, first * size, batch, 0, n * size);
            float[][] out = runner.scores(batch, n);
            for (int i = 0; i < n; i++) {
                curve[first + i] = out[i][targetClass];
            }
        }
        double[] deletion = Arrays.copyOfRange(curve, 0, points);
        double[] insertion = Arrays.copyOfRange(curve, points, 2 * points);
        return new Curves(fractions, deletion, insertion, trapezoid(fractions, deletion), trapezoid(fractions, insertion),
                runner.calls(), runner.evaluations());
    }

    static double trapezoid(double[] x, double[] y) {
        double area = 0;
        for (int i = 1; i < x.length; i++) {
            area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
        }
        return area;
    }

    /** Separable Gaussian blur of each channel, kernel radius ceil(3 sigma), weights renormalised at the borders. */
    static float[] blur(float[] input, ModelSpec spec, Preprocessor layout, double sigma) {
        int w = spec.width();
        int h = spec.height();
        int r = (int) Math.ceil(3 * sigma);
        double[] kernel = new double[2 * r + 1];
        for (int i = -r; i <= r; i++) {
            kernel[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
        }
        float[] out = new float[input.length];
        double[] tmp = new double[w * h];
        for (int c = 0; c < spec.channels(); c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    double n = 0;
                    for (int k = Math.max(0, x - r); k <= Math.min(w - 1, x + r); k++) {
                        s += kernel[k - x + r] * input[layout.index(c, y, k)];
                        n += kernel[k - x + r];
                    }
                    tmp[y * w + x] = s / n;
                }
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    double n = 0;
                    for (int k = Math.max(0, y - r); k <= Math.min(h - 1, y + r); k++) {
                        s += kernel[k - y + r] * tmp[k * w + x];
                        n += kernel[k - y + r];
                    }
                    out[layout.index(c, y, x)] = (float) (s / n);
                }
            }
        }
        return out;
    }
}
