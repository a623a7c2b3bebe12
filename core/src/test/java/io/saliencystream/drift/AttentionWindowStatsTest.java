package io.saliencystream.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AttentionWindowStatsTest {

    private static final GridShape G2 = new GridShape(2, 2);

    private static AttentionObservation obs(double... grid) {
        return AttentionObservation.of(G2, grid, 0.5, 0.5, null);
    }

    @Test
    void meanAndVarianceMatchHandComputedValues() {
        AttentionWindowStats s = AttentionWindowStats.empty()
                .add(AttentionObservation.of(G2, new double[] {1, 0, 0, 0}, 0.25, 0.25, 0.0))
                .add(AttentionObservation.of(G2, new double[] {0.5, 0.5, 0, 0}, 0.5, 0.25, 0.5))
                .add(AttentionObservation.of(G2, new double[] {0, 0, 0.5, 0.5}, 0.5, 0.75, 0.5));
        assertThat(s.count()).isEqualTo(3);
        // cell 0 values 1, .5, 0: mean .5, population variance ((.5)^2 + 0 + (.5)^2) / 3 = 1/6
        assertThat(s.meanGrid()).containsExactly(new double[] {0.5, 1 / 6.0, 1 / 6.0, 1 / 6.0}, within(1e-12));
        assertThat(s.cellVariance()[0]).isCloseTo(1 / 6.0, within(1e-12));
        // cell 1 values 0, .5, 0: mean 1/6, variance (1/36 + 1/9 + 1/36) / 3 = 1/18
        assertThat(s.cellVariance()[1]).isCloseTo(1 / 18.0, within(1e-12));
        assertThat(s.centroidXMean()).isCloseTo(1.25 / 3, within(1e-12));
        assertThat(s.centroidYMean()).isCloseTo(1.25 / 3, within(1e-12));
        assertThat(s.entropyMean()).isCloseTo(1 / 3.0, within(1e-12));
    }

    @Test
    void entropyIsComputedFromTheGridWhenTheSummaryHasNone() {
        // two equal cells of four: 1 bit of log2(4) = 2 bits
        assertThat(obs(0.5, 0.5, 0, 0).entropy()).isCloseTo(0.5, within(1e-12));
        assertThat(obs(0.25, 0.25, 0.25, 0.25).entropy()).isCloseTo(1, within(1e-12));
        assertThat(obs(1, 0, 0, 0).entropy()).isCloseTo(0, within(1e-12));
    }

    @Test
    void zeroMapsAreCountedButLeftOutOfTheMeans() {
        AttentionWindowStats s = AttentionWindowStats.empty().add(obs(0, 0, 0, 0)).add(obs(1, 0, 0, 0));
        assertThat(s.count()).isEqualTo(1);
        assertThat(s.zeroMaps()).isEqualTo(1);
        assertThat(s.meanGrid()).containsExactly(1, 0, 0, 0);
    }

    @Test
    void mergeEqualsOnePass() {
        Random rnd = new Random(5);
        GridShape shape = new GridShape(8, 8);
        List<AttentionObservation> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            double[] g = new double[64];
            for (int c = 0; c < 64; c++) {
                g[c] = Math.pow(rnd.nextDouble(), 3);
            }
            all.add(AttentionObservation.of(shape, GridMath.normalised("g", g), rnd.nextDouble(), rnd.nextDouble(), null));
        }
        AttentionWindowStats onePass = AttentionWindowStats.empty();
        all.forEach(onePass::add);
        AttentionWindowStats a = AttentionWindowStats.empty();
        AttentionWindowStats b = AttentionWindowStats.empty();
        AttentionWindowStats c = AttentionWindowStats.empty();
        for (int i = 0; i < all.size(); i++) {
            (i < 37 ? a : i < 150 ? b : c).add(all.get(i));
        }
        AttentionWindowStats merged = AttentionWindowStats.empty().merge(c).merge(a.merge(b));
        assertThat(merged.count()).isEqualTo(onePass.count());
        assertThat(merged.cellMean()).containsExactly(onePass.cellMean(), within(1e-13));
        assertThat(merged.cellM2()).containsExactly(onePass.cellM2(), within(1e-12));
        assertThat(merged.centroidXMean()).isCloseTo(onePass.centroidXMean(), within(1e-13));
        assertThat(merged.entropyMean()).isCloseTo(onePass.entropyMean(), within(1e-13));

        // and both equal the two-pass textbook variance
        double mean = all.stream().mapToDouble(o -> o.grid()[17]).average().orElseThrow();
        double var = all.stream().mapToDouble(o -> Math.pow(o.grid()[17] - mean, 2)).sum() / all.size();
        assertThat(merged.cellVariance()[17]).isCloseTo(var, within(1e-14));
    }

    @Test
    void restoreRoundTripsAndRejectsInconsistentParts() {
        AttentionWindowStats s = AttentionWindowStats.empty().add(obs(1, 0, 0, 0)).add(obs(0, 1, 0, 0));
        AttentionWindowStats r = AttentionWindowStats.restore(s.shape(), s.count(), s.zeroMaps(), s.cellMean(),
                s.cellM2(), s.centroidXMean(), s.centroidYMean(), s.entropyMean());
        assertThat(r.add(obs(0, 0, 1, 0)).meanGrid()).containsExactly(new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0, 0}, within(1e-12));
        assertThatThrownBy(() -> AttentionWindowStats.restore(G2, 2, 0, new double[3], new double[4], 0, 0, 0))
                .hasMessageContaining("3 cells");
    }

    @Test
    void badGridsAreRejectedWithTheReason() {
        assertThatThrownBy(() -> AttentionObservation.of(G2, new double[] {1, 0, 0}, 0.5, 0.5, null))
                .hasMessageContaining("3 cells").hasMessageContaining("2x2");
        assertThatThrownBy(() -> obs(0.5, 0.4, 0, 0)).hasMessageContaining("sums to 0.9");
        assertThatThrownBy(() -> obs(1.5, -0.5, 0, 0)).hasMessageContaining("cell 1 is -0.5");
        assertThatThrownBy(() -> obs(Double.NaN, 0, 0, 1)).hasMessageContaining("cell 0 is NaN");
        assertThatThrownBy(() -> AttentionObservation.of(G2, new double[] {1, 0, 0, 0}, 1.5, 0.5, null))
                .hasMessageContaining("centroidX 1.5");
        assertThatThrownBy(() -> AttentionWindowStats.empty().add(obs(1, 0, 0, 0))
                .add(AttentionObservation.of(new GridShape(1, 4), new double[] {1, 0, 0, 0}, 0.5, 0.5, null)))
                .hasMessageContaining("differs from the 2x2");
    }

    @Test
    void roiMassTakesTheCoveredShareOfEachCell() {
        GridShape g = new GridShape(2, 2);
        double[] grid = {0.4, 0.3, 0.2, 0.1};
        assertThat(new RegionOfInterest("all", 0, 0, 1, 1).massIn(grid, g)).isCloseTo(1, within(1e-12));
        assertThat(new RegionOfInterest("top-left", 0, 0, 0.5, 0.5).massIn(grid, g)).isCloseTo(0.4, within(1e-12));
        // half of the top-left cell and half of the top-right cell
        assertThat(new RegionOfInterest("mid-top", 0.25, 0, 0.75, 0.5).massIn(grid, g)).isCloseTo(0.35, within(1e-12));
        // a quarter of each cell
        assertThat(new RegionOfInterest("centre", 0.25, 0.25, 0.75, 0.75).massIn(grid, g)).isCloseTo(0.25, within(1e-12));
        assertThatThrownBy(() -> new RegionOfInterest("bad", 0.5, 0, 0.5, 1)).hasMessageContaining("left < right");
    }

    @Test
    void meanRoiMassOfTheWindowEqualsTheMeanOfPerEventMasses() {
        RegionOfInterest roi = new RegionOfInterest("r", 0.1, 0.2, 0.6, 0.9);
        AttentionObservation a = obs(0.7, 0.1, 0.1, 0.1);
        AttentionObservation b = obs(0.1, 0.1, 0.1, 0.7);
        AttentionWindowStats s = AttentionWindowStats.empty().add(a).add(b);
        double perEvent = (roi.massIn(a.grid(), G2) + roi.massIn(b.grid(), G2)) / 2;
        assertThat(WindowProfile.of(s, List.of(roi)).roiMass().get("r")).isCloseTo(perEvent, within(1e-12));
    }

    @Test
    void learnedReferenceIsTheMeanOfTheFirstWindows() {
        ReferenceLearner learner = new ReferenceLearner(2);
        WindowProfile w1 = new WindowProfile(G2, new double[] {1, 0, 0, 0}, 0.2, 0.4, 0.1, java.util.Map.of());
        WindowProfile w2 = new WindowProfile(G2, new double[] {0, 0, 0.5, 0.5}, 0.4, 0.8, 0.3, java.util.Map.of());
        assertThat(learner.offer(w1)).isTrue();
        assertThat(learner.reference()).isNull();
        assertThat(learner.offer(w2)).isTrue();
        assertThat(learner.offer(w1)).as("complete learners take no more windows").isFalse();
        ReferenceProfile ref = learner.reference();
        assertThat(ref.grid()).containsExactly(new double[] {0.5, 0, 0.25, 0.25}, within(1e-12));
        assertThat(ref.centroidX()).isCloseTo(0.3, within(1e-12));
        assertThat(ref.centroidY()).isCloseTo(0.6, within(1e-12));
        assertThat(ref.entropy()).isCloseTo(0.2, within(1e-12));
        assertThat(ref.origin()).isEqualTo(ReferenceProfile.Origin.LEARNED);
        assertThat(ref.windows()).isEqualTo(2);
    }
}
