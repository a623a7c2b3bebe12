package io.saliencystream.stream;

import java.util.Objects;

/**
 * An input the processor will not handle, for a reason that lies in the input itself (unknown
 * model, image too large, tensor of the wrong shape...). The topology turns it into a dead
 * letter carrying {@link #code()}, {@link #stage()} and the message, and goes on with the next
 * record. Codes are listed in {@link ErrorCodes}; implementations may add their own, in the
 * same lower-case-with-dashes style.
 */
public class RejectedInputException extends Exception {

    private static final long serialVersionUID = 1L;

    private final Stage stage;
    private final String code;

    public RejectedInputException(Stage stage, String code, String message) {
        this(stage, code, message, null);
    }

    public RejectedInputException(Stage stage, String code, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.stage = Objects.requireNonNull(stage, "stage");
        this.code = Objects.requireNonNull(code, "code");
    }

    /** A rejection by the cheap checks run on every event. */
    public static RejectedInputException validation(String code, String message) {
        return new RejectedInputException(Stage.VALIDATE, code, message);
    }

    /** A rejection found while explaining a selected event. */
    public static RejectedInputException explanation(String code, String message, Throwable cause) {
        return new RejectedInputException(Stage.EXPLAIN, code, message, cause);
    }

    /** Stable machine-readable reason, e.g. {@code unknown-model}. */
    public String code() {
        return code;
    }

    /** Stage of the pipeline that rejected the input. */
    public Stage stage() {
        return stage;
    }
}
