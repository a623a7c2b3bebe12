package io.saliencystream.engine.input;

import java.awt.image.BufferedImage;

/**
 * Bilinear resize with half-pixel centres, the convention of OpenCV's INTER_LINEAR that
 * PaddleOCR's preprocessing uses, rounding to 8-bit like OpenCV does.
 */
public final class Bilinear {

    private Bilinear() {
    }

    public static BufferedImage resize(BufferedImage src, int width, int height) {
        int sw = src.getWidth();
        int sh = src.getHeight();
        BufferedImage dst = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        if (sw == width && sh == height) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    dst.setRGB(x, y, src.getRGB(x, y) & 0xffffff);
                }
            }
            return dst;
        }
        double sx = (double) sw / width;
        double sy = (double) sh / height;
        for (int y = 0; y < height; y++) {
            double fy = Math.max(0, Math.min(sh - 1, (y + 0.5) * sy - 0.5));
            int y0 = (int) Math.floor(fy);
            int y1 = Math.min(y0 + 1, sh - 1);
            double wy = fy - y0;
            for (int x = 0; x < width; x++) {
                double fx = Math.max(0, Math.min(sw - 1, (x + 0.5) * sx - 0.5));
                int x0 = (int) Math.floor(fx);
                int x1 = Math.min(x0 + 1, sw - 1);
                double wx = fx - x0;
                int p00 = src.getRGB(x0, y0);
                int p01 = src.getRGB(x1, y0);
                int p10 = src.getRGB(x0, y1);
                int p11 = src.getRGB(x1, y1);
                int rgb = 0;
                for (int shift = 16; shift >= 0; shift -= 8) {
                    double top = ((p00 >> shift) & 0xff) * (1 - wx) + ((p01 >> shift) & 0xff) * wx;
                    double bottom = ((p10 >> shift) & 0xff) * (1 - wx) + ((p11 >> shift) & 0xff) * wx;
                    int v = (int) Math.round(top * (1 - wy) + bottom * wy);
                    rgb |= v << shift;
                }
                dst.setRGB(x, y, rgb);
            }
        }
        return dst;
    }
}
