package io.saliencystream.stream.drift;

import io.saliencystream.drift.BucketedWindowStats;
import io.saliencystream.schema.AttentionReference;

/** A window's final statistics and the series' pinned reference, if one is pinned. */
record ClosedWindow(BucketedWindowStats stats, AttentionReference pinned) {
}
