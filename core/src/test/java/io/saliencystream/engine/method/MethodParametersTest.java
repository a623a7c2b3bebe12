package io.saliencystream.engine.method;

import io.saliencystream.engine.model.ModelSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every method reads its parameters strictly, by one convention, and records them so they read back. */
class MethodParametersTest {

    private static final List<String> METHODS = List.of(Occlusion.NAME, Rise.NAME, KernelShap.NAME, VanillaGradient.NAME,
            SmoothGrad.NAME, IntegratedGradients.NAME, Xrai.NAME);

    private final ExplanationEngine engine = new ExplanationEngine();

    private AttributionMethod<?> method(String name, Map<String, String> params) {
        return (AttributionMethod<?>) engine.explainer(new ModelSpec.MethodSpec(name, params));
    }

    @Test
    void aMisspeltKeyIsRefusedNamingItAndTheValidKeys() {
        assertThatThrownBy(() -> method(IntegratedGradients.NAME, Map.of("stpes", "64")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("integrated_gradients has no parameter 'stpes'; valid parameters: score, baseline, steps, rule,"
                        + " blur_sigma, batch_size");
        for (String name : METHODS) {
            assertThatThrownBy(() -> method(name, Map.of("stpes", "64")))
                    .hasMessageContaining(name + " has no parameter 'stpes'; valid parameters: ");
        }
    }

    @Test
    void theOldCamelCaseSpellingIsRefusedWithTheNewOne() {
        assertThatThrownBy(() -> method(Occlusion.NAME, Map.of("batchSize", "64")))
                .hasMessageStartingWith("occlusion parameter 'batchSize' is spelt 'batch_size' (parameters are snake_case)");
        assertThatThrownBy(() -> method(Rise.NAME, Map.of("minMasks", "10")))
                .hasMessageContaining("'minMasks' is spelt 'min_masks'");
        assertThatThrownBy(() -> new Faithfulness(Faithfulness.Params.from(Map.of("blurSigma", "2"))))
                .hasMessageContaining("faithfulness parameter 'blurSigma' is spelt 'blur_sigma'");
    }

    @Test
    void aBadValueIsRefusedNamingTheKeyAndTheValidValues() {
        assertThatThrownBy(() -> method(Occlusion.NAME, Map.of("window", "eight")))
                .hasMessage("occlusion parameter window: 'eight' is not a whole number");
        assertThatThrownBy(() -> method(Occlusion.NAME, Map.of("score", "logits")))
                .hasMessage("occlusion parameter score: unknown value 'logits'; valid: raw, probability, logodds");
        assertThatThrownBy(() -> method(IntegratedGradients.NAME, Map.of("baseline", "black,grey")))
                .hasMessage("integrated_gradients parameter baseline: unknown value 'grey'; valid: black, white, blurred, uniform");
        assertThatThrownBy(() -> method(Rise.NAME, Map.of("preset", "5x5")))
                .hasMessage("rise parameter preset: unknown value '5x5'; valid: 4x4, 8x8, 12x12");
        assertThatThrownBy(() -> method(VanillaGradient.NAME, Map.of("times_input", "yes")))
                .hasMessage("vanilla_gradient parameter times_input: 'yes' is not true or false");
        assertThatThrownBy(() -> method(SmoothGrad.NAME, Map.of("noise", "NaN")))
                .hasMessage("smoothgrad parameter noise: 'NaN' is not a finite number");
    }

    @Test
    void anUnknownMethodOrAnAliasIsRefusedWithTheValidNames() {
        assertThatThrownBy(() -> method("ig", Map.of()))
                .hasMessage("unknown method 'ig'; valid methods: activation_map, attention_rollout, gradcam,"
                        + " gradcam_plus_plus, integrated_gradients, kernelshap, occlusion, reciprocam, rise, smoothgrad,"
                        + " vanilla_gradient, vit_reciprocam, xrai");
    }

    @Test
    void recordedParametersAreSnakeCaseAndReadBackToTheSameMethod() {
        for (String name : METHODS) {
            AttributionMethod<?> m = method(name, Map.of());
            Map<String, String> recorded = m.params().asMap();
            assertThat(recorded.keySet()).allMatch(k -> k.matches("[a-z][a-z0-9_]*"), name + " keys are snake_case");
            // an audit's parameters rebuild the same method (verify depends on it)
            assertThat(method(name, recorded).params()).isEqualTo(m.params());
        }
    }
}
