package io.saliencystream.stream;

import java.util.Objects;

/** The topics the saliency topology reads and writes. */
public record TopicNames(
        String inferenceEvents,
        String saliencySummaries,
        String saliencyOverlays,
        String explanationAudit,
        String deadLetters) {

    public TopicNames {
        Objects.requireNonNull(inferenceEvents, "inferenceEvents");
        Objects.requireNonNull(saliencySummaries, "saliencySummaries");
        Objects.requireNonNull(saliencyOverlays, "saliencyOverlays");
        Objects.requireNonNull(explanationAudit, "explanationAudit");
        Objects.requireNonNull(deadLetters, "deadLetters");
    }

    public static TopicNames defaults() {
        return new TopicNames("inference-events", "saliency-summaries", "saliency-overlays",
                "explanation-audit", "dead-letters");
    }
}
