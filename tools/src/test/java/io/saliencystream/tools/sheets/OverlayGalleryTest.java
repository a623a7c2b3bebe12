package io.saliencystream.tools.sheets;

import io.saliencystream.engine.AttributionMap;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

import static org.assertj.core.api.Assertions.assertThat;

class OverlayGalleryTest {

    @Test
    void everyOptionRowRendersOnASyntheticMap() {
        // a signed map: a positive blob on the left, a negative one on the right
        int w = 48;
        int h = 12;
        float[] v = new float[w * h];
        for (int y = 2; y < 10; y++) {
            for (int x = 4; x < 14; x++) {
                v[y * w + x] = 1f + x * 0.1f;
            }
            for (int x = 30; x < 40; x++) {
                v[y * w + x] = -0.5f;
            }
        }
        BufferedImage gray = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        BufferedImage tinted = OverlayGallery.tinted(gray);
        // black becomes the ink colour
        assertThat(tinted.getRGB(0, 0) & 0xffffff).isEqualTo(20 << 16 | 40 << 8 | 120);

        ContactSheet sheet = OverlayGallery.sheet(tinted, new AttributionMap(w, h, v), "occlusion", "0 p=0.99");
        assertThat(sheet.rowCount()).isEqualTo(8);
        BufferedImage page = sheet.render();
        // widest row: five tiles of 48*2 pixels
        assertThat(page.getWidth()).isGreaterThan(5 * w * OverlayGallery.TILE_SCALE);
    }
}
