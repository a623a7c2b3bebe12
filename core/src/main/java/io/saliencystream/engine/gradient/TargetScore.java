package io.saliencystream.engine.gradient;

/**
 * The scalar whose gradient a gradient model computes, from the model's output row y and the
 * weight row w passed with each input.
 */
public enum TargetScore {
    /** sum_k w_k y_k: any weighting of the raw outputs. */
    RAW,
    /** sum_k w_k p_k with p the class probabilities (softmax of logits, or the output itself). */
    PROBABILITY,
    /**
     * log p_t - log sum_{j != t} p_j for the classes with weight 1 (normally one, the target);
     * w must be 0 or 1. Does not saturate for confident models, unlike the probability.
     */
    LOGODDS
}
