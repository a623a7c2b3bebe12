package io.saliencystream.engine.method;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.cam.Cam;
import io.saliencystream.engine.cam.CamModel;
import io.saliencystream.engine.cam.CamModels;
import io.saliencystream.engine.gradient.TargetScore;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Grad-CAM, or with {@code plus_plus} Grad-CAM++, at the feature layer, the gradient coming from
 * the model's derived backward graph (pruned below the layer): one gradient call after the
 * forward pass.
 */
public final class GradCam extends CamMethod<GradCam.Params> {

    public static final String NAME = "gradcam";
    public static final String PLUS_PLUS = "gradcam_plus_plus";

    /**
     * @param targetLayer the feature layer: a node or tensor name, or auto
     * @param score       the differentiated score: log-odds (default), probability or raw output
     */
    public record Params(String targetLayer, TargetScore score) implements CamMethod.LayerParameters {
        /** Reads "target_layer" (auto) and "score" (logodds) for the method {@code name}. */
        public static Params from(String name, Map<String, String> p) {
            ParameterReader r = new ParameterReader(name, p);
            Params params = new Params(layer(r), r.choice("score", TargetScore.class, TargetScore.LOGODDS));
            r.finish();
            return params;
        }

        @Override
        public Map<String, String> asMap() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put(TARGET_LAYER, targetLayer);
            m.put("score", ParameterReader.id(score));
            return m;
        }
    }

    private final boolean plusPlus;

    public GradCam(Params params, boolean plusPlus, CamModels cache) {
        super(plusPlus ? PLUS_PLUS : NAME, params, cache);
        this.plusPlus = plusPlus;
    }

    @Override
    Cam.Result coarse(CamModel model, float[] x, Cam.Probabilities probabilities, int target) throws OrtException {
        return Cam.gradCam(model, x, target, params().score(), plusPlus);
    }
}
