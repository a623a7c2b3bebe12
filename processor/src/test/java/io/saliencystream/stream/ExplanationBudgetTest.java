package io.saliencystream.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExplanationBudgetTest {

    private static final boolean FLAGGED = true;
    private static final boolean SAMPLED = false;

    /** 1 explanation/s, burst 4, half of it kept for flagged events. */
    private static ExplanationBudget budget() {
        return new ExplanationBudget(SamplingConfig.of(1.0).withBudgets(new BudgetConfig(1.0, 4, 0.5), Map.of()));
    }

    @Test
    void flaggedEventsGetTheReserveThatSampledOnesCannotSpend() {
        ExplanationBudget b = budget();
        List<Boolean> granted = new ArrayList<>();
        for (boolean flagged : new boolean[] {SAMPLED, SAMPLED, SAMPLED, SAMPLED, FLAGGED, FLAGGED, FLAGGED}) {
            granted.add(b.tryAcquire("m", flagged, 0));
        }
        // sampled may spend 4 - 0.5*4 = 2 tokens; flagged spend the other 2; then the bucket is empty
        assertThat(granted).containsExactly(true, true, false, false, true, true, false);
    }

    @Test
    void withoutReserveSampledBurstStarvesFlagged() {
        ExplanationBudget b = new ExplanationBudget(
                SamplingConfig.of(1.0).withBudgets(new BudgetConfig(1.0, 4, 0.0), Map.of()));
        for (int i = 0; i < 4; i++) {
            assertThat(b.tryAcquire("m", SAMPLED, 0)).isTrue();
        }
        assertThat(b.tryAcquire("m", FLAGGED, 0)).isFalse();
    }

    @Test
    void refillsWithElapsedTimeUpToTheBurst() {
        ExplanationBudget b = budget();
        for (int i = 0; i < 4; i++) {
            assertThat(b.tryAcquire("m", FLAGGED, 1_000)).isTrue();
        }
        assertThat(b.tryAcquire("m", FLAGGED, 1_999)).as("0.999 tokens").isFalse();
        assertThat(b.tryAcquire("m", FLAGGED, 2_000)).as("1 token after 1 s").isTrue();
        assertThat(b.available("m", 3_500)).isEqualTo(1.5);
        assertThat(b.available("m", 60_000)).as("capped at burst").isEqualTo(4.0);
    }

    @Test
    void fractionalRefillsAddUpToWholeTokens() {
        ExplanationBudget b = new ExplanationBudget(
                SamplingConfig.of(1.0).withBudgets(new BudgetConfig(10.0, 1, 0.0), Map.of()));
        assertThat(b.tryAcquire("m", FLAGGED, 0)).isTrue();
        for (int t = 10; t < 100; t += 10) {
            assertThat(b.tryAcquire("m", FLAGGED, t)).as("at %d ms", t).isFalse();
        }
        assertThat(b.tryAcquire("m", FLAGGED, 100)).as("ten refills of 0.1 token").isTrue();
    }

    @Test
    void clockGoingBackwardsAddsNothing() {
        ExplanationBudget b = budget();
        for (int i = 0; i < 4; i++) {
            b.tryAcquire("m", FLAGGED, 10_000);
        }
        assertThat(b.tryAcquire("m", FLAGGED, 5_000)).isFalse();
        assertThat(b.available("m", 10_000)).isZero();
    }

    @Test
    void modelsHaveTheirOwnBuckets() {
        ExplanationBudget b = new ExplanationBudget(SamplingConfig.of(1.0)
                .withBudgets(new BudgetConfig(1.0, 1, 0.0), Map.of("big", new BudgetConfig(1.0, 3, 0.0))));
        assertThat(b.tryAcquire("a", FLAGGED, 0)).isTrue();
        assertThat(b.tryAcquire("a", FLAGGED, 0)).isFalse();
        assertThat(b.tryAcquire("b", FLAGGED, 0)).as("default budget, separate bucket").isTrue();
        assertThat(List.of(b.tryAcquire("big", SAMPLED, 0), b.tryAcquire("big", SAMPLED, 0),
                b.tryAcquire("big", SAMPLED, 0), b.tryAcquire("big", SAMPLED, 0)))
                .containsExactly(true, true, true, false);
    }

    @Test
    void unlimitedAlwaysGrants() {
        ExplanationBudget b = new ExplanationBudget(SamplingConfig.of(1.0));
        for (int i = 0; i < 10_000; i++) {
            assertThat(b.tryAcquire("m", SAMPLED, 0)).isTrue();
        }
    }

    @Test
    void rejectsNonsenseConfiguration() {
        assertThatThrownBy(() -> new BudgetConfig(0, 4, 0)).hasMessageContaining("explanationsPerSecond");
        assertThatThrownBy(() -> new BudgetConfig(1, 0.5, 0)).hasMessageContaining("burst");
        assertThatThrownBy(() -> new BudgetConfig(1, 4, 1.5)).hasMessageContaining("reservedForFlagged");
        assertThatThrownBy(() -> SamplingConfig.of(1.5)).hasMessageContaining("defaultRate");
    }
}
