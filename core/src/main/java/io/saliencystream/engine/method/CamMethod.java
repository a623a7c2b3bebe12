package io.saliencystream.engine.method;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.AttributionMap;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.cam.Cam;
import io.saliencystream.engine.cam.CamModel;
import io.saliencystream.engine.cam.CamModels;
import io.saliencystream.engine.model.ContentRegion;
import io.saliencystream.engine.model.ModelSpec;

import java.util.Map;

/**
 * What the CAM-family methods share on top of {@link AttributionMethod}: the model opened at its
 * feature layer ({@code target_layer}: a node or tensor name, default {@code auto}), and the
 * coarse map upsampled to the model's whole input and cut to the picture. The algorithms live in
 * {@link Cam}.
 */
abstract class CamMethod<P extends CamMethod.LayerParameters> extends AttributionMethod<P> {

    static final String TARGET_LAYER = "target_layer";

    /** Parameters naming the feature layer. */
    interface LayerParameters extends Parameters {
        String targetLayer();
    }

    private final CamModels cache;

    CamMethod(String name, P params, CamModels cache) {
        super(name, params);
        this.cache = cache;
    }

    /** The method's map on the layer's grid, for the whole model input {@code x}. */
    abstract Cam.Result coarse(CamModel model, float[] x, Cam.Probabilities probabilities, int target) throws OrtException;

    @Override
    protected final Explanation attribute(Run run) throws OrtException {
        CamModel camModel = cache.get(run.model, params().targetLayer());
        // the layer sees the whole input (padding included); the map is cut back to the picture afterwards
        Cam.Result r = coarse(camModel, run.model.toModelInputs(run.input, 1), run.runner::probabilities, run.target);
        run.count(r.calls(), r.evaluations());
        ModelSpec whole = run.model.inputSpec();
        float[] full = Cam.upsample(r.coarse(), r.gridHeight(), r.gridWidth(), whole.width(), whole.height());
        ContentRegion region = run.model.region();
        float[] map = new float[run.spec.width() * run.spec.height()];
        for (int y = 0; y < run.spec.height(); y++) {
            System.arraycopy(full, (region.y() + y) * whole.width() + region.x(), map, y * run.spec.width(), run.spec.width());
        }
        return run.explanation(new AttributionMap(run.spec.width(), run.spec.height(), map),
                Map.of("gridCells", (double) r.coarse().length));
    }

    /** {@code target_layer}: a node or tensor name, or auto. */
    static String layer(ParameterReader r) {
        String v = r.text(TARGET_LAYER, "auto");
        return v.isEmpty() ? "auto" : v;
    }
}
