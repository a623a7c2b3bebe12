package io.saliencystream.engine.method;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.cam.Cam;
import io.saliencystream.engine.cam.CamModel;
import io.saliencystream.engine.cam.CamModels;

import java.util.Map;

/** The feature map's mean over channels (OpenVINO XAI's ActivationMap): one exposed forward pass, class-agnostic. */
public final class ActivationMap extends CamMethod<ActivationMap.Params> {

    public static final String NAME = "activation_map";

    /** @param targetLayer the feature layer: a node or tensor name, or auto */
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

    public ActivationMap(Params params, CamModels cache) {
        super(NAME, params, cache);
    }

    @Override
    Cam.Result coarse(CamModel model, float[] x, Cam.Probabilities probabilities, int target) throws OrtException {
        return Cam.activationMap(model, x);
    }
}
