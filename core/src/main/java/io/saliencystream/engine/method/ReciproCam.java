package io.saliencystream.engine.method;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.cam.Cam;
import io.saliencystream.engine.cam.CamModel;
import io.saliencystream.engine.cam.CamModels;
import io.saliencystream.engine.cam.FeatureLayer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ReciproCAM on a CNN's feature map, or with {@code vit} ViT-ReciproCAM on a transformer's
 * tokens: the model's head run on one masked copy of the layer per grid cell, in batches of
 * {@code batch_size}; no gradient.
 */
public final class ReciproCam extends CamMethod<ReciproCam.Params> {

    public static final String NAME = "reciprocam";
    public static final String VIT = "vit_reciprocam";

    /**
     * @param targetLayer the feature layer: a node or tensor name, or auto
     * @param batchSize   masked copies per head call
     */
    public record Params(String targetLayer, int batchSize) implements CamMethod.LayerParameters {
        public Params {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch_size must be at least 1; got " + batchSize);
            }
        }

        /** Reads "target_layer" (auto) and "batch_size" (64) for the method {@code name}. */
        public static Params from(String name, Map<String, String> p) {
            ParameterReader r = new ParameterReader(name, p);
            Params params = new Params(layer(r), r.integer("batch_size", 64));
            r.finish();
            return params;
        }

        @Override
        public Map<String, String> asMap() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put(TARGET_LAYER, targetLayer);
            m.put("batch_size", Integer.toString(batchSize));
            return m;
        }
    }

    private final boolean vit;

    public ReciproCam(Params params, boolean vit, CamModels cache) {
        super(vit ? VIT : NAME, params, cache);
        this.vit = vit;
    }

    @Override
    Cam.Result coarse(CamModel model, float[] x, Cam.Probabilities probabilities, int target) throws OrtException {
        FeatureLayer.Kind expected = vit ? FeatureLayer.Kind.TOKENS : FeatureLayer.Kind.SPATIAL;
        if (model.layer().kind() != expected) {
            throw new IllegalArgumentException(name() + " needs " + (vit ? "a transformer's tokens" : "a spatial feature map")
                    + "; the layer is " + model.layer().describe() + (vit ? " (use reciprocam)" : " (use vit_reciprocam)"));
        }
        return Cam.reciproCam(model, x, probabilities, target, params().batchSize());
    }
}
