package io.saliencystream.engine.cam;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtException;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Models opened at a feature layer, built once per model file and layer: finding the layer and
 * deriving the exposed, gradient and head models costs far more than an explanation. Keyed by the
 * ONNX file's SHA-256, the requested layer and the input shape, like the gradient models.
 */
public final class CamModels implements AutoCloseable {

    private static final CamModels SHARED = new CamModels();

    private final Map<String, CamModel> models = new ConcurrentHashMap<>();

    /** The process-wide cache the engine's default method table uses. */
    public static CamModels shared() {
        return SHARED;
    }

    /**
     * {@code model}'s ONNX model (the whole input, for a content view too) opened at
     * {@code targetLayer} (a node or tensor name, or "auto").
     */
    public CamModel get(CatalogModel model, String targetLayer) {
        ModelSpec spec = model.inputSpec();
        long[] withBatch = spec.inputShape(1);
        long[] shape = Arrays.copyOfRange(withBatch, 1, withBatch.length);
        String key = model.derivedKey() + "/" + targetLayer + "/" + Arrays.toString(shape);
        return models.computeIfAbsent(key, k -> {
            try {
                ModelProto forward = model.onnx();
                return new CamModel(forward, spec.inputName(), spec.output() == ModelSpec.OutputKind.PROBABILITIES, shape,
                        spec.labels().size(), targetLayer, model.sessionSettings());
            } catch (IOException e) {
                throw new UncheckedIOException("model " + spec.key() + ": " + e.getMessage(), e);
            } catch (OrtException e) {
                throw new IllegalStateException("model " + spec.key() + ": cannot open it at its feature layer: " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("model " + spec.key() + ": " + e.getMessage(), e);
            }
        });
    }

    @Override
    public void close() throws OrtException {
        for (CamModel m : models.values()) {
            m.close();
        }
        models.clear();
    }
}
