package io.saliencystream.render;

import io.saliencystream.engine.AttributionMap;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each overlay option changes the pixels it should. Maps are drawn at scale 1 without footer
 * where exact pixels are checked; expected colours are worked out by hand from the option's
 * definition (colour anchors, luma, alpha blending), not taken from the renderer.
 */
class OverlayRendererTest {

    /** A warm paper colour: luma 0.299*192 + 0.587*160 + 0.114*128 = 165.92, so grayscale 166. */
    private static final int PAPER = 0xc0a080;
    private static final int PAPER_GRAY = 0xa6a6a6;

    private static BufferedImage flat(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    /** Options at scale 1 with no footer, changed by {@code settings}. */
    private static OverlayOptions exact(Map<String, String> settings) {
        return OverlayOptions.DEFAULT.with(Map.of("scale", "1", "legend", "false", "max_alpha", "0.8")).with(settings);
    }

    private static int px(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) & 0xffffff;
    }

    private static void assertRgbNear(int actual, int expected, int tolerance) {
        for (int shift = 16; shift >= 0; shift -= 8) {
            assertThat((actual >> shift) & 0xff).as("channel >>%d of %06x vs %06x", shift, actual, expected)
                    .isBetween(((expected >> shift) & 0xff) - tolerance, ((expected >> shift) & 0xff) + tolerance);
        }
    }

    /** 16x8 map, zero except a 4x4 block of {@code value} at x 2..5, y 2..5. */
    private static AttributionMap block(float value) {
        float[] v = new float[16 * 8];
        for (int y = 2; y < 6; y++) {
            for (int x = 2; x < 6; x++) {
                v[y * 16 + x] = value;
            }
        }
        return new AttributionMap(16, 8, v);
    }

    @Test
    void positivePolarityLeavesANegativeOnlyMapUncoloured() {
        AttributionMap negative = block(-1f);
        BufferedImage positive = OverlayRenderer.renderImage(flat(16, 8, PAPER), negative,
                exact(Map.of("polarity", "positive", "color_map", "pink_green")));
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                assertThat(px(positive, x, y)).as("pixel %d,%d", x, y).isEqualTo(PAPER_GRAY);
            }
        }
        // the same map with negative or both: pink (ff00ff) at 0.8 over gray 166:
        // 166*0.2 + 255*0.8 = 237.2 -> 237, 166*0.2 = 33.2 -> 33
        for (String polarity : new String[] {"negative", "both"}) {
            BufferedImage img = OverlayRenderer.renderImage(flat(16, 8, PAPER), negative,
                    exact(Map.of("polarity", polarity, "color_map", "pink_green")));
            assertThat(px(img, 3, 3)).as(polarity).isEqualTo(0xed21ed);
            assertThat(px(img, 10, 3)).as(polarity + ", zero pixel").isEqualTo(PAPER_GRAY);
        }
        // and a positive-only map shows nothing under negative polarity
        BufferedImage none = OverlayRenderer.renderImage(flat(16, 8, PAPER), block(1f),
                exact(Map.of("polarity", "negative", "color_map", "pink_green")));
        assertThat(px(none, 3, 3)).isEqualTo(PAPER_GRAY);
    }

    /** 10x10 map holding 1..100, row-major. */
    private static AttributionMap ramp() {
        float[] v = new float[100];
        for (int i = 0; i < 100; i++) {
            v[i] = i + 1;
        }
        return new AttributionMap(10, 10, v);
    }

    @Test
    void valuesAboveTheUpperClipSaturateToTheTopColourAndBelowTheLowerClipAreNotDrawn() {
        // nearest rank: the 50th percentile of 1..100 is 50, the 30th is 30
        BufferedImage img = OverlayRenderer.renderImage(flat(10, 10, PAPER), ramp(), exact(Map.of(
                "color_map", "viridis", "overlay_type", "none",
                "clip_above_percentile", "50", "clip_below_percentile", "30")));
        int top = 0xfde725; // viridis at 1
        assertThat(px(img, 9, 9)).as("value 100").isEqualTo(top);
        assertThat(px(img, 9, 5)).as("value 60").isEqualTo(top);
        assertThat(px(img, 9, 4)).as("value 50, the clip itself").isEqualTo(top);
        // value 40: (40 - 30) / (50 - 30) = 0.5 -> viridis mid 0x21918c
        assertRgbNear(px(img, 9, 3), 0x21918c, 1);
        // value 30 starts the highlight at the bottom of the ramp, 0x440154; value 29 is not drawn
        assertThat(px(img, 9, 2)).as("value 30").isEqualTo(0x440154);
        assertThat(px(img, 8, 2)).as("value 29").isEqualTo(0x000000);

        BufferedImage unclipped = OverlayRenderer.renderImage(flat(10, 10, PAPER), ramp(), exact(Map.of(
                "color_map", "viridis", "overlay_type", "none", "clip_above_percentile", "100")));
        assertThat(px(unclipped, 9, 5)).as("value 60 of 100 is below the top").isNotEqualTo(top);
        assertThat(px(unclipped, 9, 9)).isEqualTo(top);
    }

    @Test
    void colourMapAnchorsOverBlack() {
        float[] v = new float[4 * 1];
        v[0] = 1f;
        v[1] = -1f;
        v[2] = 0.5f;
        v[3] = 0f;
        AttributionMap map = new AttributionMap(4, 1, v);
        Map<String, Integer[]> expected = Map.of(
                // +1, -1, +0.5
                "pink_green", new Integer[] {0x00ff00, 0xff00ff, 0x008000},
                "red_green", new Integer[] {0x00ff00, 0xff0000, 0x008000},
                // PiYG ends #276419 and #8e0152; +0.5 is ramp position 0.75 = between #b8e186 and
                // #7fbc41 (anchors at 0.7 and 0.8): #9bcf64, at opacity 0.5 over black: #4e6732
                "pink_white_green", new Integer[] {0x276419, 0x8e0152, 0x4e6732});
        expected.forEach((name, colours) -> {
            BufferedImage img = OverlayRenderer.renderImage(flat(4, 1, PAPER), map, exact(Map.of(
                    "color_map", name, "overlay_type", "none", "polarity", "both", "clip_above_percentile", "100")));
            assertRgbNear(px(img, 0, 0), colours[0], 0);
            assertRgbNear(px(img, 1, 0), colours[1], 0);
            assertRgbNear(px(img, 2, 0), colours[2], 1);
            assertThat(px(img, 3, 0)).as(name + " zero").isEqualTo(0);
        });
        // sequential maps show |a|: under both, -1 and +1 look alike (ColorBrewer Greens' dark end)
        BufferedImage green = OverlayRenderer.renderImage(flat(4, 1, PAPER), map, exact(Map.of(
                "color_map", "green", "overlay_type", "none", "polarity", "both", "clip_above_percentile", "100")));
        assertThat(px(green, 0, 0)).isEqualTo(0x00441b);
        assertThat(px(green, 1, 0)).isEqualTo(0x00441b);
    }

    @Test
    void overlayTypeSetsWhatLiesUnderTheHighlight() {
        // strength 1 at x=0, 0.5 at x=1, nothing at x=2 (clip at the maximum, no lower clip)
        AttributionMap map = new AttributionMap(3, 1, new float[] {2f, 1f, 0f});
        Map<String, String> base = Map.of("color_map", "green", "clip_above_percentile", "100");
        BufferedImage none = OverlayRenderer.renderImage(flat(3, 1, PAPER), map, exact(base).with(Map.of("overlay_type", "none")));
        BufferedImage original = OverlayRenderer.renderImage(flat(3, 1, PAPER), map, exact(base).with(Map.of("overlay_type", "original")));
        BufferedImage gray = OverlayRenderer.renderImage(flat(3, 1, PAPER), map, exact(base).with(Map.of("overlay_type", "grayscale")));
        BufferedImage mask = OverlayRenderer.renderImage(flat(3, 1, PAPER), map, exact(base).with(Map.of("overlay_type", "mask_black")));

        assertThat(px(none, 2, 0)).isEqualTo(0x000000);
        assertThat(px(original, 2, 0)).isEqualTo(PAPER);
        assertThat(px(gray, 2, 0)).isEqualTo(PAPER_GRAY);
        assertThat(px(mask, 2, 0)).as("no attribution: hidden").isEqualTo(0x000000);
        // mask_black multiplies the original by the strength: c0a080 * 0.5 = 60 50 40; no colour added
        assertThat(px(mask, 0, 0)).isEqualTo(PAPER);
        assertThat(px(mask, 1, 0)).isEqualTo(0x605040);
        // over none the sequential map is opaque: Greens at 1 is #00441b
        assertThat(px(none, 0, 0)).isEqualTo(0x00441b);
        // over the original at opacity 0.8: c0*0.2 + 00*0.8 = 38.4, a0*0.2 + 44*0.8 = 86.4, 80*0.2 + 1b*0.8 = 47.2
        assertThat(px(original, 0, 0)).isEqualTo(0x26562f);
    }

    @Test
    void outlinesTraceTheBorderOfTheHighlightedSquareAndLeaveItsInsideAlone() {
        // 32x20 map, an 8x8 square of 1 at x 10..17, y 6..13; scale 4 puts it at x 40..71, y 24..55
        float[] v = new float[32 * 20];
        for (int y = 6; y < 14; y++) {
            for (int x = 10; x < 18; x++) {
                v[y * 32 + x] = 1f;
            }
        }
        BufferedImage img = OverlayRenderer.renderImage(flat(32, 20, PAPER), new AttributionMap(32, 20, v), OverlayOptions.DEFAULT.with(Map.of(
                "type", "outlines", "color_map", "pink_green", "scale", "4", "legend", "false")));
        int green = 0x00ff00;
        // the edges; the mask is interpolated, so the corners are rounded off by a pixel or two
        for (int i = 44; i <= 67; i++) {
            assertThat(px(img, i, 24)).as("top edge at x=%d", i).isEqualTo(green);
            assertThat(px(img, i, 55)).as("bottom edge at x=%d", i).isEqualTo(green);
            assertThat(px(img, 40, i - 16)).as("left edge at y=%d", i - 16).isEqualTo(green);
            assertThat(px(img, 71, i - 16)).as("right edge at y=%d", i - 16).isEqualTo(green);
        }
        // enclosed: a flood fill from the centre over non-outline pixels stays inside the square
        boolean[] seen = new boolean[img.getWidth() * img.getHeight()];
        java.util.ArrayDeque<int[]> todo = new java.util.ArrayDeque<>();
        todo.add(new int[] {56, 40});
        seen[40 * img.getWidth() + 56] = true;
        int filled = 0;
        while (!todo.isEmpty()) {
            int[] p = todo.poll();
            filled++;
            assertThat(p[0]).as("fill escaped at x").isBetween(41, 70);
            assertThat(p[1]).as("fill escaped at y").isBetween(25, 54);
            for (int[] d : new int[][] {{1, 0}, {-1, 0}, {0, 1}, {0, -1}}) {
                int x = p[0] + d[0];
                int y = p[1] + d[1];
                if (!seen[y * img.getWidth() + x] && px(img, x, y) != green) {
                    seen[y * img.getWidth() + x] = true;
                    todo.add(new int[] {x, y});
                }
            }
        }
        assertThat(filled).as("inside not filled with colour").isGreaterThan(26 * 26);
        // two pixels thick at scale 4, then the inside is the image
        assertThat(px(img, 41, 40)).isEqualTo(green);
        assertThat(px(img, 42, 40)).as("inside").isEqualTo(PAPER_GRAY);
        assertThat(px(img, 56, 40)).as("centre").isEqualTo(PAPER_GRAY);
        assertThat(px(img, 39, 40)).as("just outside").isEqualTo(PAPER_GRAY);
        assertThat(px(img, 100, 70)).as("far outside").isEqualTo(PAPER_GRAY);
    }

    @Test
    void outlinesOfAMapWithoutSignalAreFaint() {
        float[] v = new float[32 * 20];
        for (int y = 6; y < 14; y++) {
            for (int x = 10; x < 18; x++) {
                v[y * 32 + x] = 1f;
            }
        }
        OverlayOptions outlines = OverlayOptions.DEFAULT.with(Map.of(
                "type", "outlines", "color_map", "pink_green", "scale", "4", "legend", "false"));
        // a figure a quarter of the threshold: full strength at 4 times the upper clip, borders at 1/4 opacity
        BufferedImage img = OverlayRenderer.renderImage(flat(32, 20, PAPER), new AttributionMap(32, 20, v),
                outlines.withoutSignal(0.25, 1.0));
        assertThat(px(img, 50, 24)).as("top edge").isEqualTo(OverlayRenderer.blend(PAPER_GRAY, 0x00ff00, 0.25));
        assertThat(px(img, 56, 40)).as("centre").isEqualTo(PAPER_GRAY);
    }

    @Test
    void outlinesKeepOnlyTheLargestRegions() {
        // a 6x6 square and a 2x2 square, apart
        float[] v = new float[24 * 10];
        for (int y = 1; y < 7; y++) {
            for (int x = 1; x < 7; x++) {
                v[y * 24 + x] = 1f;
            }
        }
        for (int y = 2; y < 4; y++) {
            for (int x = 18; x < 20; x++) {
                v[y * 24 + x] = 1f;
            }
        }
        Map<String, String> outlines = Map.of("type", "outlines", "color_map", "pink_green", "scale", "1", "legend", "false");
        AttributionMap map = new AttributionMap(24, 10, v);
        BufferedImage one = OverlayRenderer.renderImage(flat(24, 10, PAPER), map, OverlayOptions.DEFAULT.with(outlines).with(Map.of("outline_regions", "1")));
        BufferedImage two = OverlayRenderer.renderImage(flat(24, 10, PAPER), map, OverlayOptions.DEFAULT.with(outlines).with(Map.of("outline_regions", "2")));
        assertThat(px(one, 1, 1)).isEqualTo(0x00ff00);
        assertThat(px(one, 18, 2)).as("small square dropped").isEqualTo(PAPER_GRAY);
        assertThat(px(two, 18, 2)).isEqualTo(0x00ff00);
    }

    @Test
    void pngHasFooterWithColourBarNegativeEndPinkPositiveEndGreen() throws Exception {
        AttributionMap map = block(1f);
        map.values()[0] = -1f;
        OverlayOptions options = OverlayOptions.forMethod("occlusion").withCaption("label 0  p=0.990");
        byte[] png = OverlayRenderer.render(flat(16, 8, PAPER), map, options);
        BufferedImage out = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(out.getWidth()).isEqualTo(16 * 4);
        assertThat(out.getHeight()).isEqualTo(8 * 4 + OverlayRenderer.FOOTER_HEIGHT);
        // the bar's row in the footer: leftmost non-background pixel pink, rightmost green
        int y = 8 * 4 + 10;
        int first = -1;
        int last = -1;
        for (int x = 0; x < out.getWidth(); x++) {
            int p = px(out, x, y);
            boolean coloured = Math.max(Math.abs(((p >> 16) & 0xff) - ((p >> 8) & 0xff)), Math.abs(((p >> 8) & 0xff) - (p & 0xff))) > 40;
            if (coloured) {
                first = first < 0 ? x : first;
                last = x;
            }
        }
        assertThat(first).isGreaterThanOrEqualTo(0);
        int left = px(out, first, y);
        int right = px(out, last, y);
        assertThat((left >> 16) & 0xff).as("pink end: red over green").isGreaterThan(((left >> 8) & 0xff) + 40);
        assertThat((right >> 8) & 0xff).as("green end: green over red").isGreaterThan(((right >> 16) & 0xff) + 40);
    }

    @Test
    void outlinesOfNarrowMapsKeepTheirLegendInsideTheImage() {
        // a 28x28 map (MNIST) at scale 4 is 112 pixels wide: the swatches once ran off the edge
        for (int side : new int[] {1, 4, 28, 33}) {
            float[] v = new float[side * side];
            java.util.Arrays.fill(v, 1f);
            BufferedImage img = OverlayRenderer.renderImage(flat(side, side, PAPER), new AttributionMap(side, side, v),
                    OverlayOptions.forMethod("vanilla_gradient").with(Map.of("polarity", "both")).withCaption("predicted 7"));
            assertThat(img.getHeight()).as("side %d", side).isEqualTo(side * 4 + OverlayRenderer.FOOTER_HEIGHT);
        }
    }

    @Test
    void withoutLegendOrCaptionThereIsNoFooter() {
        BufferedImage img = OverlayRenderer.renderImage(flat(16, 8, PAPER), block(1f), OverlayOptions.DEFAULT.with(Map.of("legend", "false")));
        assertThat(img.getHeight()).isEqualTo(8 * 4);
    }

    @Test
    void largeMapsAreUpscaledOnlyWithinThePixelBudgetOfATextLineAtScale4() {
        OverlayOptions four = OverlayOptions.DEFAULT.with(Map.of("legend", "false"));
        assertThat(four.scale()).isEqualTo(4);
        assertThat(OverlayRenderer.renderImage(flat(192, 48, PAPER), new AttributionMap(192, 48, new float[192 * 48]), four).getWidth())
                .isEqualTo(768);
        assertThat(OverlayRenderer.renderImage(flat(64, 64, PAPER), new AttributionMap(64, 64, new float[64 * 64]), four).getWidth())
                .isEqualTo(256);
        BufferedImage large = OverlayRenderer.renderImage(flat(224, 224, PAPER), new AttributionMap(224, 224, new float[224 * 224]), four);
        assertThat(large.getWidth()).isEqualTo(224);
        assertThat(large.getHeight()).isEqualTo(224);
    }

    @Test
    void theImageIsReadFromItsPixelsAsDrawingItWouldRead() {
        java.util.Random random = new java.util.Random(12);
        for (int type : new int[] {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_3BYTE_BGR}) {
            BufferedImage image = new BufferedImage(37, 23, type);
            for (int y = 0; y < 23; y++) {
                for (int x = 0; x < 37; x++) {
                    image.setRGB(x, y, random.nextInt());
                }
            }
            int[] copied = new int[37 * 23];
            assertThat(OverlayRenderer.copyOpaque(image, copied)).isTrue();
            BufferedImage drawn = new BufferedImage(37, 23, BufferedImage.TYPE_INT_RGB);
            java.awt.Graphics2D g = drawn.createGraphics();
            g.drawImage(image, 0, 0, null);
            g.dispose();
            for (int i = 0; i < copied.length; i++) {
                assertThat(copied[i]).as("type %d pixel %d", type, i).isEqualTo(drawn.getRGB(i % 37, i / 37) & 0xffffff);
            }
        }
        // anything else is drawn: translucent, gray (its own colour space) and sub-images
        assertThat(OverlayRenderer.copyOpaque(new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB), new int[16])).isFalse();
        assertThat(OverlayRenderer.copyOpaque(new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY), new int[16])).isFalse();
        assertThat(OverlayRenderer.copyOpaque(flat(8, 8, PAPER).getSubimage(2, 2, 4, 4), new int[16])).isFalse();
    }

    @Test
    void roundingMatchesMathRoundOnTiesTheirNeighboursAndTheOneValueWhereAddingAHalfRoundsUp() {
        java.util.List<Double> values = new java.util.ArrayList<>(java.util.List.of(0.0, 0.49999999999999994, 0.5,
                Math.nextUp(0.5), Double.MIN_VALUE, 255.0, 1e9, Double.NaN));
        for (int k = 0; k <= 300; k++) {
            double tie = k + 0.5;
            values.addAll(java.util.List.of((double) k, tie, Math.nextDown(tie), Math.nextUp(tie), Math.nextDown((double) k + 1)));
        }
        java.util.Random random = new java.util.Random(13);
        for (int i = 0; i < 100_000; i++) {
            values.add(random.nextDouble() * 300);
            double tie = random.nextInt(Integer.MAX_VALUE - 1) + 0.5;
            values.addAll(java.util.List.of(tie, Math.nextDown(tie), Math.nextUp(tie), random.nextDouble() * Integer.MAX_VALUE));
        }
        for (double x : values) {
            assertThat(OverlayRenderer.roundNonNegative(x)).as("round(%s)", x).isEqualTo((int) Math.round(x));
        }
    }

    @Test
    void unclampedBlendingEqualsClampedBlendingForOpacitiesFromZeroToOne() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        double[] alphas = {0, 1, Math.nextDown(1.0), Double.MIN_VALUE, 1e-17, 0.5, 0.85, 0.425, 0.85 * 0.5 + 0.85 * 0.5};
        int[] colours = {0, 0xffffff, 0xff00ff, 0x00ff00, 0x010101, 0xfefefe};
        for (double alpha : alphas) {
            for (int base : colours) {
                for (int colour : colours) {
                    assertThat(OverlayRenderer.over(base, colour, alpha)).isEqualTo(OverlayRenderer.blend(base, colour, alpha));
                }
            }
        }
        for (int i = 0; i < 2_000_000; i++) {
            int base = random.nextInt(1 << 24);
            int colour = random.nextInt(1 << 24);
            double alpha = i % 2 == 0 ? random.nextDouble() : random.nextInt(1025) / 1024.0 * 0.85;
            int over = OverlayRenderer.over(base, colour, alpha);
            if (over != OverlayRenderer.blend(base, colour, alpha)) {
                assertThat(over).as("%06x over %06x at %s", colour, base, alpha).isEqualTo(OverlayRenderer.blend(base, colour, alpha));
            }
        }
    }

    @Test
    void legendNumbersHaveThreeSignificantDigitsWithoutTrailingZeros() {
        assertThat(Footer.number(0)).isEqualTo("0");
        assertThat(Footer.number(0.5)).isEqualTo("0.5");
        assertThat(Footer.number(12.0)).isEqualTo("12");
        assertThat(Footer.number(100)).isEqualTo("100");
        assertThat(Footer.number(1.23456)).isEqualTo("1.23");
        assertThat(Footer.number(-0.0012)).isEqualTo("-0.0012");
        assertThat(Footer.number(0.0101)).isEqualTo("0.0101");
        assertThat(Footer.number(1e-5)).isEqualTo("1.00e-05");
        assertThat(Footer.number(123456)).isEqualTo("1.23e+05");
        java.util.Random random = new java.util.Random(2);
        for (int i = 0; i < 2000; i++) {
            double v = Math.pow(10, -3 + 7 * random.nextDouble()) * (random.nextBoolean() ? 1 : -1);
            String formatted = String.format(java.util.Locale.ROOT, "%.3g", v);
            String expected = formatted.contains(".") ? formatted.replaceAll("0+$", "").replaceAll("\\.$", "") : formatted;
            if (Math.abs(v) < 1e4) {
                assertThat(Footer.number(v)).as("%s", v).isEqualTo(expected);
            }
        }
    }
}
