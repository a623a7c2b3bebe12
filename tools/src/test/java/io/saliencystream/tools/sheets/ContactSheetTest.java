package io.saliencystream.tools.sheets;

import io.saliencystream.tools.sheets.ContactSheet.Tile;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContactSheetTest {

    private static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    private static int count(BufferedImage img, int rgb) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void everyTileAppearsWholeAndUncovered() {
        BufferedImage sheet = new ContactSheet("title")
                .columnHeaders(List.of("a", "b"))
                .row("first row with a long label that wraps", List.of(new Tile(solid(50, 20, 0xff0000), "red"), new Tile(solid(30, 40, 0x0000ff), "blue")))
                .row(null, List.of(new Tile(solid(70, 10, 0x00ff00), null)))
                .render();
        assertThat(count(sheet, 0xff0000)).isEqualTo(50 * 20);
        assertThat(count(sheet, 0x0000ff)).isEqualTo(30 * 40);
        assertThat(count(sheet, 0x00ff00)).isEqualTo(70 * 10);
        // the first column is as wide as its widest tile (70), so the blue tile starts right of it
        int redLeft = -1;
        int blueLeft = -1;
        for (int x = 0; x < sheet.getWidth() && (redLeft < 0 || blueLeft < 0); x++) {
            for (int y = 0; y < sheet.getHeight(); y++) {
                int p = sheet.getRGB(x, y) & 0xffffff;
                if (p == 0xff0000 && redLeft < 0) {
                    redLeft = x;
                }
                if (p == 0x0000ff && blueLeft < 0) {
                    blueLeft = x;
                }
            }
        }
        assertThat(blueLeft - redLeft).isGreaterThanOrEqualTo(70);
    }

    @Test
    void emptyRowsAndSheetsAreRefused() {
        assertThatThrownBy(() -> new ContactSheet("t").row("r", List.of())).hasMessageContaining("row 'r' has no tiles");
        assertThatThrownBy(() -> new ContactSheet("t").render()).hasMessageContaining("has no rows");
    }
}
