package io.saliencystream.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TargetsTest {

    /** Class 2 first, then 0, 3, 1. */
    private static final float[] SCORES = {0.3f, 0.05f, 0.5f, 0.15f};

    private static List<Targets.Target> resolve(String text, OptionalInt label) {
        return Targets.parse(text).resolve(SCORES, label);
    }

    @Test
    void predictedIsTheRecomputedTopClassAndNeedsNoRanking() {
        assertThat(Targets.predicted().predictedOnly()).isTrue();
        assertThat(Targets.parse(" Predicted ").predictedOnly()).isTrue();
        assertThat(Targets.parse("top-k:1").predictedOnly()).isFalse();
        assertThat(resolve("predicted", OptionalInt.empty()))
                .containsExactly(new Targets.Target(2, Targets.PREDICTED));
    }

    @Test
    void topKFollowsTheScoresWithTheirRanks() {
        assertThat(resolve("top-k:3", OptionalInt.empty())).extracting(Targets.Target::classIndex, Targets.Target::role)
                .containsExactly(tuple(2, "predicted"), tuple(0, "top-2"), tuple(3, "top-3"));
        assertThat(resolve("top-k:9", OptionalInt.empty())).hasSize(4);
    }

    @Test
    void labelIsTheGroundTruthAndCollapsesIntoThePredictedClassWhenTheyAgree() {
        assertThat(resolve("predicted+label", OptionalInt.of(1))).extracting(Targets.Target::classIndex, Targets.Target::role)
                .containsExactly(tuple(2, "predicted"), tuple(1, "label"));
        assertThat(resolve("predicted+label", OptionalInt.of(2))).containsExactly(new Targets.Target(2, "predicted"));
        assertThat(resolve("predicted+label", OptionalInt.empty())).containsExactly(new Targets.Target(2, "predicted"));
        // nothing left for this event: the predicted class rather than no explanation
        assertThat(resolve("label", OptionalInt.empty())).containsExactly(new Targets.Target(2, "predicted"));
    }

    @Test
    void explicitClassesAreExplainedOnceInTheOrderGiven() {
        assertThat(resolve("3,1+3", OptionalInt.empty())).extracting(Targets.Target::classIndex, Targets.Target::role)
                .containsExactly(tuple(3, "class"), tuple(1, "class"));
        assertThat(resolve("top-k:2+2+label", OptionalInt.of(0))).extracting(Targets.Target::classIndex)
                .containsExactly(2, 0);
        assertThat(Targets.parse("3+top-k:2+1").listedClasses()).containsExactly(3, 1);
        assertThatThrownBy(() -> resolve("predicted+7", OptionalInt.empty()))
                .hasMessageContaining("class 7").hasMessageContaining("4 classes");
    }

    /**
     * {@code most()} bounds what an event's explanation may cost: checked against every resolution
     * (each ground truth, none too), and reached by one of them for these terms.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"predicted,1", "label,1", "predicted+label,2", "top-k:3,3",
            "top-k:3+predicted+label,4", "top-k:2+top-k:3,3", "'3,1+3',2", "predicted+label+1,3", "label+label,1"})
    void mostIsTheLargestNumberOfClassesAnEventCanGet(String text, int most) {
        Targets targets = Targets.parse(text);
        int largest = resolve(text, OptionalInt.empty()).size();
        for (int label = 0; label < SCORES.length; label++) {
            largest = Math.max(largest, resolve(text, OptionalInt.of(label)).size());
        }
        assertThat(targets.most()).isEqualTo(most).isEqualTo(largest);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "top-k:0", "top-k:101", "top-k:", "top-3", "top-k:x", "lable", "-1", "1.5",
            "predicted++label", "predicted+", "class:2"})
    void badSyntaxIsRefusedNamingTheValidForms(String text) {
        assertThatThrownBy(() -> Targets.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("allowed: 'predicted', 'label', 'top-k:N' (N 1..100), a class index");
    }

    @Test
    void predictedKeepsTheEventIdAsItsKeyAndEveryOtherTargetNamesItsClass() {
        assertThat(ExplainedEvent.key("e-1", "predicted", 2)).isEqualTo("e-1");
        assertThat(ExplainedEvent.key("e-1", "label", 1)).isEqualTo("e-1/target=1");
        assertThat(ExplainedEvent.key("e-1", "top-2", 0)).isEqualTo("e-1/target=0");
    }
}
