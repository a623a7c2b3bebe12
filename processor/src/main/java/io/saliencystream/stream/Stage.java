package io.saliencystream.stream;

/** Where in the pipeline an input was given up on; written to {@code DeadLetter.stage}. */
public enum Stage {
    /** The bytes could not be turned into an {@code InferenceEvent}. */
    DECODE("decode"),
    /** The event decoded but failed the cheap checks run on every event. */
    VALIDATE("validate"),
    /** The event was selected but could not be explained. */
    EXPLAIN("explain");

    private final String label;

    Stage(String label) {
        this.label = label;
    }

    /** The lower-case name used in dead letters. */
    public String label() {
        return label;
    }
}
