package io.saliencystream.quality;

import io.saliencystream.engine.AttributionMap;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MapStatisticsTest {

    private static AttributionMap map(int w, int h, float fill) {
        float[] v = new float[w * h];
        java.util.Arrays.fill(v, fill);
        return new AttributionMap(w, h, v);
    }

    @Test
    void singleHotPixel() {
        AttributionMap m = map(8, 4, 0);
        m.values()[2 * 8 + 5] = 3f; // x = 5, y = 2
        MapStatistics s = MapStatistics.of(m, 2, 4, 3);
        assertThat(s.cell(1, 2)).isEqualTo(1.0);
        assertThat(s.entropy()).isZero();
        assertThat(s.centroidX()).isCloseTo(5.5 / 8, within(1e-12));
        assertThat(s.centroidY()).isCloseTo(2.5 / 4, within(1e-12));
        assertThat(s.spread()).isCloseTo(0, within(1e-7));
        assertThat(s.topRegions()).hasSize(1); // cells without mass are left out
        MapStatistics.Region r = s.topRegions().get(0);
        assertThat(r.row()).isEqualTo(1);
        assertThat(r.col()).isEqualTo(2);
        assertThat(new double[] {r.x0(), r.y0(), r.x1(), r.y1(), r.mass()}).containsExactly(0.5, 0.5, 0.75, 1.0, 1.0);
        assertThat(s.positiveMass()).isEqualTo(3.0);
        assertThat(s.negativeMass()).isZero();
    }

    @Test
    void spreadIsTheWeightedRmsDistanceFromTheCentroid() {
        // mass 1 at pixel centre (0.125, 0.5) and mass 3 at (0.875, 0.5) of a 4 x 1 map:
        // centroid x = (0.125 + 3 * 0.875) / 4 = 0.6875; squared distances 0.5625^2 and 0.1875^2,
        // weighted mean (0.31640625 + 3 * 0.03515625) / 4 = 0.10546875, spread = its root
        AttributionMap m = map(4, 1, 0);
        m.values()[0] = 1f;
        m.values()[3] = -3f;
        MapStatistics s = MapStatistics.of(m, 1, 4, 1);
        assertThat(s.centroidX()).isCloseTo(0.6875, within(1e-12));
        assertThat(s.spread()).isCloseTo(Math.sqrt(0.10546875), within(1e-9));
        assertThat(MapStatistics.of(map(4, 1, 0), 1, 4, 1).spread()).as("no mass").isZero();
    }

    @Test
    void uniformMapOnAGridThatDoesNotDivideIt() {
        // 10 columns into 3 cells: boundaries round(10/3) = 3 and round(20/3) = 7 -> widths 3, 4, 3
        MapStatistics s = MapStatistics.of(map(10, 1, 2f), 1, 3, 3);
        assertThat(s.grid()).containsExactly(new double[] {0.3, 0.4, 0.3}, within(1e-12));
        double h = -(0.3 * Math.log(0.3) * 2 + 0.4 * Math.log(0.4)) / Math.log(3);
        assertThat(s.entropy()).isCloseTo(h, within(1e-12));
        assertThat(s.centroidX()).isCloseTo(0.5, within(1e-12));
        assertThat(s.topRegions().get(0).x0()).isEqualTo(0.3);
        assertThat(s.topRegions().get(0).x1()).isEqualTo(0.7);
        assertThat(s.totalMass()).isCloseTo(20, within(1e-9));

        MapStatistics even = MapStatistics.of(map(8, 8, 1f), 4, 4, 2);
        assertThat(even.entropy()).isCloseTo(1.0, within(1e-12));
        for (double c : even.grid()) {
            assertThat(c).isCloseTo(1 / 16.0, within(1e-12));
        }
    }

    @Test
    void twoBlobsSplitTheMassAndRankTheTopCells() {
        AttributionMap m = map(8, 8, 0);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 2; x++) {
                m.values()[y * 8 + x] = 3f;             // top-left blob, mass 12
                m.values()[(6 + y) * 8 + 6 + x] = 1f;   // bottom-right blob, mass 4
            }
        }
        MapStatistics s = MapStatistics.of(m, 2, 2, 4);
        assertThat(s.grid()).containsExactly(new double[] {0.75, 0, 0, 0.25}, within(1e-12));
        assertThat(s.topRegions()).extracting(MapStatistics.Region::mass).containsExactly(0.75, 0.25);
        double h = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)) / Math.log(4);
        assertThat(s.entropy()).isCloseTo(h, within(1e-12));
        // centroid: 0.75 * centre of (0..2)/8 + 0.25 * centre of (6..8)/8 = 0.75 * 0.125 + 0.25 * 0.875
        assertThat(s.centroidX()).isCloseTo(0.3125, within(1e-12));
        assertThat(s.centroidY()).isCloseTo(0.3125, within(1e-12));
    }

    @Test
    void negativeValuesCountByMagnitudeAndAreReportedApart() {
        AttributionMap m = map(4, 1, 0);
        m.values()[0] = -3f;
        m.values()[3] = 1f;
        MapStatistics s = MapStatistics.of(m, 1, 2, 2);
        assertThat(s.negativeMass()).isEqualTo(3.0);
        assertThat(s.positiveMass()).isEqualTo(1.0);
        assertThat(s.totalMass()).isEqualTo(4.0);
        assertThat(s.grid()).containsExactly(0.75, 0.25);
        assertThat(s.centroidX()).isCloseTo(0.75 * 0.125 + 0.25 * 0.875, within(1e-12));
    }

    @Test
    void allZeroMapHasNoMass() {
        MapStatistics s = MapStatistics.of(map(5, 5, 0), 3, 3, 3);
        assertThat(s.grid()).containsOnly(0.0);
        assertThat(s.topRegions()).isEmpty();
        assertThat(s.entropy()).isZero();
        assertThat(s.centroidX()).isEqualTo(0.5);
        assertThat(s.totalMass()).isZero();
    }
}
