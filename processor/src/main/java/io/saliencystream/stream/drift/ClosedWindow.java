package io.saliencystream.stream.drift;

import io.saliencystream.drift.AttentionWindowStats;
import io.saliencystream.schema.AttentionReference;

/** A window's final statistics and the series' pinned reference, if one is pinned. */
record ClosedWindow(AttentionWindowStats stats, AttentionReference pinned) {
}
