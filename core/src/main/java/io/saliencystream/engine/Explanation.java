package io.saliencystream.engine;

import java.util.Map;

/**
 * One explained input: which method with which parameters and seed, the class explained and
 * its score, the model's scores for all classes, the map, and what it cost.
 *
 * @param method           method name, e.g. "occlusion"
 * @param parameters       every parameter of the method, as strings
 * @param seed             seed of the method's randomness (recorded even when it uses none)
 * @param targetClass      index of the explained class
 * @param targetScore      the model's probability for the target class on the unaltered input
 * @param scores           the model's probabilities for all classes on the unaltered input
 * @param map              attribution per input pixel
 * @param modelCalls       ONNX Runtime invocations spent
 * @param modelEvaluations inputs scored (batch members summed)
 * @param durationNanos    wall time of the explanation
 * @param diagnostics      method-specific figures by name, e.g. Integrated Gradients'
 *                         "completenessError" (empty when the method reports none)
 */
public record Explanation(String method, Map<String, String> parameters, long seed, int targetClass,
                          float targetScore, float[] scores, AttributionMap map, int modelCalls,
                          long modelEvaluations, long durationNanos, Map<String, Double> diagnostics) {

    public Explanation {
        parameters = Map.copyOf(parameters);
        diagnostics = diagnostics == null ? Map.of() : Map.copyOf(diagnostics);
    }

    /** An explanation without diagnostics. */
    public Explanation(String method, Map<String, String> parameters, long seed, int targetClass, float targetScore,
                       float[] scores, AttributionMap map, int modelCalls, long modelEvaluations, long durationNanos) {
        this(method, parameters, seed, targetClass, targetScore, scores, map, modelCalls, modelEvaluations, durationNanos, Map.of());
    }
}
