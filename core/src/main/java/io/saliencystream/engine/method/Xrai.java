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

        /** Reads "score" (logodds), "steps" (32), "scales" ("50,100,150,250,500,1200"), "min_size" (20), "batch_size" (16). */
        public static Params from(Map<String, String> p) {
            ParameterReader r = new ParameterReader(NAME, p);
            Params params = new Params(r.choice("score", TargetScore.class, TargetScore.LOGODDS), r.integer("steps", 32),
                    r.parsed("scales", "50,100,150,250,500,1200", list -> {
                        List<Double> scales = new ArrayList<>();
                        for (String s : list.split(",")) {
                            scales.add(ParameterReader.finite(s.trim()));
                        }
                        return scales;
                    }), r.integer("min_size", 20), r.integer("batch_size", 16));
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
        List<int[]> regions = new ArrayList<>();
        List<Double> regionScale = new ArrayList<>();
        for (double scale : params.scales()) {
            int[] labels = Felzenszwalb.segment(planes, w, h, scale, params.minSize());
            int count = 0;
            for (int l : labels) {
                count = Math.max(count, l + 1);
            }
            int[] sizes = new int[count];
            for (int l : labels) {
                sizes[l]++;
            }
            int[][] members = new int[count][];
            int[] filled = new int[count];
            for (int l = 0; l < count; l++) {
                members[l] = new int[sizes[l]];
            }
            for (int i = 0; i < labels.length; i++) {
                members[labels[i]][filled[labels[i]]++] = i;
            }
            for (int[] m : members) {
                regions.add(m);
                regionScale.add(scale);
            }
        }
        float[] map = new float[w * h];
        boolean[] covered = new boolean[w * h];
        boolean[] used = new boolean[regions.size()];
        Map<String, Double> diagnostics = new LinkedHashMap<>();
        int chosen = 0;
        int remaining = w * h;
        while (remaining > 0) {
            int best = -1;
            double bestDensity = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < regions.size(); i++) {
                if (used[i]) {
                    continue;
                }
                double sum = 0;
                int n = 0;
                for (int p : regions.get(i)) {
                    if (!covered[p]) {
                        sum += pixels[p];
                        n++;
                    }
                }
                if (n == 0) {
                    used[i] = true;
                } else if (sum / n > bestDensity) {
                    bestDensity = sum / n;
                    best = i;
                }
            }
            used[best] = true;
            int added = 0;
            for (int p : regions.get(best)) {
                if (!covered[p]) {
                    covered[p] = true;
                    map[p] = (float) bestDensity;
                    added++;
                }
            }
            remaining -= added;
            if (chosen < 10) {
                diagnostics.put("region." + chosen + ".density", bestDensity);
                diagnostics.put("region." + chosen + ".pixels", (double) added);
                diagnostics.put("region." + chosen + ".scale", regionScale.get(best));
            }
            chosen++;
        }
        diagnostics.put("regions", (double) chosen);
        diagnostics.put("completenessError", r.completenessError());
        return run.explanation(new AttributionMap(w, h, map), diagnostics);
    }
}
