package io.saliencystream.render;

import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/** Fonts that may be missing: headless servers without fontconfig or font files have none. */
public final class Fonts {

    private Fonts() {
    }

    /** {@code font} if text can be measured with it here, else null (callers then skip text). */
    public static Font usable(Font font) {
        try {
            BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = probe.createGraphics();
            try {
                g.getFontMetrics(font).stringWidth("0");
            } finally {
                g.dispose();
            }
            return font;
        } catch (RuntimeException | Error e) {
            // missing fontconfig or font files surface as Errors from the font manager
            return null;
        }
    }

    /** {@code text}, cut with an ellipsis to fit {@code width} pixels. */
    public static String fit(String text, FontMetrics fm, int width) {
        if (fm.stringWidth(text) <= width) {
            return text;
        }
        String cut = text;
        while (!cut.isEmpty() && fm.stringWidth(cut + "\u2026") > width) {
            cut = cut.substring(0, cut.length() - 1);
        }
        return cut + "\u2026";
    }
}
