package io.saliencystream.engine.method;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.cam.Cam;
import io.saliencystream.engine.cam.CamModel;
import io.saliencystream.engine.cam.CamModels;

import java.util.Map;

/** Attention rollout over every block of a vision transformer: one exposed forward pass, class-agnostic. */
public final class AttentionRollout extends CamMethod<AttentionRollout.Params> {

    public static final String NAME = "attention_rollout";

    /** @param targetLayer the token layer that fixes the patch grid: a node or tensor name, or auto */
    public record Params(String targetLayer) implements CamMethod.LayerParameters {
        /** Reads "target_layer" (auto). */
        public static Params from(Map<String, String> p) {
            ParameterReader r = new ParameterReader(NAME, p);
            Params params = new Params(layer(r));
            r.finish();
            return params;
        }

        @Override
        public Map<String, String> asMap() {
            return Map.of(TARGET_LAYER, targetLayer);
        }
    }

    public AttentionRollout(Params params, CamModels cache) {
        super(NAME, params, cache);
    }

    @Override
    Cam.Result coarse(CamModel model, float[] x, Cam.Probabilities probabilities, int target) throws OrtException {
        return Cam.attentionRollout(model, x);
    }
}
