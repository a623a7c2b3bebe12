package io.saliencystream.stream;

import io.saliencystream.schema.InferenceEvent;
import java.util.List;

/**
 * The expensive part: computes the attribution map of a selected event and the records
 * derived from it. Runs on the stream thread, so its worst-case time must fit the poll
 * sizing in {@link StreamsSettings}. One instance serves every stream thread, so
 * implementations must be thread-safe.
 */
@FunctionalInterface
public interface EventExplainer {

    /**
     * Explains {@code event}: one result per target class, each written under its
     * {@link ExplainedEvent#key()}. The topology overwrites {@code selectionReasons} of the returned
     * summaries and audits with {@code selection.reasons()}, so implementations need not copy them.
     *
     * @throws RejectedInputException when the input itself cannot be explained (for example
     *         a claim-check URI that cannot be fetched); other failures may be thrown as
     *         runtime exceptions and are dead-lettered as {@link ErrorCodes#EXPLAINER_ERROR}
     */
    List<ExplainedEvent> explain(InferenceEvent event, Selection selection) throws RejectedInputException;
}
