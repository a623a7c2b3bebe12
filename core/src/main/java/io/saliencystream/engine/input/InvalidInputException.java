package io.saliencystream.engine.input;

/**
 * An input the engine cannot explain. {@link #code()} is a stable machine-readable reason
 * (it ends up in dead letters and metrics); the message says what and why for people.
 */
public class InvalidInputException extends Exception {

    public static final String IMAGE_UNDECODABLE = "image-undecodable";
    public static final String IMAGE_TOO_LARGE = "image-too-large";
    public static final String TENSOR_SHAPE_MISMATCH = "tensor-shape-mismatch";
    public static final String TENSOR_NOT_FINITE = "tensor-not-finite";
    public static final String UNKNOWN_MODEL = "unknown-model";
    public static final String INPUT_UNAVAILABLE = "input-unavailable";

    private final String code;

    public InvalidInputException(String code, String message) {
        super(message);
        this.code = code;
    }

    public InvalidInputException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
