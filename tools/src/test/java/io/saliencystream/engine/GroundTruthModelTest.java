package io.saliencystream.engine;

import io.saliencystream.engine.gradient.TargetScore;
import io.saliencystream.engine.method.KernelShap;
import io.saliencystream.engine.method.Occlusion;
import io.saliencystream.engine.method.Rise;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelRunner;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.engine.model.Preprocessor;
import io.saliencystream.testing.samples.GroundTruthSamples;
import io.saliencystream.tools.demo.DemoCatalog;

import io.saliencystream.quality.MapQuality;
import io.saliencystream.quality.Roi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The project's own ground-truth model (models/groundtruth, catalog "shapes:v1") on its 200
 * clean sample images with known shape boxes, and on 60 non-circles carrying the spurious
 * stamp it learnt as a cue for "circle". Bounds sit a little below what was measured (see the
 * README of models/groundtruth); each method's time per image is printed relative to one
 * forward pass of a single image.
 */
// real models over many images: tens of seconds, so run with the integration tests in `mvn verify`
@org.junit.jupiter.api.Tag("slow")
class GroundTruthModelTest {

    /** Box blur radius of the pointing game: a 5x5 mean, so one noisy pixel does not decide. */
    private static final int SMOOTH = 2;

    @TempDir
    static Path store;

    private static ModelCatalog catalog;
    private static CatalogModel model;
    private static Preprocessor preprocessor;
    private static double forwardNanos;

    @BeforeAll
    static void load() throws Exception {
        catalog = DemoCatalog.load(new ModelStore(store));
        model = catalog.require("shapes", "v1");
        preprocessor = new Preprocessor(model.spec());
        float[] x = preprocessor.tensor(GroundTruthSamples.clean().get(0).image());
        ModelRunner runner = new ModelRunner(model);
        for (int i = 0; i < 20; i++) {
            runner.raw(x, 1);
        }
        long start = System.nanoTime();
        int calls = 100;
        for (int i = 0; i < calls; i++) {
            runner.raw(x, 1);
        }
        forwardNanos = (System.nanoTime() - start) / (double) calls;
    }

    @AfterAll
    static void close() throws Exception {
        catalog.close();
    }

    private static Roi box(int[] b) {
        return Roi.ofPixels(b[0], b[1], b[2], b[3], 64, 64);
    }

    @Test
    void cleanAccuracyAndStampEffect() throws Exception {
        List<GroundTruthSamples.Sample> clean = GroundTruthSamples.clean();
        assertThat(clean).hasSize(200);
        assertThat(model.spec().labels()).isEqualTo(GroundTruthSamples.classes());
        int correct = 0;
        for (GroundTruthSamples.Sample s : clean) {
            correct += predict(s) == s.labelIndex() ? 1 : 0;
        }
        int fooled = 0;
        List<GroundTruthSamples.Sample> stamped = GroundTruthSamples.stamped();
        for (GroundTruthSamples.Sample s : stamped) {
            assertThat(s.labelIndex()).isNotZero();
            fooled += predict(s) == 0 ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "shapes:v1 clean accuracy %d/%d, stamped non-circles predicted circle %d/%d%n",
                correct, clean.size(), fooled, stamped.size());
        // measured 197/200 and 6/60 (held out in Python: 98.3 % clean accuracy, 13 % of stamped non-circles called circle)
        assertThat(correct).isGreaterThanOrEqualTo(195);
        assertThat(fooled).isGreaterThanOrEqualTo(3);
    }

    private static int predict(GroundTruthSamples.Sample s) throws Exception {
        ModelRunner runner = new ModelRunner(model);
        return ModelRunner.argmax(runner.scores(preprocessor.tensor(s.image()), 1)[0]);
    }

    private record Quality(double pointing, double roiMass, double timeRatio, double evaluations) {
    }

    private static Quality measure(Explainer explainer, List<GroundTruthSamples.Sample> samples, boolean centre) throws Exception {
        int hits = 0;
        double mass = 0;
        long nanos = 0;
        long evaluations = 0;
        for (int i = 0; i < samples.size(); i++) {
            GroundTruthSamples.Sample s = samples.get(i);
            Explanation e = explainer.explain(model, preprocessor.tensor(s.image()), s.labelIndex(), i);
            AttributionMap map = centre ? centred(e.map()) : e.map();
            List<Roi> roi = List.of(box(s.box()));
            hits += MapQuality.pointingGame(map, roi, SMOOTH) ? 1 : 0;
            mass += MapQuality.roiMass(map, roi);
            nanos += e.durationNanos();
            evaluations += e.modelEvaluations();
        }
        int n = samples.size();
        Quality q = new Quality((double) hits / n, mass / n, nanos / (double) n / forwardNanos, (double) evaluations / n);
        System.out.printf(Locale.ROOT, "%-10s pointing game %.3f, ROI mass %.3f, %.0f evaluations and %.0f forward passes' time per image (forward pass %.2f ms)%n",
                explainer.name(), q.pointing(), q.roiMass(), q.evaluations(), q.timeRatio(), forwardNanos / 1e6);
        return q;
    }

    /** RISE maps carry an offset of about p times the mean score everywhere; ROI mass is taken above the map's mean. */
    private static AttributionMap centred(AttributionMap map) {
        double mean = 0;
        for (float v : map.values()) {
            mean += v / map.values().length;
        }
        float[] out = new float[map.values().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (map.values()[i] - mean);
        }
        return new AttributionMap(map.width(), map.height(), out);
    }

    @Test
    void attributionMethodsPointAtTheShape() throws Exception {
        List<GroundTruthSamples.Sample> clean = GroundTruthSamples.clean();
        Quality occlusion = measure(new Occlusion(new Occlusion.Params(8, 4, "0", 128, TargetScore.LOGODDS)), clean, false);
        Quality rise = measure(new Rise(Rise.Params.from(Map.of("preset", "8x8", "masks", "500", "min_masks", "200",
                "tolerance", "0.05", "batch_size", "100"))), clean, true);
        Quality shap = measure(new KernelShap(KernelShap.Params.from(Map.of("superpixels", "slic", "segments", "40",
                "samples", "256", "batch_size", "128"))), clean, false);
        // the shape's box covers about a tenth of the image: a map blind to it would score about 0.1.
        // Measured (all seeded, so repeatable): occlusion 0.965 / 0.512, RISE 0.715 / 0.367, KernelSHAP 0.750 / 0.421
        assertThat(occlusion.pointing()).isGreaterThanOrEqualTo(0.94);
        assertThat(occlusion.roiMass()).isGreaterThanOrEqualTo(0.48);
        assertThat(rise.pointing()).isGreaterThanOrEqualTo(0.68);
        assertThat(rise.roiMass()).isGreaterThanOrEqualTo(0.33);
        assertThat(shap.pointing()).isGreaterThanOrEqualTo(0.72);
        assertThat(shap.roiMass()).isGreaterThanOrEqualTo(0.39);
    }

    @Test
    void theStampDrawsAttentionToTheCorner() throws Exception {
        // evidence for "circle" by occlusion (signed, 0 = no effect) in the corner around the stamp,
        // widened by the window's reach; clean images of all classes against stamped non-circles
        Occlusion occlusion = new Occlusion(new Occlusion.Params(8, 4, "0", 128, TargetScore.LOGODDS));
        Roi corner = Roi.ofPixels(50, 50, 64, 64, 64, 64);
        double clean = cornerMass(occlusion, GroundTruthSamples.clean().subList(0, 60), corner);
        double stamped = cornerMass(occlusion, GroundTruthSamples.stamped(), corner);
        System.out.printf(Locale.ROOT, "occlusion: share of the evidence for circle in the stamp's corner: clean %.3f, stamped %.3f%n",
                clean, stamped);
        // measured: clean 0.043, stamped 0.535
        assertThat(clean).isLessThan(0.08);
        assertThat(stamped).isGreaterThan(0.45);
    }

    private static double cornerMass(Explainer explainer, List<GroundTruthSamples.Sample> samples, Roi corner) throws Exception {
        double mass = 0;
        for (GroundTruthSamples.Sample s : samples) {
            Explanation e = explainer.explain(model, preprocessor.tensor(s.image()), 0, 0);
            mass += MapQuality.roiMass(e.map(), List.of(corner));
        }
        return mass / samples.size();
    }
}
