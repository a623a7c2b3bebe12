package io.saliencystream.engine.method;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.AttributionMap;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.gradient.GradientModels;
import io.saliencystream.engine.gradient.TargetScore;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.segment.Felzenszwalb;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * XRAI (Kapishnikov et al., 2019): Integrated Gradients averaged over a black and a white baseline,
 * summed over channels per pixel, then attributed to regions. Candidate regions are the
 * Felzenszwalb segments of the input at several scales; greedily, the candidate whose not yet
 * covered pixels have the highest mean attribution is added, and those pixels take that mean as
 * their value, until the image is covered. So the map is constant on each chosen region and
 * ranks regions by attribution density. Unlike the paper, segments are not dilated.
 *
 * <p>Diagnostics: "regions" (count chosen), and for the first ten in rank order
 * "region.R.density", "region.R.pixels", "region.R.scale"; plus IG's completeness figures.
 */
public final class Xrai extends AttributionMethod<Xrai.Params> {

    public static final String NAME = "xrai";

    public record Params(TargetScore score, int steps, List<Double> scales, int minSize, int batchSize) implements Parameters {
        public Params {
            scales = List.copyOf(scales);
            if (steps <= 0 || batchSize <= 0 || minSize < 1 || scales.isEmpty() || scales.stream().anyMatch(s -> !(s > 0))) {
                throw new IllegalArgumentException("xrai needs positive steps, batch_size, min_size and scales; got "
                        + steps + ", " + batchSize + ", " + minSize + ", " + scales);
            }
        }

        /** Reads "score" (logodds), "steps" (32), "scales" ("50,100,150,250,500,1200"), "min_size" (20), "batch_size" (8). */
        public static Params from(Map<String, String> p) {
            ParameterReader r = new ParameterReader(NAME, p);
            Params params = new Params(r.choice("score", TargetScore.class, TargetScore.LOGODDS), r.integer("steps", 32),
                    r.parsed("scales", "50,100,150,250,500,1200", list -> {
                        List<Double> scales = new ArrayList<>();
                        for (String s : list.split(",")) {
                            scales.add(ParameterReader.finite(s.trim()));
                        }
                        return scales;
                    }), r.integer("min_size", 20), r.integer("batch_size", GradientRuns.DEFAULT_BATCH));
            r.finish();
            return params;
        }

        @Override
        public Map<String, String> asMap() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("score", ParameterReader.id(score));
            m.put("steps", Integer.toString(steps));
            m.put("scales", String.join(",", scales.stream().map(String::valueOf).toList()));
            m.put("min_size", Integer.toString(minSize));
            m.put("batch_size", Integer.toString(batchSize));
            return m;
        }
    }

    private final GradientModels cache;

    public Xrai(Params params, GradientModels cache) {
        super(NAME, params);
        this.cache = cache;
    }

    @Override
    protected Explanation attribute(Run run) throws OrtException {
        Params params = params();
        float[] input = run.input;
        IntegratedGradients ig = new IntegratedGradients(new IntegratedGradients.Params(params.score(),
                List.of(Baseline.BLACK, Baseline.WHITE), params.steps(), IntegrationRule.RIEMANN_MIDDLE, 5, params.batchSize()), cache);
        IntegratedGradients.Result r = ig.integrate(run);
        GradientRuns runs = r.runs();
        float[] pixels = runs.channelSum(r.attribution()).values();
        ModelSpec spec = run.spec;
        int w = spec.width();
        int h = spec.height();
        float[][] planes = new float[spec.channels()][w * h];
        for (int c = 0; c < planes.length; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    planes[c][y * w + x] = input[runs.layout.index(c, y, x)];
                }
            }
        }
        Felzenszwalb.Graph graph = Felzenszwalb.graph(planes, w, h);
        int[][] labels = new int[params.scales().size()][];
        for (int s = 0; s < labels.length; s++) {
            labels[s] = graph.segment(params.scales().get(s), params.minSize());
        }
        Selection selection = select(pixels, labels);
        Map<String, Double> diagnostics = new LinkedHashMap<>();
        for (int i = 0; i < Math.min(10, selection.regions().size()); i++) {
            Region region = selection.regions().get(i);
            diagnostics.put("region." + i + ".density", region.density());
            diagnostics.put("region." + i + ".pixels", (double) region.pixels());
            diagnostics.put("region." + i + ".scale", params.scales().get(region.scale()));
        }
        diagnostics.put("regions", (double) selection.regions().size());
        diagnostics.put("completenessError", r.completenessError());
        return run.explanation(new AttributionMap(w, h, selection.map()), diagnostics);
    }

    /** A chosen region: its segmentation (index into the scales), label there, density and the pixels it newly covered. */
    record Region(int scale, int label, double density, int pixels) {
    }

    /** The regions in the order chosen, and the map: each pixel the density of the region that covered it. */
    record Selection(float[] map, List<Region> regions) {
    }

    /**
     * The greedy choice: among the regions of every segmentation (scale by scale, label by label;
     * a tie goes to the first), the one whose uncovered pixels have the highest mean is chosen and
     * covers them, until every pixel is covered. Each region keeps its uncovered pixels in pixel
     * order with their sum, and only the regions that lose pixels to a choice are summed again, in
     * the same order, so every density is the sum a full rescan would give, bit for bit.
     *
     * @param pixels the attribution per pixel, finite
     * @param labels per segmentation, a label per pixel numbered from 0
     */
    static Selection select(float[] pixels, int[][] labels) {
        int n = pixels.length;
        int scales = labels.length;
        int[] first = new int[scales + 1];
        for (int s = 0; s < scales; s++) {
            int count = 0;
            for (int l : labels[s]) {
                count = Math.max(count, l + 1);
            }
            first[s + 1] = first[s] + count;
        }
        int regions = first[scales];
        int[] start = new int[regions + 1];
        for (int s = 0; s < scales; s++) {
            for (int l : labels[s]) {
                start[first[s] + l + 1]++;
            }
        }
        for (int r = 0; r < regions; r++) {
            start[r + 1] += start[r];
        }
        int[] left = new int[regions];
        int[] members = new int[start[regions]];
        for (int s = 0; s < scales; s++) {
            for (int p = 0; p < n; p++) {
                int r = first[s] + labels[s][p];
                members[start[r] + left[r]++] = p;
            }
        }
        double[] density = new double[regions];
        for (int r = 0; r < regions; r++) {
            double sum = 0;
            for (int k = start[r]; k < start[r] + left[r]; k++) {
                sum += pixels[members[k]];
            }
            density[r] = sum / left[r];
        }
        float[] map = new float[n];
        boolean[] covered = new boolean[n];
        boolean[] touched = new boolean[regions];
        int[] changed = new int[regions];
        List<Region> chosen = new ArrayList<>();
        int remaining = n;
        while (remaining > 0) {
            int best = -1;
            double bestDensity = Double.NEGATIVE_INFINITY;
            for (int r = 0; r < regions; r++) {
                if (left[r] > 0 && density[r] > bestDensity) {
                    bestDensity = density[r];
                    best = r;
                }
            }
            if (best < 0) {
                throw new IllegalArgumentException("xrai needs finite attributions to rank regions");
            }
            int changes = 0;
            for (int k = start[best]; k < start[best] + left[best]; k++) {
                int p = members[k];
                covered[p] = true;
                map[p] = (float) bestDensity;
                for (int s = 0; s < scales; s++) {
                    int r = first[s] + labels[s][p];
                    if (!touched[r]) {
                        touched[r] = true;
                        changed[changes++] = r;
                    }
                }
            }
            int added = left[best];
            remaining -= added;
            for (int c = 0; c < changes; c++) {
                int r = changed[c];
                touched[r] = false;
                int kept = start[r];
                double sum = 0;
                for (int k = start[r]; k < start[r] + left[r]; k++) {
                    int p = members[k];
                    if (!covered[p]) {
                        members[kept++] = p;
                        sum += pixels[p];
                    }
                }
                left[r] = kept - start[r];
                density[r] = sum / left[r];
            }
            int scale = 0;
            while (first[scale + 1] <= best) {
                scale++;
            }
            chosen.add(new Region(scale, best - first[scale], bestDensity, added));
        }
        return new Selection(map, chosen);
    }
}
