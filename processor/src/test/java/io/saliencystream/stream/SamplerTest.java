package io.saliencystream.stream;

import static io.saliencystream.stream.TestEvents.KNOWN_MODEL;
import static io.saliencystream.stream.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.saliencystream.schema.InferenceEvent;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private static final FlagRules NO_FLAGS = FlagRules.none();

    private static Sampler sampler(double rate, FlagRules rules) {
        return new Sampler(SamplingConfig.of(rate).withFlagRules(rules));
    }

    @Test
    void hashIsTheFirstEightBytesOfSha256() {
        // published test vector: SHA-256("abc") = ba7816bf8f01cfea 414140de5dae2223 ...
        double expected = (0xba7816bf8f01cfeaL >>> 11) * 0x1.0p-53;
        assertThat(Sampler.unitHash("abc")).isEqualTo(expected);
        assertThat(expected).isCloseTo(0.72839, within(1e-5));
    }

    @Test
    void sameIdsGiveSameDecisionsAcrossInstances() {
        Sampler first = sampler(0.3, FlagRules.defaults());
        Sampler second = sampler(0.3, FlagRules.defaults());
        for (int i = 0; i < 2_000; i++) {
            InferenceEvent e = event("evt-" + i);
            // a fresh copy of the event, so nothing is cached on the object
            InferenceEvent copy = InferenceEvent.newBuilder(e).build();
            assertThat(second.select(copy)).isEqualTo(first.select(e));
        }
    }

    @Test
    void sampledShareIsWithinFourSigmaOfTheRate() {
        int n = 10_000;
        double rate = 0.1;
        Sampler s = sampler(rate, NO_FLAGS);
        long selected = IntStream.range(0, n).filter(i -> s.select(event("order-" + i)).selected()).count();
        double sigma = Math.sqrt(n * rate * (1 - rate)); // 30
        assertThat((double) selected).isBetween(n * rate - 4 * sigma, n * rate + 4 * sigma);
    }

    @Test
    void ratesApplyPerModelWithADefault() {
        Sampler s = new Sampler(SamplingConfig.of(0.0).withFlagRules(NO_FLAGS)
                .withRates(0.0, Map.of("all", 1.0, "half", 0.5)));
        int n = 4_000;
        long all = IntStream.range(0, n).filter(i -> s.select(event("e" + i, "all")).selected()).count();
        long half = IntStream.range(0, n).filter(i -> s.select(event("e" + i, "half")).selected()).count();
        long other = IntStream.range(0, n).filter(i -> s.select(event("e" + i, "other")).selected()).count();
        assertThat(all).isEqualTo(n);
        assertThat(other).isZero();
        double sigma = Math.sqrt(n * 0.25);
        assertThat((double) half).isBetween(n / 2 - 4 * sigma, n / 2 + 4 * sigma);
        // a lower rate picks a subset of a higher one for the same ids (replays stay nested)
        Sampler low = new Sampler(SamplingConfig.of(0.1).withFlagRules(NO_FLAGS));
        Sampler high = new Sampler(SamplingConfig.of(0.4).withFlagRules(NO_FLAGS));
        IntStream.range(0, n).mapToObj(i -> event("nest-" + i))
                .filter(e -> low.select(e).selected())
                .forEach(e -> assertThat(high.select(e).selected()).isTrue());
    }

    @Test
    void sampledEventsSayWhy() {
        Selection sel = sampler(1.0, NO_FLAGS).select(event("x"));
        assertThat(sel).isEqualTo(new Selection(true, false, java.util.List.of(Selection.SAMPLED)));
        assertThat(sampler(0.0, NO_FLAGS).select(event("x")).selected()).isFalse();
    }

    @Test
    void producerFlag() {
        FlagRules on = new FlagRules(true, null, null, false, Set.of(), Set.of());
        assertThat(sampler(0, on).select(TestEvents.withFlags(event("a"), "customer-complaint")))
                .isEqualTo(new Selection(true, true, java.util.List.of(Selection.FLAG_PRODUCER)));
        assertThat(sampler(0, on).select(event("a")).selected()).isFalse();
        assertThat(sampler(0, NO_FLAGS).select(TestEvents.withFlags(event("a"), "customer-complaint")).selected())
                .as("rule off").isFalse();
    }

    @Test
    void lowConfidenceIsStrictlyBelowTheThreshold() {
        Sampler s = sampler(0, new FlagRules(false, 0.5, null, false, Set.of(), Set.of()));
        assertThat(s.select(event("a", KNOWN_MODEL, 1, "cat", 0.4f, 2, "dog", 0.1f)).reasons())
                .containsExactly(Selection.FLAG_LOW_CONFIDENCE);
        assertThat(s.select(event("a", KNOWN_MODEL, 1, "cat", 0.5f, 2, "dog", 0.1f)).selected()).isFalse();
        assertThat(s.select(event("a", KNOWN_MODEL, 1, "cat", 0.9f)).selected()).isFalse();
        assertThat(s.select(event("a", KNOWN_MODEL)).selected()).as("no scores: nothing to judge").isFalse();
    }

    @Test
    void smallMarginBetweenTopTwo() {
        Sampler s = sampler(0, new FlagRules(false, null, 0.1, false, Set.of(), Set.of()));
        assertThat(s.select(event("a", KNOWN_MODEL, 1, "cat", 0.45f, 2, "dog", 0.40f)).reasons())
                .containsExactly(Selection.FLAG_SMALL_MARGIN);
        assertThat(s.select(event("a", KNOWN_MODEL, 1, "cat", 0.7f, 2, "dog", 0.2f)).selected()).isFalse();
        assertThat(s.select(event("a", KNOWN_MODEL, 1, "cat", 0.05f)).selected()).as("single class").isFalse();
        // producers that do not sort: ranked by score, margin 0.6 - 0.58
        assertThat(s.select(event("a", KNOWN_MODEL, 2, "dog", 0.1f, 1, "cat", 0.6f, 3, "cow", 0.58f)).flagged())
                .isTrue();
    }

    @Test
    void labelDisagreement() {
        Sampler s = sampler(0, new FlagRules(false, null, null, true, Set.of(), Set.of()));
        InferenceEvent disagree = event("a", KNOWN_MODEL, 1, "cat", 0.9f, 2, "dog", 0.1f);
        disagree.setGroundTruthLabel("dog");
        assertThat(s.select(disagree).reasons()).containsExactly(Selection.FLAG_LABEL_DISAGREEMENT);

        InferenceEvent agree = event("a", KNOWN_MODEL, 1, "cat", 0.9f, 2, "dog", 0.1f);
        agree.setGroundTruthLabel("cat");
        assertThat(s.select(agree).selected()).isFalse();

        InferenceEvent byIndex = event("a", KNOWN_MODEL, 7, null, 0.9f);
        byIndex.setGroundTruthLabel("7");
        assertThat(s.select(byIndex).selected()).as("truth given as the class index").isFalse();

        assertThat(s.select(event("a", KNOWN_MODEL, 1, "cat", 0.9f)).selected()).as("no truth").isFalse();

        InferenceEvent unsorted = event("a", KNOWN_MODEL, 2, "dog", 0.1f, 1, "cat", 0.9f);
        unsorted.setGroundTruthLabel("cat");
        assertThat(s.select(unsorted).selected()).as("top-1 is the best score, not the first entry").isFalse();
    }

    @Test
    void watchedClassesByLabelOrIndex() {
        Sampler byLabel = sampler(0, new FlagRules(false, null, null, false, Set.of("stop-sign"), Set.of()));
        assertThat(byLabel.select(event("a", KNOWN_MODEL, 4, "stop-sign", 0.9f)).reasons())
                .containsExactly(Selection.FLAG_WATCHED_CLASS);
        assertThat(byLabel.select(event("a", KNOWN_MODEL, 1, "cat", 0.8f, 4, "stop-sign", 0.1f)).selected())
                .as("only the predicted class is watched").isFalse();

        Sampler byIndex = sampler(0, new FlagRules(false, null, null, false, Set.of(), Set.of(4)));
        assertThat(byIndex.select(event("a", KNOWN_MODEL, 4, null, 0.9f)).flagged()).isTrue();
        assertThat(byIndex.select(event("a", KNOWN_MODEL, 5, null, 0.9f)).flagged()).isFalse();
    }

    @Test
    void reasonsCombineSampledAndEveryFlagThatFired() {
        FlagRules all = new FlagRules(true, 0.5, 0.1, true, Set.of("cat"), Set.of());
        InferenceEvent e = TestEvents.withFlags(event("a", KNOWN_MODEL, 1, "cat", 0.45f, 2, "dog", 0.4f), "review");
        e.setGroundTruthLabel("dog");
        assertThat(sampler(1.0, all).select(e)).isEqualTo(new Selection(true, true, java.util.List.of(
                Selection.SAMPLED, Selection.FLAG_PRODUCER, Selection.FLAG_LOW_CONFIDENCE, Selection.FLAG_SMALL_MARGIN,
                Selection.FLAG_LABEL_DISAGREEMENT, Selection.FLAG_WATCHED_CLASS)));
    }
}
