package io.saliencystream.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The drift chart: where things land is computed here from the plot's geometry, not read back from it. */
class DriftPlotTest {

    /** 3 learning windows, 2 clean, then 3 drifted ones; the alert opens in the 2nd drifted window. */
    private static DriftPlot.Chart chart() {
        List<DriftPlot.Point> points = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            points.add(DriftPlot.Point.of(null, true, true, false));
        }
        points.add(DriftPlot.Point.of(0.02, false, true, false));
        points.add(DriftPlot.Point.of(0.03, false, true, false));
        points.add(DriftPlot.Point.of(0.12, false, true, false));
        points.add(DriftPlot.Point.of(0.15, false, true, true));
        points.add(DriftPlot.Point.of(0.12, false, true, true));
        List<String> labels = List.of("00:00:00", "00:00:20", "00:00:40", "00:01:00", "00:01:20", "00:01:40",
                "00:02:00", "00:02:20");
        return new DriftPlot.Chart("title", "Jensen-Shannon", labels, points, 0.1, Double.NaN, 5);
    }

    @Test
    void drawsThresholdSwitchShadingAndTheOpeningMarkerWhereTheGeometrySays() throws Exception {
        byte[] png = DriftPlot.png(chart());
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image.getWidth()).isEqualTo(DriftPlot.WIDTH);
        assertThat(image.getHeight()).isEqualTo(DriftPlot.HEIGHT);

        // y axis: 0 .. 0.2 (0.15 * 1.15 rounded up to 2 x 10^-1); 8 windows across the plot width
        double plotW = DriftPlot.WIDTH - DriftPlot.LEFT - DriftPlot.RIGHT;
        double plotH = DriftPlot.HEIGHT - DriftPlot.TOP - DriftPlot.BOTTOM;
        double slot = plotW / 8;
        int thresholdY = (int) Math.round(DriftPlot.HEIGHT - DriftPlot.BOTTOM - 0.1 / 0.2 * plotH);

        // the dashed threshold line crosses the clean part of the plot (window 3, left of its point)
        int x = (int) (DriftPlot.LEFT + 3.1 * slot);
        int red = 0;
        for (int dx = 0; dx < 20; dx++) {
            if (near(image.getRGB(x + dx, thresholdY), DriftPlot.THRESHOLD)) {
                red++;
            }
        }
        assertThat(red).as("threshold dashes at y=%d", thresholdY).isGreaterThan(5);

        // learning windows shaded, alert windows shaded, the clean ones not (sampled near the top of the plot)
        int topY = DriftPlot.TOP + 30;
        assertThat(image.getRGB((int) (DriftPlot.LEFT + 0.2 * slot), topY) & 0xffffff)
                .isEqualTo(DriftPlot.LEARN_SHADE.getRGB() & 0xffffff);
        assertThat(image.getRGB((int) (DriftPlot.LEFT + 3.2 * slot), topY) & 0xffffff).isEqualTo(0xffffff);
        assertThat(image.getRGB((int) (DriftPlot.LEFT + 6.2 * slot), topY + 40) & 0xffffff)
                .isEqualTo(DriftPlot.ALERT_SHADE.getRGB() & 0xffffff);
        assertThat(image.getRGB((int) (DriftPlot.LEFT + 5.2 * slot), topY + 40) & 0xffffff).isEqualTo(0xffffff);

        // the switch line at the left edge of window 5
        int switchX = (int) Math.round(DriftPlot.LEFT + 5 * slot);
        assertThat(near(image.getRGB(switchX, DriftPlot.TOP + 100), DriftPlot.SWITCH)).isTrue();

        // the big marker where the alert opened: window 6 at 0.15
        int markerX = (int) Math.round(DriftPlot.LEFT + 6.5 * slot);
        int markerY = (int) Math.round(DriftPlot.HEIGHT - DriftPlot.BOTTOM - 0.15 / 0.2 * plotH);
        assertThat(near(image.getRGB(markerX + 5, markerY), DriftPlot.ALERT_MARK)).isTrue();
        // window 7 stays open but did not open it: a small line-coloured point, nothing 5 px beside its centre
        int nextY = (int) Math.round(DriftPlot.HEIGHT - DriftPlot.BOTTOM - 0.12 / 0.2 * plotH);
        assertThat(near(image.getRGB((int) Math.round(DriftPlot.LEFT + 7.5 * slot), nextY), DriftPlot.LINE)).isTrue();
        assertThat(near(image.getRGB((int) Math.round(DriftPlot.LEFT + 7.5 * slot) + 6, nextY + 6), DriftPlot.ALERT_MARK))
                .isFalse();
    }

    @Test
    void niceCeilingRoundsUpToOneTwoOrFive() {
        assertThat(DriftPlot.niceCeiling(0.1725)).isEqualTo(0.2);
        assertThat(DriftPlot.niceCeiling(0.23)).isEqualTo(0.25);
        assertThat(DriftPlot.niceCeiling(0.31)).isEqualTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(DriftPlot.niceCeiling(1.0)).isEqualTo(1.0);
    }

    @Test
    void rejectsChartsItCannotDraw() {
        assertThatThrownBy(() -> new DriftPlot.Chart("t", "m", List.of(), List.of(), 0.1, Double.NaN, -1))
                .hasMessageContaining("at least one window");
        assertThatThrownBy(() -> new DriftPlot.Chart("t", "m", List.of("a"),
                List.of(DriftPlot.Point.of(0.1, false, true, false)), 0, Double.NaN, -1))
                .hasMessageContaining("threshold");
        assertThatThrownBy(() -> new DriftPlot.Chart("t", "m", List.of("a", "b"),
                List.of(DriftPlot.Point.of(0.1, false, true, false)), 0.1, Double.NaN, -1))
                .hasMessageContaining("one label per window");
    }

    private static boolean near(int rgb, java.awt.Color c) {
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        return Math.abs(r - c.getRed()) + Math.abs(g - c.getGreen()) + Math.abs(b - c.getBlue()) < 60;
    }
}
