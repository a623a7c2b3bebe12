package io.saliencystream.quality;

import java.util.Map;

/**
 * Assigns an event its {@link InterpretationBucket}: the confidence threshold of its model (the
 * default, or one set for the model's name) against the top-1 probability, and the ground-truth
 * label against the top-1 class. The label names the class by its catalog label or by its index
 * written as a number, as for the label-disagreement flag.
 *
 * @param threshold top-1 probability from which a prediction counts as high confidence
 * @param byModel   thresholds of single models, by model name
 */
public record InterpretationBuckets(double threshold, Map<String, Double> byModel) {

    /**
     * The default threshold. OpenVINO XAI's notebook draws its high-confidence cases at top-1
     * probability 0.6 and above (false positives from 0.60, true positives from 0.79) and its
     * low-confidence ones at 0.15 to 0.2; 0.6 is its lowest high-confidence cut.
     */
    public static final double DEFAULT_THRESHOLD = 0.6;

    public InterpretationBuckets {
        byModel = Map.copyOf(byModel);
        requireShare("threshold", threshold);
        byModel.forEach((model, t) -> requireShare("threshold of model " + model, t));
    }

    public static InterpretationBuckets defaults() {
        return new InterpretationBuckets(DEFAULT_THRESHOLD, Map.of());
    }

    /** The threshold of {@code model}. */
    public double threshold(String model) {
        return byModel.getOrDefault(model, threshold);
    }

    /**
     * The bucket of a prediction, or null when there is no ground truth.
     *
     * @param topClass       the model's top-1 class index
     * @param topLabel       its catalog label, or null
     * @param topProbability its probability
     * @param groundTruth    the event's true label, or null when unknown
     */
    public InterpretationBucket assign(String model, int topClass, String topLabel, double topProbability,
                                       String groundTruth) {
        if (groundTruth == null) {
            return null;
        }
        boolean correct = groundTruth.equals(topLabel) || groundTruth.equals(Integer.toString(topClass));
        return InterpretationBucket.of(correct, topProbability >= threshold(model));
    }

    private static void requireShare(String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException("Confidence " + name + " must be a probability in [0, 1], got " + value);
        }
    }
}
