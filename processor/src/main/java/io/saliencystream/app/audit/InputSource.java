package io.saliencystream.app.audit;

import io.saliencystream.schema.ExplanationAudit;
import java.util.Optional;

/** Where the verifier finds the input an audit record explained. */
public interface InputSource {

    /**
     * The input for the record, as an inference event carries it ({@code EncodedImage},
     * {@code RawTensor} or {@code InputUri}); empty when this source has nothing for it. The
     * input found may differ from the one explained: the verifier compares hashes.
     */
    Optional<Object> find(ExplanationAudit audit);

    /** What this source is, for messages: "topic inference-events (412 events)". */
    String describe();
}
