package io.saliencystream.engine.method;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.Explainer;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.cam.CamModels;
import io.saliencystream.engine.gradient.GradientModels;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;

import java.awt.image.BufferedImage;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Front door of the engine: explains an input with the model's default method from the
 * catalog. Stateless apart from the method table, so one engine serves all threads. The gradient
 * methods of the default table share {@link GradientModels#shared()}.
 */
public final class ExplanationEngine {

    private final Map<String, Function<Map<String, String>, Explainer>> methods;

    public ExplanationEngine() {
        this(defaultMethods());
    }

    /** The methods the default engine knows, by name, each built from its parameters. */
    public static Map<String, Function<Map<String, String>, Explainer>> defaultMethods() {
        return Map.ofEntries(
                Map.entry(Occlusion.NAME, p -> new Occlusion(Occlusion.Params.from(p))),
                Map.entry(VanillaGradient.NAME, p -> new VanillaGradient(VanillaGradient.Params.from(p), GradientModels.shared())),
                Map.entry(SmoothGrad.NAME, p -> new SmoothGrad(SmoothGrad.Params.from(p), GradientModels.shared())),
                Map.entry(IntegratedGradients.NAME, p -> new IntegratedGradients(IntegratedGradients.Params.from(p), GradientModels.shared())),
                Map.entry(Xrai.NAME, p -> new Xrai(Xrai.Params.from(p), GradientModels.shared())),
                Map.entry(Rise.NAME, p -> new Rise(Rise.Params.from(p))),
                Map.entry(KernelShap.NAME, p -> new KernelShap(KernelShap.Params.from(p))),
                Map.entry(ActivationMap.NAME, p -> new ActivationMap(ActivationMap.Params.from(p), CamModels.shared())),
                Map.entry(GradCam.NAME, p -> new GradCam(GradCam.Params.from(GradCam.NAME, p), false, CamModels.shared())),
                Map.entry(GradCam.PLUS_PLUS, p -> new GradCam(GradCam.Params.from(GradCam.PLUS_PLUS, p), true, CamModels.shared())),
                Map.entry(ReciproCam.NAME, p -> new ReciproCam(ReciproCam.Params.from(ReciproCam.NAME, p), false, CamModels.shared())),
                Map.entry(ReciproCam.VIT, p -> new ReciproCam(ReciproCam.Params.from(ReciproCam.VIT, p), true, CamModels.shared())),
                Map.entry(AttentionRollout.NAME, p -> new AttentionRollout(AttentionRollout.Params.from(p), CamModels.shared())));
    }

    public ExplanationEngine(Map<String, Function<Map<String, String>, Explainer>> methods) {
        this.methods = Map.copyOf(methods);
    }

    /** The explainer the catalog names as the model's default, with its parameters. */
    public Explainer defaultExplainer(ModelSpec spec) {
        try {
            return explainer(spec.method());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model " + spec.key() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The explainer of {@code method} with its parameters. An unknown method name, an unknown
     * parameter or a bad value is an {@link IllegalArgumentException} that names it and lists
     * the valid ones. Names are exact: there are no aliases.
     */
    public Explainer explainer(ModelSpec.MethodSpec method) {
        Function<Map<String, String>, Explainer> factory = methods.get(method.name());
        if (factory == null) {
            throw new IllegalArgumentException("unknown method '" + method.name() + "'; valid methods: "
                    + String.join(", ", new TreeSet<>(methods.keySet())));
        }
        return factory.apply(method.parameters());
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
