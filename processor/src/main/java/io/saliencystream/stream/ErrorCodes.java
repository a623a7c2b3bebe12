package io.saliencystream.stream;

import io.saliencystream.engine.input.InvalidInputException;

/**
 * Every machine-readable reason written to {@code DeadLetter.errorCode}, and only these.
 * Dashboards and alerting key on these strings, so they never change once published. The codes
 * of inputs the engine itself refuses are defined by the engine ({@link InvalidInputException},
 * which knows nothing of dead letters) and named here again, so this class lists them all;
 * {@code ErrorCodesReadmeTest} checks that the README's dead-letter table lists exactly these.
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

    // validate stage (the engine's codes may also come from the explain stage, which decodes in full)
    /** The event has no event id, which sampling, seeds and output keys need. */
    public static final String MISSING_EVENT_ID = "missing-event-id";
    /** The model name and version are not in the model catalog. */
    public static final String UNKNOWN_MODEL = InvalidInputException.UNKNOWN_MODEL;
    /** The encoded image is larger than the configured limit. */
    public static final String IMAGE_TOO_LARGE = InvalidInputException.IMAGE_TOO_LARGE;
    /** The encoded image cannot be decoded (header or pixels). */
    public static final String IMAGE_UNDECODABLE = InvalidInputException.IMAGE_UNDECODABLE;
    /** The raw tensor's shape does not match its data or the model's input. */
    public static final String TENSOR_SHAPE_MISMATCH = InvalidInputException.TENSOR_SHAPE_MISMATCH;
    /** The raw tensor holds NaN or infinite values. */
    public static final String TENSOR_NOT_FINITE = InvalidInputException.TENSOR_NOT_FINITE;
    /** A claim-check URI could not be fetched, or its bytes did not match the given hash. */
    public static final String INPUT_UNAVAILABLE = InvalidInputException.INPUT_UNAVAILABLE;
    /** The validator threw an unexpected exception (a bug in the validator, not bad input). */
    public static final String VALIDATOR_ERROR = "validator-error";
    /**
     * A selected event is too large for the explanation-request topics (their max.message.bytes or
     * the producer's max.request.size), so it cannot be passed to the explanation stage.
     */
    public static final String REQUEST_TOO_LARGE = "request-too-large";

    // explain stage
    /** A region of interest of the event has no area inside the image. */
    public static final String INVALID_REGION_OF_INTEREST = "invalid-region-of-interest";
    /** The explainer threw an unexpected exception or returned nothing. */
    public static final String EXPLAINER_ERROR = "explainer-error";

    private ErrorCodes() {
    }
}
