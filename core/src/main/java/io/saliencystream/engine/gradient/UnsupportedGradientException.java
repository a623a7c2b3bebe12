package io.saliencystream.engine.gradient;

/**
 * The model cannot be differentiated: an operator on the path from the input to the output
 * has no gradient rule, or is used in a form the rule does not cover. Raised while the
 * gradient model is built, before any gradient is computed.
 */
public final class UnsupportedGradientException extends RuntimeException {

    public UnsupportedGradientException(String message) {
        super(message);
    }
}
