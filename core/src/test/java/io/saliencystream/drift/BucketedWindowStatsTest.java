package io.saliencystream.drift;

import static io.saliencystream.quality.InterpretationBucket.FALSE_POSITIVE_HIGH_CONFIDENCE;
import static io.saliencystream.quality.InterpretationBucket.TRUE_POSITIVE_HIGH_CONFIDENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BucketedWindowStatsTest {

    private static final GridShape TWO_BY_TWO = new GridShape(2, 2);

    private static AttentionObservation grid(double... cells) {
        return AttentionObservation.of(TWO_BY_TWO, cells, 0.5, 0.5, 0.5);
    }

    @Test
    void eachBucketAveragesItsOwnGridsAndTheWholeAveragesAll() {
        BucketedWindowStats s = BucketedWindowStats.empty()
                .add(grid(0.7, 0.1, 0.1, 0.1), TRUE_POSITIVE_HIGH_CONFIDENCE)
                .add(grid(0.5, 0.3, 0.1, 0.1), TRUE_POSITIVE_HIGH_CONFIDENCE)
                .add(grid(0.1, 0.1, 0.1, 0.7), FALSE_POSITIVE_HIGH_CONFIDENCE)
                .add(grid(0.25, 0.25, 0.25, 0.25), null);

        assertThat(s.all().count()).isEqualTo(4);
        assertThat(s.buckets()).containsOnlyKeys(TRUE_POSITIVE_HIGH_CONFIDENCE, FALSE_POSITIVE_HIGH_CONFIDENCE);
        double[] right = s.buckets().get(TRUE_POSITIVE_HIGH_CONFIDENCE).meanGrid();
        assertThat(right[0]).isCloseTo(0.6, within(1e-12));
        assertThat(right[1]).isCloseTo(0.2, within(1e-12));
        assertThat(s.buckets().get(FALSE_POSITIVE_HIGH_CONFIDENCE).meanGrid()[3]).isCloseTo(0.7, within(1e-12));
        assertThat(s.all().meanGrid()[0]).isCloseTo((0.7 + 0.5 + 0.1 + 0.25) / 4, within(1e-12));
    }

    @Test
    void aGridOfAnotherShapeChangesNothing() {
        BucketedWindowStats s = BucketedWindowStats.empty().add(grid(0.7, 0.1, 0.1, 0.1), TRUE_POSITIVE_HIGH_CONFIDENCE);
        AttentionObservation wide = AttentionObservation.of(new GridShape(1, 4), new double[] {0.25, 0.25, 0.25, 0.25},
                0.5, 0.5, 1.0);
        assertThatThrownBy(() -> s.add(wide, FALSE_POSITIVE_HIGH_CONFIDENCE)).isInstanceOf(IllegalArgumentException.class);
        assertThat(s.all().count()).isEqualTo(1);
        assertThat(s.buckets()).containsOnlyKeys(TRUE_POSITIVE_HIGH_CONFIDENCE);
    }
}
