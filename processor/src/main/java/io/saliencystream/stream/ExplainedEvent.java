package io.saliencystream.stream;

import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.schema.SaliencySummary;
import java.util.Objects;

/**
 * What the explanation of one target of an event produces: a summary and an audit record always,
 * an overlay when the input is an image that can be drawn over ({@code overlay} may be null, for
 * example for a raw tensor the explainer chooses not to render).
 */
public record ExplainedEvent(SaliencySummary summary, SaliencyOverlay overlay, ExplanationAudit audit) {

    /** Separates the event id from the explained class in the key of a target other than the predicted one. */
    public static final String TARGET_KEY_SEPARATOR = "/target=";

    public ExplainedEvent {
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(audit, "audit");
    }

    /** The key of the three records on their topics: see {@link #key(String, String, int)}. */
    public String key() {
        return key(summary.getEventId(), summary.getTarget(), summary.getPredictedClass());
    }

    /**
     * The output key of one target of an event: the event id for the predicted target (as before
     * targets existed, so the audit topic compacts as it did), {@code <eventId>/target=<class>} for
     * any other, so that an event's targets never overwrite each other.
     */
    public static String key(String eventId, String target, int targetClass) {
        return Targets.PREDICTED.equals(target) ? eventId : eventId + TARGET_KEY_SEPARATOR + targetClass;
    }
}
