package io.saliencystream.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.saliencystream.engine.AttributionMap;
import io.saliencystream.engine.Explainer;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.input.ImageDecoder;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.method.Faithfulness;
import io.saliencystream.engine.method.Occlusion;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.engine.model.Preprocessor;
import io.saliencystream.quality.InterpretationBuckets;
import io.saliencystream.schema.Box;
import io.saliencystream.schema.EncodedImage;
import io.saliencystream.schema.ImageFormat;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.serde.AvroTrust;
import io.saliencystream.testing.samples.GroundTruthSamples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import javax.imageio.ImageIO;

/**
 * The map-quality fields of summaries (gini, ROI mass, pointing game, deletion and insertion
 * AUC) on the ground-truth model "shapes:v1": first with a method that returns a map fixed in
 * advance, so every value is known, then with occlusion and the shapes' true boxes as ROIs.
 */
class EngineEventExplainerQualityTest {

    private static final int SIZE = 64;
    /** The fixed map: +1 on the block x 40..47, y 8..15, -0.5 on x 8..15, y 40..47, 0 elsewhere. */
    private static final AttributionMap FIXED = fixedMap();

    @TempDir
    static Path store;

    private static ModelCatalog catalog;
    private static CatalogModel model;
    private static EngineEventExplainer fixed;

    @BeforeAll
    static void load() throws Exception {
        AvroTrust.install();
        catalog = ModelCatalog.fromResource("/models/test-catalog.json", new ModelStore(store));
        model = catalog.require("shapes", "v1");
        Explainer fixedMethod = new Explainer() {
            @Override
            public String name() {
                return "fixed";
            }

            @Override
            public Explanation explain(CatalogModel m, float[] input, int targetClass, long seed) {
                return new Explanation("fixed", Map.of(), seed, 0, 0.5f, new float[] {0.5f, 0.5f, 0, 0}, FIXED, 1, 1, 0);
            }
        };
        Map<String, Function<Map<String, String>, Explainer>> methods = new HashMap<>(ExplanationEngine.defaultMethods());
        methods.put("fixed", p -> fixedMethod);
        fixed = explainer(new ExplanationEngine(methods), new ModelSpec.MethodSpec("fixed", Map.of()));
    }

    @AfterAll
    static void close() throws Exception {
        catalog.close();
    }

    private static EngineEventExplainer explainer(ExplanationEngine engine, ModelSpec.MethodSpec sampled) {
        return new EngineEventExplainer(catalog, engine, new EventInputs(ImageDecoder.withDefaults(), 1 << 20, Optional.empty()),
                4, 4, Map.of(), Clock.systemUTC(), Map.of(Selection.SAMPLED, sampled), Set.of("low-confidence"),
                InterpretationBuckets.defaults(), TargetRules.unconfigured());
    }

    private static AttributionMap fixedMap() {
        float[] v = new float[SIZE * SIZE];
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                v[(8 + y) * SIZE + 40 + x] = 1f;
                v[(40 + y) * SIZE + 8 + x] = -0.5f;
            }
        }
        return new AttributionMap(SIZE, SIZE, v);
    }

    private static Box roi(double x, double y, double w, double h) {
        return Box.newBuilder().setX((float) x).setY((float) y).setWidth((float) w).setHeight((float) h).build();
    }

    private static SaliencySummary summary(EngineEventExplainer explainer, BufferedImage image, List<Box> rois,
                                           Selection selection) throws Exception {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        InferenceEvent event = InferenceEvent.newBuilder()
                .setEventId("q").setEventTime(Instant.EPOCH).setModelName("shapes").setModelVersion("v1")
                .setInput(new EncodedImage(ImageFormat.PNG, ByteBuffer.wrap(png.toByteArray())))
                .setRegionsOfInterest(rois).build();
        return explainer.explain(event, selection).get(0).summary();
    }

    private static SaliencySummary fixedSummary(List<Box> rois) throws Exception {
        return summary(fixed, GroundTruthSamples.clean().get(0).image(), rois, Selection.of(true, List.of()));
    }

    @Test
    void giniOfTheFixedMapMatchesThePairwiseDefinition() throws Exception {
        // G = sum_ij |a_i - a_j| / (2 n sum a): 64 pixels of 1, 64 of 0.5, 3968 of 0
        double pairs = 2 * 64 * 3968 * 1.0 + 2 * 64 * 3968 * 0.5 + 2 * 64 * 64 * 0.5;
        double expected = pairs / (2.0 * SIZE * SIZE * (64 * 1.0 + 64 * 0.5));
        assertThat((double) fixedSummary(List.of()).getGini()).isCloseTo(expected, within(1e-5));
    }

    @Test
    void withoutRoisTheRoiFieldsAreNull() throws Exception {
        SaliencySummary s = fixedSummary(List.of());
        assertThat(s.getRoiMass()).isNull();
        assertThat(s.getPointingGame()).isNull();
    }

    @Test
    void anRoiCoveringTheWholeImageHoldsAllPositiveMassAndThePeak() throws Exception {
        SaliencySummary s = fixedSummary(List.of(roi(0, 0, 1, 1)));
        assertThat(s.getRoiMass()).isEqualTo(1f);
        assertThat(s.getPointingGame()).isTrue();
    }

    @Test
    void anRoiInAnEmptyCornerHoldsNothing() throws Exception {
        // bottom right: no attribution there at all
        SaliencySummary s = fixedSummary(List.of(roi(0.75, 0.75, 0.25, 0.25)));
        assertThat(s.getRoiMass()).isEqualTo(0f);
        assertThat(s.getPointingGame()).isFalse();
    }

    @Test
    void roiMassCountsOnlyPositiveAttributionInTheUnionOfRois() throws Exception {
        // left half of the positive block (x 40..43) plus the whole negative block: half the positive mass
        SaliencySummary half = fixedSummary(List.of(roi(40.0 / SIZE, 0, 4.0 / SIZE, 0.5), roi(0, 0.5, 0.5, 0.5)));
        assertThat((double) half.getRoiMass()).isCloseTo(0.5, within(1e-6));
        assertThat(half.getPointingGame()).isTrue();
        // boxes reaching past the image are clipped to it
        SaliencySummary clipped = fixedSummary(List.of(roi(0.5, -0.5, 0.9, 1.0)));
        assertThat(clipped.getRoiMass()).isEqualTo(1f);
    }

    @Test
    void anRoiWithNoAreaInsideTheImageIsRejectedWithItsCode() {
        assertThatThrownBy(() -> fixedSummary(List.of(roi(1.2, 0.1, 0.3, 0.3))))
                .isInstanceOfSatisfying(RejectedInputException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCodes.INVALID_REGION_OF_INTEREST);
                    assertThat(e.getMessage()).contains("x=1.2").contains("no area inside the image");
                });
    }

    @Test
    void faithfulnessIsComputedOnlyForConfiguredReasonsAndItsCallsAreCounted() throws Exception {
        BufferedImage image = GroundTruthSamples.clean().get(0).image();
        SaliencySummary sampled = summary(fixed, image, List.of(), Selection.of(true, List.of()));
        assertThat(sampled.getDeletionAuc()).isNull();
        assertThat(sampled.getInsertionAuc()).isNull();
        // the explanation's one call, then the signal check's: 2 + 8 shifted masks in one call
        assertThat(sampled.getModelCalls()).isEqualTo(1 + 1);
        assertThat(sampled.getModelEvaluations()).isEqualTo(1 + 10);

        SaliencySummary flagged = summary(fixed, image, List.of(), Selection.of(true, List.of(Selection.FLAG_LOW_CONFIDENCE)));
        Faithfulness.Curves curves = new Faithfulness(Faithfulness.Params.from(Map.of()))
                .evaluate(model, new Preprocessor(model.spec()).tensor(image), FIXED, 0);
        assertThat((double) flagged.getDeletionAuc()).isCloseTo(curves.deletionAuc(), within(1e-6));
        assertThat((double) flagged.getInsertionAuc()).isCloseTo(curves.insertionAuc(), within(1e-6));
        assertThat(flagged.getDeletionAuc()).isBetween(0f, 1f);
        assertThat(flagged.getInsertionAuc()).isBetween(0f, 1f);
        // default curves: 2 x 17 points in one batch of 34
        assertThat(flagged.getModelCalls()).isEqualTo(1 + 1 + 1);
        assertThat(flagged.getModelEvaluations()).isEqualTo(1 + 10 + 34);
    }

    @Test
    void occlusionOnTheShapesModelPointsAtTheTrueBox() throws Exception {
        EngineEventExplainer occlusion = explainer(new ExplanationEngine(), new ModelSpec.MethodSpec(Occlusion.NAME,
                Map.of("window", "8", "stride", "4", "baseline", "0", "score", "logodds")));
        List<GroundTruthSamples.Sample> samples = GroundTruthSamples.clean().subList(0, 20);
        int hits = 0;
        double mass = 0;
        double area = 0;
        for (GroundTruthSamples.Sample s : samples) {
            int[] b = s.box();
            Box box = roi((double) b[0] / SIZE, (double) b[1] / SIZE, (double) (b[2] - b[0]) / SIZE, (double) (b[3] - b[1]) / SIZE);
            SaliencySummary summary = summary(occlusion, s.image(), List.of(box), Selection.of(true, List.of()));
            hits += summary.getPointingGame() ? 1 : 0;
            mass += summary.getRoiMass();
            area += (double) (b[2] - b[0]) * (b[3] - b[1]) / (SIZE * SIZE);
        }
        // a map blind to the shape would hit about as often as the box's share of the image (about 0.1);
        // over all 200 images occlusion scores 0.965 / 0.512 (GroundTruthModelTest)
        assertThat(hits).isGreaterThanOrEqualTo(17);
        assertThat(mass / samples.size()).isGreaterThan(3 * area / samples.size());
    }
}
