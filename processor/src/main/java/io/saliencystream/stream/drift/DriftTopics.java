package io.saliencystream.stream.drift;

import java.util.Objects;

/**
 * The topics of the drift topology.
 *
 * @param summaries  input: saliency summaries (key event id, value SaliencySummary)
 * @param references input, compacted: pinned references (key {@link DriftKey}, value AttentionReference; a tombstone unpins)
 * @param metrics    output: one AttentionDriftMetrics per series and closed window (key {@link DriftKey})
 * @param alerts     output: AttentionDriftAlert OPEN / RESOLVED (key {@link DriftKey})
 */
public record DriftTopics(String summaries, String references, String metrics, String alerts) {

    public DriftTopics {
        Objects.requireNonNull(summaries, "summaries");
        Objects.requireNonNull(references, "references");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(alerts, "alerts");
    }

    /** saliency-summaries, attention-references, attention-drift, attention-alerts. */
    public static DriftTopics defaults() {
        return new DriftTopics("saliency-summaries", "attention-references", "attention-drift", "attention-alerts");
    }
}
