package io.saliencystream.render;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ColorMapTest {

    private static int[] rgb(int packed) {
        return new int[] {(packed >> 16) & 0xff, (packed >> 8) & 0xff, packed & 0xff};
    }

    private static void assertNear(int actual, int expected, int tolerance) {
        int[] a = rgb(actual);
        int[] e = rgb(expected);
        for (int c = 0; c < 3; c++) {
            assertThat(a[c]).as("channel %d of %06x vs %06x", c, actual, expected).isBetween(e[c] - tolerance, e[c] + tolerance);
        }
    }

    @Test
    void viridisMatchesItsPublishedColours() {
        // ends and quartiles of matplotlib's viridis as usually quoted in hex
        assertThat(ColorMap.VIRIDIS.rgb(0)).isEqualTo(0x440154);
        assertThat(ColorMap.VIRIDIS.rgb(1)).isEqualTo(0xfde725);
        assertNear(ColorMap.VIRIDIS.rgb(0.25), 0x3b528b, 1);
        assertNear(ColorMap.VIRIDIS.rgb(0.5), 0x21918c, 1);
        assertNear(ColorMap.VIRIDIS.rgb(0.75), 0x5ec962, 1);
        // R's viridisLite::viridis(10), entries 2 and 9, lie between anchors: interpolating the
        // 32-step anchor table stays within 3 levels of the full 256-entry table
        assertNear(ColorMap.VIRIDIS.rgb(1 / 9.0), 0x482878, 3);
        assertNear(ColorMap.VIRIDIS.rgb(8 / 9.0), 0xb4de2c, 3);
    }

    @Test
    void redIsColorBrewerReds() {
        assertThat(ColorMap.RED.rgb(0)).isEqualTo(0xfff5f0);
        assertThat(ColorMap.RED.rgb(0.5)).isEqualTo(0xfb6a4a);
        assertThat(ColorMap.RED.rgb(1)).isEqualTo(0x67000d);
        assertThat(ColorMap.RED.rgb(2)).isEqualTo(0x67000d); // clamped
        assertThat(ColorMap.RED.rgb(-1)).isEqualTo(0xfff5f0);
    }

    @Test
    void signedMapsPutNegativeOnThePinkOrRedSideAndPositiveOnTheGreenSide() {
        assertThat(ColorMap.PINK_GREEN.colour(-1)).isEqualTo(0xff00ff);
        assertThat(ColorMap.PINK_GREEN.colour(-0.01)).isEqualTo(0xff00ff);
        assertThat(ColorMap.PINK_GREEN.colour(0.3)).isEqualTo(0x00ff00);
        assertThat(ColorMap.RED_GREEN.colour(-0.5)).isEqualTo(0xff0000);
        // ColorBrewer PiYG, 11 classes: ends and the white centre
        assertThat(ColorMap.PINK_WHITE_GREEN.colour(-1)).isEqualTo(0x8e0152);
        assertThat(ColorMap.PINK_WHITE_GREEN.colour(0)).isEqualTo(0xf7f7f7);
        assertThat(ColorMap.PINK_WHITE_GREEN.colour(1)).isEqualTo(0x276419);
        assertThat(ColorMap.PINK_WHITE_GREEN.colour(-0.2)).isEqualTo(0xfde0ef);
        // sequential maps show magnitude only
        assertThat(ColorMap.VIRIDIS.colour(-1)).isEqualTo(ColorMap.VIRIDIS.colour(1));
        assertThat(ColorMap.VIRIDIS.signed()).isFalse();
        assertThat(ColorMap.PINK_WHITE_GREEN.signed()).isTrue();
    }

    @Test
    void byName() {
        assertThat(ColorMap.of("Viridis")).isEqualTo(ColorMap.VIRIDIS);
        assertThat(ColorMap.of("pink-white-green")).isEqualTo(ColorMap.PINK_WHITE_GREEN);
        assertThatThrownBy(() -> ColorMap.of("jet")).hasMessageContaining("unknown colour map 'jet'")
                .hasMessageContaining("viridis, red, green, pink_green, red_green, pink_white_green");
    }
}
