package io.saliencystream.render;

import io.saliencystream.engine.AttributionMap;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;

import static org.assertj.core.api.Assertions.assertThat;

class OverlayRendererTest {

    private static BufferedImage flat(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    private static boolean gray(int rgb) {
        int r = (rgb >> 16) & 0xff;
        return r == ((rgb >> 8) & 0xff) && r == (rgb & 0xff);
    }

    @Test
    void hotRegionIsColouredZeroAndNegativeRegionsStayGray() throws Exception {
        int w = 48;
        int h = 12;
        float[] v = new float[w * h];
        for (int y = 2; y < 8; y++) {
            for (int x = 4; x < 12; x++) {
                v[y * w + x] = 1f; // hot block on the left
            }
            for (int x = 36; x < 44; x++) {
                v[y * w + x] = -1f; // negative block on the right: not drawn
            }
        }
        byte[] png = OverlayRenderer.render(flat(w, h, 0xc0a080), new AttributionMap(w, h, v),
                new OverlayOptions(ColorMap.RED, 99.5, 4, 0.8, "label 0  p=0.990"));

        BufferedImage out = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(out).isNotNull();
        assertThat(out.getWidth()).isEqualTo(w * 4);
        assertThat(out.getHeight()).isIn(h * 4 + OverlayRenderer.CAPTION_HEIGHT, h * 4); // without fonts: no caption
        int hot = out.getRGB(8 * 4, 5 * 4);
        assertThat(gray(hot)).as("hot pixel %06x", hot & 0xffffff).isFalse();
        assertThat((hot >> 16) & 0xff).as("red dominates").isGreaterThan((hot >> 8) & 0xff);
        assertThat(gray(out.getRGB(24 * 4, 5 * 4))).as("zero region").isTrue();
        assertThat(gray(out.getRGB(40 * 4, 5 * 4))).as("negative region").isTrue();
    }

    @Test
    void clipsAtThePercentileSoOneOutlierDoesNotWashOutTheMap() {
        float[] v = new float[1000];
        for (int i = 0; i < 999; i++) {
            v[i] = 1f;
        }
        v[999] = 1000f;
        float[] heat = OverlayRenderer.normalisedHeat(new AttributionMap(1000, 1, v), 99.0);
        // nearest rank: the 990th of 1000 sorted positive values is 1, so ordinary pixels are at full strength
        assertThat(heat[0]).isEqualTo(1f);
        assertThat(heat[999]).isEqualTo(1f);
        float[] none = OverlayRenderer.normalisedHeat(new AttributionMap(2, 1, new float[] {-1f, 0f}), 99.0);
        assertThat(none).containsOnly(0f);
    }
}
