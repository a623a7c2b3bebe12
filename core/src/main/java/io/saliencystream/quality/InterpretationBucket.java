package io.saliencystream.quality;

import java.util.Arrays;
import java.util.Optional;

/**
 * The four cases of OpenVINO XAI's saliency-map interpretation notebook, for an event whose
 * ground truth is known: the model's top-1 class is right (true positive) or wrong (false
 * positive), with a top-1 probability at or above the confidence threshold (high) or below it
 * (low). A map of a confidently wrong prediction shows what misleads the model; one of a
 * confidently right prediction shows what it should keep looking at.
 */
public enum InterpretationBucket {
    TRUE_POSITIVE_HIGH_CONFIDENCE("true-positive-high-confidence"),
    TRUE_POSITIVE_LOW_CONFIDENCE("true-positive-low-confidence"),
    FALSE_POSITIVE_HIGH_CONFIDENCE("false-positive-high-confidence"),
    FALSE_POSITIVE_LOW_CONFIDENCE("false-positive-low-confidence");

    private final String id;

    InterpretationBucket(String id) {
        this.id = id;
    }

    /** As summaries and drift records write it, for example {@code false-positive-high-confidence}. */
    public String id() {
        return id;
    }

    /** The bucket of a prediction that is {@code correct} or not, with {@code highConfidence} or not. */
    public static InterpretationBucket of(boolean correct, boolean highConfidence) {
        if (correct) {
            return highConfidence ? TRUE_POSITIVE_HIGH_CONFIDENCE : TRUE_POSITIVE_LOW_CONFIDENCE;
        }
        return highConfidence ? FALSE_POSITIVE_HIGH_CONFIDENCE : FALSE_POSITIVE_LOW_CONFIDENCE;
    }

    /** The bucket written as {@code id}, if it is one. */
    public static Optional<InterpretationBucket> ofId(String id) {
        return Arrays.stream(values()).filter(b -> b.id.equals(id)).findFirst();
    }
}
