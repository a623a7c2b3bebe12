package io.saliencystream.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DistancesTest {

    private static final GridShape G8 = new GridShape(8, 8);

    private static double[] unit(int cells, int at) {
        double[] g = new double[cells];
        g[at] = 1;
        return g;
    }

    private static double[] random(Random rnd, int cells, double zeroShare) {
        double[] g = new double[cells];
        for (int i = 0; i < cells; i++) {
            g[i] = rnd.nextDouble() < zeroShare ? 0 : rnd.nextDouble();
        }
        g[rnd.nextInt(cells)] += 0.1; // never all zero
        return GridMath.normalised("random", g);
    }

    @Test
    void jensenShannonOfKnownDistributions() {
        // disjoint support: 1 bit
        assertThat(JensenShannon.divergence(new double[] {1, 0}, new double[] {0, 1})).isCloseTo(1.0, within(1e-12));
        assertThat(JensenShannon.divergence(new double[] {0.3, 0.7}, new double[] {0.3, 0.7})).isCloseTo(0, within(1e-15));
        // P = (1, 0), Q = (1/2, 1/2): M = (3/4, 1/4);
        // KL(P||M) = log2(4/3); KL(Q||M) = 1/2 log2(2/3) + 1/2 log2(2) ; JS = mean of the two
        double expected = 0.5 * (log2(4.0 / 3) + 0.5 * log2(2.0 / 3) + 0.5 * log2(2));
        assertThat(JensenShannon.divergence(new double[] {1, 0}, new double[] {0.5, 0.5}))
                .isCloseTo(expected, within(1e-12));
        // normalises its inputs
        assertThat(JensenShannon.divergence(new double[] {2, 0}, new double[] {1, 1})).isCloseTo(expected, within(1e-12));
    }

    @Test
    void jensenShannonRejectsMismatchedOrEmptyDistributions() {
        assertThatThrownBy(() -> JensenShannon.divergence(new double[] {1}, new double[] {0.5, 0.5}))
                .hasMessageContaining("length");
        assertThatThrownBy(() -> JensenShannon.divergence(new double[] {0, 0}, new double[] {0.5, 0.5}))
                .hasMessageContaining("no mass");
    }

    @Test
    void emdOfUnitMassMovedOneCellIsTheCellDistance() {
        GridShape wide = new GridShape(2, 4); // cells 1/4 wide, 1/2 tall
        assertThat(EarthMoversDistance.between(unit(8, 0), unit(8, 1), wide)).isCloseTo(0.25, within(1e-12));
        assertThat(EarthMoversDistance.between(unit(8, 0), unit(8, 4), wide)).isCloseTo(0.5, within(1e-12));
        assertThat(EarthMoversDistance.between(unit(8, 0), unit(8, 5), wide)).isCloseTo(Math.hypot(0.25, 0.5), within(1e-12));
        assertThat(EarthMoversDistance.between(unit(64, 0), unit(64, 63), G8)).isCloseTo(Math.hypot(7 / 8.0, 7 / 8.0), within(1e-12));
    }

    @Test
    void emdOfHalfTheMassMovedIsHalfTheDistance() {
        // (0.5, 0.5, 0, 0) -> (0, 0.5, 0.5, 0) on a 1x4 grid: 0.5 moves from cell 0 to 2 at cost 0.5, or
        // two hops of 0.25 each, either way 0.25 in total
        GridShape row = new GridShape(1, 4);
        assertThat(EarthMoversDistance.between(new double[] {0.5, 0.5, 0, 0}, new double[] {0, 0.5, 0.5, 0}, row))
                .isCloseTo(0.25, within(1e-12));
    }

    @Test
    void emdIsZeroForIdenticalAndSymmetric() {
        Random rnd = new Random(7);
        for (int t = 0; t < 20; t++) {
            double[] p = random(rnd, 64, 0.3);
            double[] q = random(rnd, 64, 0.3);
            assertThat(EarthMoversDistance.between(p, p, G8)).isCloseTo(0, within(1e-15));
            assertThat(EarthMoversDistance.between(p, q, G8))
                    .isCloseTo(EarthMoversDistance.between(q, p, G8), within(1e-12));
        }
    }

    /** In one dimension the EMD has a closed form: the integral of |CDF_p - CDF_q|. */
    @Test
    void emdOnOneRowEqualsTheCdfFormula() {
        Random rnd = new Random(11);
        for (int n : new int[] {2, 5, 16, 64}) {
            GridShape row = new GridShape(1, n);
            GridShape column = new GridShape(n, 1);
            for (int t = 0; t < 10; t++) {
                double[] p = random(rnd, n, 0.4);
                double[] q = random(rnd, n, 0.4);
                double cdfGap = 0;
                double expected = 0;
                for (int i = 0; i < n - 1; i++) {
                    cdfGap += p[i] - q[i];
                    expected += Math.abs(cdfGap) / n;
                }
                assertThat(EarthMoversDistance.between(p, q, row)).isCloseTo(expected, within(1e-12));
                assertThat(EarthMoversDistance.between(p, q, column)).isCloseTo(expected, within(1e-12));
            }
        }
    }

    /**
     * On 2-D grids the returned plan must be feasible (moves exactly p to q, no negative flow),
     * cost what it says, and be optimal: a flow is a min-cost flow exactly when its residual
     * graph has no negative cycle, which Floyd–Warshall checks here independently of the solver.
     */
    @Test
    void emdPlanOn2dGridsIsFeasibleAndHasNoNegativeResidualCycle() {
        Random rnd = new Random(3);
        GridShape[] shapes = {new GridShape(2, 2), new GridShape(3, 5), G8};
        for (GridShape shape : shapes) {
            for (int t = 0; t < 8; t++) {
                int n = shape.cells();
                double[] p = random(rnd, n, 0.5);
                double[] q = random(rnd, n, 0.5);
                EarthMoversDistance.TransportPlan plan = EarthMoversDistance.plan(p, q, shape);
                double[][] f = plan.flow();
                double cost = 0;
                for (int i = 0; i < n; i++) {
                    double out = 0;
                    double in = 0;
                    for (int j = 0; j < n; j++) {
                        assertThat(f[i][j]).isGreaterThanOrEqualTo(-1e-15);
                        out += f[i][j];
                        in += f[j][i];
                        cost += f[i][j] * shape.distance(i, j);
                    }
                    assertThat(out).isCloseTo(p[i], within(1e-9));
                    assertThat(in).isCloseTo(q[i], within(1e-9));
                }
                assertThat(plan.cost()).isCloseTo(cost, within(1e-12));
                assertThat(hasNegativeResidualCycle(f, shape)).as("plan on %s is not optimal", shape).isFalse();
                // lower bound (Jensen): moving the whole mean costs at least the distance between means
                assertThat(plan.cost()).isGreaterThanOrEqualTo(meanDistance(p, q, shape) - 1e-12);
            }
        }
    }

    @Test
    void negativeCycleCheckTellsASuboptimalPlanFromAnOptimalOne() {
        // guards the check above: p = q = (.5, 0, 0, .5) on a 1x4 row
        GridShape row = new GridShape(1, 4);
        double[][] stay = new double[4][4];
        stay[0][0] = 0.5;
        stay[3][3] = 0.5;
        assertThat(hasNegativeResidualCycle(stay, row)).isFalse();
        double[][] swap = new double[4][4]; // same marginals, but both halves travel: cost 0.75 instead of 0
        swap[0][3] = 0.5;
        swap[3][0] = 0.5;
        assertThat(hasNegativeResidualCycle(swap, row)).isTrue();
    }

    /**
     * Bellman–Ford from a virtual root over the residual graph (senders 0..n-1, receivers
     * n..2n-1; forward arcs unbounded, reverse arcs where flow > 0). Relaxations smaller than
     * 1e-10 are ignored, so rounding-sized cycles do not count; a cycle that still relaxes after
     * 2n rounds is a real improvement the plan missed.
     */
    private static boolean hasNegativeResidualCycle(double[][] f, GridShape shape) {
        int n = shape.cells();
        List<double[]> arcs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                arcs.add(new double[] {i, n + j, shape.distance(i, j)});
                if (f[i][j] > 1e-12) {
                    arcs.add(new double[] {n + j, i, -shape.distance(i, j)});
                }
            }
        }
        double[] dist = new double[2 * n];
        for (int round = 0; round <= 2 * n; round++) {
            boolean changed = false;
            for (double[] a : arcs) {
                int u = (int) a[0];
                int v = (int) a[1];
                if (dist[u] + a[2] < dist[v] - 1e-10) {
                    dist[v] = dist[u] + a[2];
                    changed = true;
                }
            }
            if (!changed) {
                return false;
            }
        }
        return true;
    }

    private static double meanDistance(double[] p, double[] q, GridShape s) {
        double x = 0;
        double y = 0;
        for (int i = 0; i < p.length; i++) {
            x += (p[i] - q[i]) * s.centerX(i);
            y += (p[i] - q[i]) * s.centerY(i);
        }
        return Math.hypot(x, y);
    }

    @Test
    void distancesBetweenWindowAndReference() {
        GridShape shape = new GridShape(2, 2);
        RegionOfInterest left = new RegionOfInterest("left", 0, 0, 0.5, 1);
        WindowProfile window = new WindowProfile(shape, new double[] {0.5, 0, 0.5, 0}, 0.25, 0.5, 0.5,
                WindowProfile.roiMass(new double[] {0.5, 0, 0.5, 0}, shape, java.util.List.of(left)));
        ReferenceProfile ref = new ReferenceProfile(shape, new double[] {0, 0.5, 0, 0.5}, 0.75, 0.5, 0.4,
                null, ReferenceProfile.Origin.PINNED, 0);
        DriftDistances d = DriftDistances.between(window, ref, java.util.List.of(left));
        assertThat(d.jensenShannon()).isCloseTo(1, within(1e-12));
        assertThat(d.emd()).isCloseTo(0.5, within(1e-12)); // all mass moves half the width
        assertThat(d.centroidShift()).isCloseTo(0.5, within(1e-12));
        assertThat(d.entropyChange()).isCloseTo(0.1, within(1e-12));
        assertThat(d.roiMassChange()).isCloseTo(1.0, within(1e-12)); // all in the left half vs none

        ReferenceProfile noExtras = new ReferenceProfile(shape, new double[] {1, 1, 1, 1}, null, null, null,
                null, ReferenceProfile.Origin.PINNED, 0);
        DriftDistances partial = DriftDistances.between(window, noExtras, java.util.List.of());
        assertThat(partial.centroidShift()).isNull();
        assertThat(partial.entropyChange()).isNull();
        assertThat(partial.roiMassChange()).isNull();

        ReferenceProfile other = new ReferenceProfile(new GridShape(1, 4), new double[] {1, 1, 1, 1}, null, null, null,
                null, ReferenceProfile.Origin.PINNED, 0);
        assertThatThrownBy(() -> DriftDistances.between(window, other, java.util.List.of()))
                .hasMessageContaining("cannot be compared");
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
