package io.saliencystream.stream;

import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.schema.SaliencySummary;
import java.util.Objects;

/**
 * What an explanation produces: a summary and an audit record always, an overlay when the
 * input is an image that can be drawn over ({@code overlay} may be null, for example for a
 * raw tensor the explainer chooses not to render).
 */
public record ExplainedEvent(SaliencySummary summary, SaliencyOverlay overlay, ExplanationAudit audit) {

    public ExplainedEvent {
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(audit, "audit");
    }
}
