package io.saliencystream.engine;

import ai.onnxruntime.OrtException;

import java.awt.image.BufferedImage;
import java.util.Map;
import java.util.function.Function;

/**
 * Front door of the engine: explains an input with the model's default method from the
 * catalog. Stateless apart from the method table, so one engine serves all threads.
 */
public final class ExplanationEngine {

    private final Map<String, Function<Map<String, String>, Explainer>> methods;

    public ExplanationEngine() {
        this(Map.of(
                Occlusion.NAME, p -> new Occlusion(Occlusion.Params.from(p)),
                Rise.NAME, p -> new Rise(Rise.Params.from(p)),
                KernelShap.NAME, p -> new KernelShap(KernelShap.Params.from(p))));
    }

    public ExplanationEngine(Map<String, Function<Map<String, String>, Explainer>> methods) {
        this.methods = Map.copyOf(methods);
    }

    /** The explainer the catalog names as the model's default, with its parameters. */
    public Explainer defaultExplainer(ModelSpec spec) {
        ModelSpec.MethodSpec m = spec.method();
        Function<Map<String, String>, Explainer> factory = methods.get(m.name());
        if (factory == null) {
            throw new IllegalArgumentException("model " + spec.key() + " names method '" + m.name()
                    + "'; this engine knows " + methods.keySet());
        }
        return factory.apply(m.parameters());
    }

    /** Explains the class the model predicts (argmax of the scores recomputed here). */
    public Explanation explain(CatalogModel model, float[] input, long seed) throws OrtException {
        return explain(model, input, Explainer.PREDICTED_CLASS, seed);
    }

    public Explanation explain(CatalogModel model, float[] input, int targetClass, long seed) throws OrtException {
        return defaultExplainer(model.spec()).explain(model, input, targetClass, seed);
    }

    /** Preprocesses a decoded image per the model's spec, then explains the predicted class. */
    public Explanation explain(CatalogModel model, BufferedImage image, long seed) throws OrtException {
        return explain(model, new Preprocessor(model.spec()).tensor(image), seed);
    }
}
