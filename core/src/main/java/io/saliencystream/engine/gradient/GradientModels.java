package io.saliencystream.engine.gradient;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.gradient.GradientModel;
import io.saliencystream.engine.gradient.TargetScore;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gradient models built once per model file and score: deriving the backward graph and opening
 * its session costs far more than an explanation, so every gradient method shares this cache.
 * Entries are keyed by the ONNX file's SHA-256 (two catalog entries of one file share a model)
 * with the entry's output score, and the {@link TargetScore}, and live as long as the cache.
 */
public final class GradientModels implements AutoCloseable {

    private static final GradientModels SHARED = new GradientModels();

    private final Map<String, GradientModel> models = new ConcurrentHashMap<>();

    /** The process-wide cache the engine's default method table uses. */
    public static GradientModels shared() {
        return SHARED;
    }

    /** The gradient model of {@code model}'s output under {@code score}, built on first request. */
    public GradientModel get(CatalogModel model, TargetScore score) {
        ModelSpec spec = model.inputSpec();
        long[] withBatch = spec.inputShape(1);
        long[] shape = Arrays.copyOfRange(withBatch, 1, withBatch.length);
        String key = model.derivedKey() + "/" + score + "/" + Arrays.toString(shape);
        return models.computeIfAbsent(key, k -> {
            try {
                return GradientModel.of(model.onnx(), spec.inputName(), spec.output() == ModelSpec.OutputKind.PROBABILITIES,
                        score, shape, model.sessionSettings());
            } catch (IOException e) {
                throw new UncheckedIOException("model " + spec.key() + ": " + e.getMessage(), e);
            } catch (OrtException e) {
                throw new IllegalStateException("model " + spec.key() + ": cannot open its gradient model: " + e.getMessage(), e);
            }
        });
    }

    /** Models built so far. */
    public int size() {
        return models.size();
    }

    @Override
    public void close() throws OrtException {
        for (GradientModel m : models.values()) {
            m.close();
        }
        models.clear();
    }
}
