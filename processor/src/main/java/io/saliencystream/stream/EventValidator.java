package io.saliencystream.stream;

import io.saliencystream.schema.InferenceEvent;

/**
 * Cheap checks run on every decoded event, selected or not, so bad input reaches the dead
 * letter topic even when it would never have been explained: model known, image header
 * readable, sizes within limits, tensor shape consistent. Must not run the model.
 * One instance serves every stream thread, so implementations must be thread-safe.
 */
@FunctionalInterface
public interface EventValidator {

    /** Returns normally if the event can be explained; throws with a stable code otherwise. */
    void validate(InferenceEvent event) throws RejectedInputException;
}
