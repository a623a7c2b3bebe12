package io.saliencystream.stream.drift;

import io.saliencystream.schema.AttentionDriftAlert;
import io.saliencystream.schema.AttentionDriftMetrics;

/** What one closed window produces: always metrics, an alert when one opens or resolves. */
record DriftOutput(AttentionDriftMetrics metrics, AttentionDriftAlert alert) {
}
