package io.saliencystream.engine.method;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.AttributionMap;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.gradient.TargetScore;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelRunner;
import io.saliencystream.engine.model.ModelSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RISE (Petsiuk et al., 2018): the model scores the input under many random smooth masks
 * (removed parts set to {@code baseline}); a pixel's saliency for class c is
 * sum_i score_c(x masked by M_i) M_i(pixel) / (n p), the expected score when the pixel is kept.
 * Only the target's map is accumulated; every class's map comes from the same forward passes when
 * asked for ({@link #explainAllClasses}).
 *
 * <p>Masks come from a {@link RiseMaskBank} cached per (input size, cells, p, masks, maskSeed),
 * so a stream of events reuses one bank. Presets: "4x4" = 1000 masks on a 4x4 grid, "8x8" = 5000
 * on 8x8, "12x12" = 10000 on 12x12; "masks" and "cells" override them.
 *
 * <p>Early stop: every {@code checkEvery} masks, once {@code minMasks} are used, the target's
 * running map is centred (mean subtracted) and scaled to unit L2 norm; when the L2 distance
 * between two consecutive such maps is below {@code tolerance} at two consecutive checks, RISE
 * stops. {@code tolerance} 0 always uses every mask. Masks used = model evaluations - 1.
 *
 * <p>Cost: 1 + one call per batch of at most {@code batchSize} masks (with early stop on,
 * batches also end at each check).
 */
public final class Rise extends AttributionMethod<Rise.Params> {

    public static final String NAME = "rise";

    private static final Map<String, int[]> PRESETS = Map.of(
            "4x4", new int[] {4, 1000}, "8x8", new int[] {8, 5000}, "12x12", new int[] {12, 10000});

    /**
     * @param cells      side of the random grid
     * @param masks      most masks to use
     * @param p          probability that a grid cell keeps the input
     * @param baseline   what removed pixels take: a number in normalised units, or "median"
     * @param batchSize  masked inputs per model call
     * @param tolerance  early-stop threshold on the change of the normalised map; 0 disables
     * @param minMasks   masks used before early stop is considered
     * @param checkEvery masks between convergence checks
     * @param maskSeed   seed of the mask bank (not the event's seed, so banks are shared)
     * @param score      the class score that is averaged: probability as in the paper, log-odds or raw
     */
    public record Params(int cells, int masks, double p, String baseline, int batchSize, double tolerance,
                         int minMasks, int checkEvery, long maskSeed, TargetScore score) implements Parameters {
        public Params {
            if (cells <= 0 || masks <= 0 || batchSize <= 0 || minMasks < 0 || checkEvery <= 0) {
                throw new IllegalArgumentException("rise needs positive cells, masks, batchSize, checkEvery and minMasks >= 0; got cells "
                        + cells + ", masks " + masks + ", batchSize " + batchSize + ", checkEvery " + checkEvery + ", minMasks " + minMasks);
            }
            if (!(p > 0 && p < 1)) {
                throw new IllegalArgumentException("rise p must lie strictly between 0 and 1, got " + p);
            }
            if (!(tolerance >= 0 && Double.isFinite(tolerance))) {
                throw new IllegalArgumentException("rise tolerance must be a finite number >= 0, got " + tolerance);
            }
            if (score == null) {
                throw new IllegalArgumentException("rise needs a score");
            }
            baseline = Perturbation.check(NAME, baseline);
        }

        /**
         * Reads "preset" (4x4, 8x8, 12x12; default 4x4), "cells", "masks" (override the preset),
         * "p" (0.5), "baseline" (0), "batch_size" (8), "tolerance" (0.01), "min_masks" (a quarter
         * of masks), "check_every" (100), "mask_seed" (0), "score" (probability).
         */
        public static Params from(Map<String, String> p) {
            ParameterReader r = new ParameterReader(NAME, p);
            int[] preset = r.parsed("preset", "4x4", name -> {
                int[] known = PRESETS.get(name);
                if (known == null) {
                    throw new IllegalArgumentException("unknown value '" + name + "'; valid: 4x4, 8x8, 12x12");
                }
                return known;
            });
            int cells = r.integer("cells", preset[0]);
            int masks = r.integer("masks", preset[1]);
            Params params = new Params(cells, masks, r.number("p", 0.5), r.text("baseline", "0"), r.integer("batch_size", 8),
                    r.number("tolerance", 0.01), r.integer("min_masks", masks / 4), r.integer("check_every", 100),
                    r.whole("mask_seed", 0), r.choice("score", TargetScore.class, TargetScore.PROBABILITY));
            r.finish();
            return params;
        }

        @Override
        public Map<String, String> asMap() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("cells", Integer.toString(cells));
            m.put("masks", Integer.toString(masks));
            m.put("p", Double.toString(p));
            m.put("baseline", baseline);
            m.put("batch_size", Integer.toString(batchSize));
            m.put("tolerance", Double.toString(tolerance));
            m.put("min_masks", Integer.toString(minMasks));
            m.put("check_every", Integer.toString(checkEvery));
            m.put("mask_seed", Long.toString(maskSeed));
            m.put("score", ParameterReader.id(score));
            return m;
        }
    }

    /**
     * Every class's map from one run.
     *
     * @param maps      per class, row-major width x height
     * @param masksUsed masks scored before stopping
     * @param converged whether the early-stop criterion stopped the run
     */
    public record AllClasses(Explanation target, float[][] maps, int masksUsed, boolean converged) {

        /** The explanation for class {@code c}, from the same forward passes as {@link #target}. */
        public Explanation forClass(int c) {
            Explanation t = target;
            return new Explanation(t.method(), t.parameters(), t.seed(), c, t.scores()[c], t.scores(),
                    new AttributionMap(t.map().width(), t.map().height(), maps[c]), t.modelCalls(),
                    t.modelEvaluations(), t.durationNanos());
        }
    }

    public Rise(Params params) {
        super(NAME, params);
    }

    @Override
    protected Explanation attribute(Run run) throws OrtException {
        Scores scores = score(run, false);
        return run.explanation(new AttributionMap(run.spec.width(), run.spec.height(), scores.targetMap()));
    }

    /**
     * Runs RISE once and keeps every class's map; {@code targetClass} drives early stopping. Costs
     * classes x pixels x masks multiply-adds on top of the model calls (one blocked product of the
     * score matrix with the masks), so use it only when every class is wanted.
     */
    public AllClasses explainAllClasses(CatalogModel model, float[] input, int targetClass, long seed) throws OrtException {
        Run run = start(model, input, targetClass, seed);
        Scores scores = score(run, true);
        float[][] maps = scores.allMaps();
        return new AllClasses(run.explanation(new AttributionMap(run.spec.width(), run.spec.height(), maps[run.target])),
                maps, scores.used, scores.converged);
    }

    /** What one RISE run gathers: the target's running sums and, when all classes are asked, every mask's score row. */
    private final class Scores {
        final RiseMaskBank bank;
        final double[] targetSums;
        final int classes;
        final List<float[]> rows;
        int used;
        boolean converged;

        Scores(RiseMaskBank bank, int pixels, int classes, boolean allClasses) {
            this.bank = bank;
            this.targetSums = new double[pixels];
            this.classes = classes;
            this.rows = allClasses ? new ArrayList<>() : null;
        }

        float[] targetMap() {
            float[] map = new float[targetSums.length];
            double norm = used * params().p();
            for (int j = 0; j < map.length; j++) {
                map[j] = (float) (targetSums[j] / norm);
            }
            return map;
        }

        /**
         * maps = scores^T x masks / (used p), in blocks of masks (expanded once from the bank) and
         * of pixels (so a block's masks and the map rows they update stay in cache).
         */
        float[][] allMaps() {
            int pixels = targetSums.length;
            float[][] maps = new float[classes][pixels];
            float[][] masks = new float[Math.min(MASK_BLOCK, used)][pixels];
            float norm = (float) (1 / (used * params().p()));
            for (int first = 0; first < used; first += MASK_BLOCK) {
                int n = Math.min(MASK_BLOCK, used - first);
                for (int i = 0; i < n; i++) {
                    bank.mask(first + i, masks[i]);
                }
                for (int from = 0; from < pixels; from += PIXEL_BLOCK) {
                    int to = Math.min(pixels, from + PIXEL_BLOCK);
                    for (int k = 0; k < classes; k++) {
                        float[] map = maps[k];
                        for (int i = 0; i < n; i++) {
                            float s = rows.get(first + i)[k] * norm;
                            float[] m = masks[i];
                            for (int j = from; j < to; j++) {
                                map[j] += s * m[j];
                            }
                        }
                    }
                }
            }
            return maps;
        }
    }

    private static final int MASK_BLOCK = 32;
    private static final int PIXEL_BLOCK = 2048;

    private Scores score(Run run, boolean allClasses) throws OrtException {
        Params params = params();
        ModelSpec spec = run.spec;
        float[] input = run.input;
        int w = spec.width();
        int h = spec.height();
        int pixels = w * h;
        int channels = spec.channels();
        int[] channelIndex = channelIndex(spec);
        float[] fill = Perturbation.perChannel(params.baseline(), input, spec);
        Scores scores = new Scores(RiseMaskBank.of(new RiseMaskBank.Key(w, h, params.cells(), params.p(),
                params.masks(), params.maskSeed())), pixels, run.probabilities.length, allClasses);
        int size = spec.inputSize();
        float[][] batchMasks = new float[params.batchSize()][pixels];
        // every value of a batch is written below, so full batches share one array (fresh ones of
        // tens of MB were allocated, zeroed and faulted in per call)
        float[] fullBatch = new float[params.batchSize() * size];
        double[] previous = null;
        int quietChecks = 0;
        while (scores.used < params.masks() && !scores.converged) {
            // with early stop on, batches end at each check so checks see the same mask counts at any batch size
            int toCheck = params.tolerance() > 0 ? params.checkEvery() - scores.used % params.checkEvery() : Integer.MAX_VALUE;
            int n = Math.min(Math.min(params.batchSize(), toCheck), params.masks() - scores.used);
            float[] batch = n == params.batchSize() ? fullBatch : new float[n * size];
            for (int i = 0; i < n; i++) {
                float[] m = batchMasks[i];
                scores.bank.mask(scores.used + i, m);
                int offset = i * size;
                int stride = channelIndex[channels];
                for (int c = 0; c < channels; c++) {
                    float f = fill[c];
                    int base = channelIndex[c];
                    for (int j = 0; j < pixels; j++) {
                        int at = base + j * stride;
                        float keep = m[j];
                        batch[offset + at] = input[at] * keep + f * (1 - keep);
                    }
                }
            }
            float[][] outputs = run.runner.raw(batch, n);
            for (int i = 0; i < n; i++) {
                float[] m = batchMasks[i];
                double s;
                if (scores.rows != null) {
                    float[] row = scoreRow(run.runner, outputs[i], params.score());
                    scores.rows.add(row);
                    s = row[run.target];
                } else {
                    s = Perturbation.score(run.runner, outputs[i], run.target, params.score());
                }
                double[] sum = scores.targetSums;
                for (int j = 0; j < pixels; j++) {
                    sum[j] += s * m[j];
                }
            }
            scores.used += n;
            if (params.tolerance() > 0 && scores.used % params.checkEvery() == 0 && scores.used >= params.minMasks()) {
                double[] current = centredUnit(scores.targetSums);
                if (previous != null && distance(previous, current) < params.tolerance()) {
                    quietChecks++;
                    scores.converged = quietChecks >= 2;
                } else {
                    quietChecks = 0;
                }
                previous = current;
            }
        }
        return scores;
    }

    /**
     * Where channel c of pixel j sits in an input: channelIndex[c] + j * channelIndex[channels]
     * (NCHW: planes of width x height; NHWC: channels interleaved).
     */
    private static int[] channelIndex(ModelSpec spec) {
        int channels = spec.channels();
        int[] index = new int[channels + 1];
        boolean planar = spec.layout() == ModelSpec.Layout.NCHW;
        for (int c = 0; c < channels; c++) {
            index[c] = planar ? c * spec.width() * spec.height() : c;
        }
        index[channels] = planar ? 1 : channels;
        return index;
    }

    /** Every class's score from one raw output row, in O(classes). */
    static float[] scoreRow(ModelRunner runner, float[] raw, TargetScore score) {
        return switch (score) {
            case RAW -> raw.clone();
            case PROBABILITY -> runner.probabilities(raw);
            case LOGODDS -> {
                // log p_k - log(sum of the others) with that sum as total - p_k: exact enough while p_k is
                // below half the total; the one class that may lie above (or far below) goes the exact way
                float[] p = runner.probabilities(raw);
                double total = 0;
                for (float v : p) {
                    total += v;
                }
                float[] row = new float[p.length];
                for (int k = 0; k < p.length; k++) {
                    row[k] = p[k] < total / 2 && p[k] > 1e-20f
                            ? (float) (Math.log(p[k]) - Math.log(total - p[k]))
                            : (float) runner.logOdds(raw, k);
                }
                yield row;
            }
        };
    }

    /** The map minus its mean, scaled to unit L2 norm (all zeros stays zeros). */
    static double[] centredUnit(double[] map) {
        double mean = 0;
        for (double v : map) {
            mean += v;
        }
        mean /= map.length;
        double[] out = new double[map.length];
        double norm = 0;
        for (int i = 0; i < map.length; i++) {
            out[i] = map[i] - mean;
            norm += out[i] * out[i];
        }
        norm = Math.sqrt(norm);
        if (norm > 0) {
            for (int i = 0; i < out.length; i++) {
                out[i] /= norm;
            }
        }
        return out;
    }

    private static double distance(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(d);
    }
}
