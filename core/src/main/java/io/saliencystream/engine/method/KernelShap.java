package io.saliencystream.engine.method;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.AttributionMap;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.gradient.TargetScore;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;
import io.saliencystream.engine.segment.Segmentation;
import io.saliencystream.engine.segment.Slic;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * KernelSHAP (Lundberg and Lee, 2017) over superpixels: a coalition keeps some superpixels and
 * sets the others to {@code baseline}; the Shapley values phi solve the weighted least squares
 * fit of score(coalition) - score(nothing kept) by sum of phi over the kept superpixels, with
 * Shapley kernel weights (M - 1) / (C(M, s) s (M - s)) for a coalition of s of M superpixels and
 * the efficiency constraint sum phi = score(input) - score(baseline) imposed exactly (the last
 * superpixel's phi is eliminated).
 *
 * <p>When 2^M - 2 coalitions fit in {@code samples} they are all enumerated with their kernel
 * weights (the exact Shapley values for any model). Otherwise {@code samples} coalitions are
 * drawn from the kernel's own distribution (size s with probability proportional to
 * 1 / (s (M - s)), then a uniform subset of that size), each paired with its complement, and
 * given equal weight; repeated coalitions are scored once and weighted by their count.
 *
 * <p>The map gives each pixel its superpixel's phi divided by the superpixel's area, so the
 * map sums to score(input) - score(baseline). Cost: 1 + ceil((unique coalitions + 1) / batchSize)
 * model calls.
 */
public final class KernelShap extends AttributionMethod<KernelShap.Params> {

    public static final String NAME = "kernelshap";

    public enum Superpixels { GRID, SLIC }

    /**
     * @param superpixels grid or slic
     * @param grid        grid side (grid x grid cells) when superpixels = grid
     * @param segments    about how many SLIC segments
     * @param compactness SLIC compactness
     * @param samples     most coalitions drawn
     * @param baseline    what removed superpixels take: a number in normalised units, or "median"
     * @param batchSize   coalitions per model call
     * @param score       the explained score: probability, log-odds or raw output
     */
    public record Params(Superpixels superpixels, int grid, int segments, double compactness, int samples,
                         String baseline, int batchSize, TargetScore score) implements Parameters {
        public Params {
            if (superpixels == null || score == null) {
                throw new IllegalArgumentException("kernelshap needs superpixels and score");
            }
            if (grid <= 0 || segments <= 0 || !(compactness > 0) || samples < 2 || batchSize <= 0) {
                throw new IllegalArgumentException("kernelshap needs positive grid, segments, compactness, batchSize and samples >= 2; got grid "
                        + grid + ", segments " + segments + ", compactness " + compactness + ", samples " + samples + ", batchSize " + batchSize);
            }
            baseline = Perturbation.check(NAME, baseline);
        }

        /**
         * Reads "superpixels" (slic or grid; default slic), "grid" (8), "segments" (50),
         * "compactness" (10), "samples" (512), "baseline" (0), "batch_size" (8), "score" (probability).
         * Batches of 8: the size at which forward calls of MobileNetV3-small 224 ran fastest per
         * input (MethodFloorBenchmark's floor search); 64 took about 20 % more per input.
         */
        public static Params from(Map<String, String> p) {
            ParameterReader r = new ParameterReader(NAME, p);
            Params params = new Params(r.choice("superpixels", Superpixels.class, Superpixels.SLIC), r.integer("grid", 8),
                    r.integer("segments", 50), r.number("compactness", 10), r.integer("samples", 512),
                    r.text("baseline", "0"), r.integer("batch_size", 8),
                    r.choice("score", TargetScore.class, TargetScore.PROBABILITY));
            r.finish();
            return params;
        }

        @Override
        public Map<String, String> asMap() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("superpixels", ParameterReader.id(superpixels));
            m.put("grid", Integer.toString(grid));
            m.put("segments", Integer.toString(segments));
            m.put("compactness", Double.toString(compactness));
            m.put("samples", Integer.toString(samples));
            m.put("baseline", baseline);
            m.put("batch_size", Integer.toString(batchSize));
            m.put("score", ParameterReader.id(score));
            return m;
        }
    }

    /**
     * @param explanation   the map and its costs
     * @param superpixels   the features
     * @param phi           Shapley value per superpixel
     * @param baselineScore score with every superpixel removed
     * @param inputScore    score of the input itself
     * @param coalitions    distinct coalitions scored (besides the input and the baseline)
     * @param enumerated    whether every coalition was scored (exact values)
     */
    public record Result(Explanation explanation, Segmentation superpixels, double[] phi, double baselineScore,
                         double inputScore, int coalitions, boolean enumerated) {
    }

    public KernelShap(Params params) {
        super(NAME, params);
    }

    @Override
    protected Explanation attribute(Run run) throws OrtException {
        return shapleyValues(run).explanation();
    }

    /** The explanation together with the superpixels and their Shapley values. */
    public Result shapleyValues(CatalogModel model, float[] input, int targetClass, long seed) throws OrtException {
        return shapleyValues(start(model, input, targetClass, seed));
    }

    private Result shapleyValues(Run run) throws OrtException {
        Params params = params();
        ModelSpec spec = run.spec;
        float[] input = run.input;
        Preprocessor layout = run.layout;
        Segmentation seg = superpixels(spec, layout, input);
        int m = seg.count();
        float[] fill = Perturbation.perChannel(params.baseline(), input, spec);

        boolean enumerate = m < 31 && (1L << m) - 2 <= params.samples();
        Map<BitSet, Double> weights = enumerate ? allCoalitions(m) : sampledCoalitions(m, new SplittableRandom(run.seed));
        List<BitSet> coalitions = new ArrayList<>(weights.keySet());
        coalitions.add(new BitSet(m)); // nothing kept: the baseline score, scored last
        double[] scores = new double[coalitions.size()];
        int size = spec.inputSize();
        Inputs inputs = new Inputs(seg, layout, spec, input, fill);
        float[] batch = null;
        for (int first = 0; first < coalitions.size(); first += params.batchSize()) {
            int n = Math.min(params.batchSize(), coalitions.size() - first);
            if (batch == null || batch.length != n * size) {
                batch = new float[n * size]; // every value is written, so a batch's array serves the next
            }
            for (int i = 0; i < n; i++) {
                inputs.write(coalitions.get(first + i), batch, i * size);
            }
            float[][] out = run.runner.raw(batch, n);
            for (int i = 0; i < n; i++) {
                scores[first + i] = Perturbation.score(run.runner, out[i], run.target, params.score());
            }
        }
        double base = scores[scores.length - 1];
        double full = Perturbation.score(run.runner, run.raw, run.target, params.score());
        double[] phi = solve(m, coalitions.subList(0, coalitions.size() - 1), weights, scores, base, full);

        int[] sizes = seg.sizes();
        float[] values = new float[spec.width() * spec.height()];
        for (int p = 0; p < values.length; p++) {
            int l = seg.labels()[p];
            values[p] = (float) (phi[l] / sizes[l]);
        }
        Explanation e = run.explanation(new AttributionMap(spec.width(), spec.height(), values));
        return new Result(e, seg, phi, base, full, coalitions.size() - 1, enumerate);
    }

    /**
     * The input with a coalition's superpixels kept and the others at the baseline, written as
     * runs of consecutive tensor positions in one superpixel (a few thousand array copies per
     * coalition at 224x224 instead of a superpixel look-up per value).
     */
    private static final class Inputs {
        private final float[] input;
        /** The input with every superpixel removed. */
        private final float[] removed;
        /** Run r covers positions start[r] .. start[r + 1] - 1, all in superpixel label[r]. */
        private final int[] start;
        private final int[] label;
        private final boolean[] kept;

        Inputs(Segmentation seg, Preprocessor layout, ModelSpec spec, float[] input, float[] fill) {
            this.input = input;
            int size = spec.inputSize();
            int[] labelAt = new int[size];
            removed = new float[size];
            for (int c = 0; c < spec.channels(); c++) {
                for (int y = 0; y < spec.height(); y++) {
                    for (int x = 0; x < spec.width(); x++) {
                        int at = layout.index(c, y, x);
                        labelAt[at] = seg.labels()[y * spec.width() + x];
                        removed[at] = fill[c];
                    }
                }
            }
            int runs = 1;
            for (int at = 1; at < size; at++) {
                runs += labelAt[at] != labelAt[at - 1] ? 1 : 0;
            }
            start = new int[runs + 1];
            label = new int[runs];
            for (int at = 0, r = 0; at < size; at++) {
                if (at == 0 || labelAt[at] != labelAt[at - 1]) {
                    start[r] = at;
                    label[r++] = labelAt[at];
                }
            }
            start[runs] = size;
            kept = new boolean[seg.count()];
        }

        void write(BitSet coalition, float[] batch, int offset) {
            for (int j = 0; j < kept.length; j++) {
                kept[j] = coalition.get(j);
            }
            for (int r = 0; r < label.length; r++) {
                System.arraycopy(kept[label[r]] ? input : removed, start[r], batch, offset + start[r], start[r + 1] - start[r]);
            }
        }
    }

    private Segmentation superpixels(ModelSpec spec, Preprocessor layout, float[] input) {
        int w = spec.width();
        int h = spec.height();
        if (params().superpixels() == Superpixels.GRID) {
            return Segmentation.grid(w, h, params().grid(), params().grid());
        }
        // SLIC wants the picture: undo the normalisation, and put colour planes in R, G, B order
        float[][] planes = new float[spec.channels()][w * h];
        boolean bgr = spec.channels() == 3 && spec.colorOrder() == ModelSpec.ColorOrder.BGR;
        for (int c = 0; c < spec.channels(); c++) {
            int plane = bgr ? 2 - c : c;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    planes[plane][y * w + x] = (float) ((input[layout.index(c, y, x)] * spec.std()[c] + spec.mean()[c]) / spec.pixelScale());
                }
            }
        }
        return Slic.segment(planes, w, h, params().segments(), params().compactness());
    }

    /** Every coalition but the empty and the full one, with its Shapley kernel weight. */
    private static Map<BitSet, Double> allCoalitions(int m) {
        Map<BitSet, Double> all = new LinkedHashMap<>();
        for (long bits = 1; bits < (1L << m) - 1; bits++) {
            BitSet z = BitSet.valueOf(new long[] {bits});
            int s = z.cardinality();
            all.put(z, (m - 1) / (binomial(m, s) * s * (m - s)));
        }
        return all;
    }

    /** Coalitions drawn from the kernel's distribution in complementary pairs, weighted by count. */
    private Map<BitSet, Double> sampledCoalitions(int m, SplittableRandom rnd) {
        double[] cumulative = new double[m];
        for (int s = 1; s < m; s++) {
            cumulative[s] = cumulative[s - 1] + 1.0 / (s * (m - s));
        }
        Map<BitSet, Double> counts = new LinkedHashMap<>();
        int[] order = new int[m];
        for (int drawn = 0; drawn + 1 < params().samples(); drawn += 2) {
            double u = rnd.nextDouble() * cumulative[m - 1];
            int s = 1;
            while (cumulative[s] < u) {
                s++;
            }
            for (int i = 0; i < m; i++) {
                order[i] = i;
            }
            BitSet z = new BitSet(m);
            for (int i = 0; i < s; i++) { // the first s of a partial Fisher-Yates shuffle
                int j = i + rnd.nextInt(m - i);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
                z.set(order[i]);
            }
            BitSet complement = (BitSet) z.clone();
            complement.flip(0, m);
            counts.merge(z, 1.0, Double::sum);
            counts.merge(complement, 1.0, Double::sum);
        }
        return counts;
    }

    /**
     * Weighted least squares for phi with sum phi = full - base: phi[m-1] is replaced by
     * (full - base) - sum of the others, leaving m - 1 unknowns in the normal equations.
     */
    static double[] solve(int m, List<BitSet> coalitions, Map<BitSet, Double> weights, double[] scores,
                          double base, double full) {
        double delta = full - base;
        double[] phi = new double[m];
        if (m == 1) {
            phi[0] = delta;
            return phi;
        }
        int k = m - 1;
        double[][] ata = new double[k][k];
        double[] atb = new double[k];
        double[] row = new double[k];
        for (int i = 0; i < coalitions.size(); i++) {
            BitSet z = coalitions.get(i);
            double w = weights.get(z);
            double last = z.get(k) ? 1 : 0;
            for (int j = 0; j < k; j++) {
                row[j] = (z.get(j) ? 1 : 0) - last;
            }
            double b = scores[i] - base - last * delta;
            for (int a = 0; a < k; a++) {
                if (row[a] == 0) {
                    continue;
                }
                atb[a] += w * row[a] * b;
                for (int c = 0; c < k; c++) {
                    ata[a][c] += w * row[a] * row[c];
                }
            }
        }
        double[] x = LinearSystems.solveSymmetric(ata, atb);
        double sum = 0;
        for (int j = 0; j < k; j++) {
            phi[j] = x[j];
            sum += x[j];
        }
        phi[k] = delta - sum;
        return phi;
    }

    private static double binomial(int n, int k) {
        double r = 1;
        for (int i = 1; i <= k; i++) {
            r = r * (n - k + i) / i;
        }
        return r;
    }
}
