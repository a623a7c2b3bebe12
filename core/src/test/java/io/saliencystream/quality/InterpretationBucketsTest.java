package io.saliencystream.quality;

import static io.saliencystream.quality.InterpretationBucket.FALSE_POSITIVE_HIGH_CONFIDENCE;
import static io.saliencystream.quality.InterpretationBucket.FALSE_POSITIVE_LOW_CONFIDENCE;
import static io.saliencystream.quality.InterpretationBucket.TRUE_POSITIVE_HIGH_CONFIDENCE;
import static io.saliencystream.quality.InterpretationBucket.TRUE_POSITIVE_LOW_CONFIDENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class InterpretationBucketsTest {

    private final InterpretationBuckets buckets = new InterpretationBuckets(0.6, Map.of("strict", 0.9));

    @Test
    void fourCasesFromCorrectnessAndConfidence() {
        assertThat(buckets.assign("m", 2, "dog", 0.95, "dog")).isEqualTo(TRUE_POSITIVE_HIGH_CONFIDENCE);
        assertThat(buckets.assign("m", 2, "dog", 0.18, "dog")).isEqualTo(TRUE_POSITIVE_LOW_CONFIDENCE);
        assertThat(buckets.assign("m", 2, "dog", 0.93, "dingo")).isEqualTo(FALSE_POSITIVE_HIGH_CONFIDENCE);
        assertThat(buckets.assign("m", 2, "dog", 0.30, "dingo")).isEqualTo(FALSE_POSITIVE_LOW_CONFIDENCE);
    }

    @Test
    void noGroundTruthNoBucket() {
        assertThat(buckets.assign("m", 2, "dog", 0.95, null)).isNull();
    }

    @Test
    void theThresholdItselfIsHighConfidence() {
        assertThat(buckets.assign("m", 2, "dog", 0.6, "dog")).isEqualTo(TRUE_POSITIVE_HIGH_CONFIDENCE);
        assertThat(buckets.assign("m", 2, "dog", Math.nextDown(0.6), "dog")).isEqualTo(TRUE_POSITIVE_LOW_CONFIDENCE);
        assertThat(buckets.assign("m", 2, "dog", 0.6, "cat")).isEqualTo(FALSE_POSITIVE_HIGH_CONFIDENCE);
        assertThat(buckets.assign("m", 2, "dog", Math.nextDown(0.6), "cat")).isEqualTo(FALSE_POSITIVE_LOW_CONFIDENCE);
    }

    @Test
    void aModelsOwnThresholdReplacesTheDefault() {
        assertThat(buckets.threshold("strict")).isEqualTo(0.9);
        assertThat(buckets.threshold("other")).isEqualTo(0.6);
        assertThat(buckets.assign("strict", 2, "dog", 0.8, "dog")).isEqualTo(TRUE_POSITIVE_LOW_CONFIDENCE);
        assertThat(buckets.assign("other", 2, "dog", 0.8, "dog")).isEqualTo(TRUE_POSITIVE_HIGH_CONFIDENCE);
    }

    @Test
    void theLabelNamesTheClassByLabelOrByIndex() {
        assertThat(buckets.assign("m", 2, "dog", 0.9, "2")).isEqualTo(TRUE_POSITIVE_HIGH_CONFIDENCE);
        assertThat(buckets.assign("m", 2, null, 0.9, "2")).isEqualTo(TRUE_POSITIVE_HIGH_CONFIDENCE);
        assertThat(buckets.assign("m", 2, null, 0.9, "dog")).isEqualTo(FALSE_POSITIVE_HIGH_CONFIDENCE);
        assertThat(buckets.assign("m", 2, "dog", 0.9, "Dog")).as("labels are compared exactly")
                .isEqualTo(FALSE_POSITIVE_HIGH_CONFIDENCE);
    }

    @Test
    void idsRoundTripAndThresholdsAreProbabilities() {
        for (InterpretationBucket b : InterpretationBucket.values()) {
            assertThat(InterpretationBucket.ofId(b.id())).contains(b);
        }
        assertThat(InterpretationBucket.ofId("nonsense")).isEmpty();
        assertThat(FALSE_POSITIVE_HIGH_CONFIDENCE.id()).isEqualTo("false-positive-high-confidence");
        assertThatThrownBy(() -> new InterpretationBuckets(1.5, Map.of())).hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> new InterpretationBuckets(0.5, Map.of("m", Double.NaN))).hasMessageContaining("model m");
    }
}
