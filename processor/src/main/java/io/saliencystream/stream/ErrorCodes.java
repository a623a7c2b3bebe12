package io.saliencystream.stream;

/**
 * Stable, machine-readable reasons written to {@code DeadLetter.errorCode}. Dashboards and
 * alerting key on these strings, so they never change once published.
 */
public final class ErrorCodes {

    // decode stage (set by the topology)
    /** The record has no value (a tombstone or a producer bug). */
    public static final String NULL_VALUE = "null-value";
    /** The value is not Confluent wire format: too short, or the magic byte is not 0. */
    public static final String NOT_WIRE_FORMAT = "not-wire-format";
    /** The schema id in the header is not known to the schema registry. */
    public static final String UNKNOWN_SCHEMA_ID = "unknown-schema-id";
    /** The Avro payload cannot be read as an InferenceEvent (corrupt, or an incompatible schema). */
    public static final String UNDECODABLE = "undecodable";

    // validate stage
    /** The event has no event id, which sampling, seeds and output keys need. */
    public static final String MISSING_EVENT_ID = "missing-event-id";
    /** The model name and version are not in the model catalog. */
    public static final String UNKNOWN_MODEL = "unknown-model";
    /** The encoded image is larger than the configured limit. */
    public static final String IMAGE_TOO_LARGE = "image-too-large";
    /** The encoded image's header cannot be read. */
    public static final String IMAGE_UNDECODABLE = "image-undecodable";
    /** The raw tensor's shape does not match its data or the model's input. */
    public static final String TENSOR_SHAPE_MISMATCH = "tensor-shape-mismatch";
    /** A claim-check URI could not be fetched, or its bytes did not match the given hash. */
    public static final String INPUT_UNAVAILABLE = "input-unavailable";
    /** The validator threw an unexpected exception (a bug in the validator, not bad input). */
    public static final String VALIDATOR_ERROR = "validator-error";

    // explain stage
    /** The explainer threw an unexpected exception or returned nothing. */
    public static final String EXPLAINER_ERROR = "explainer-error";

    private ErrorCodes() {
    }
}
