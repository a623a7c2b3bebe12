package io.saliencystream.quality;

/**
 * A region of interest as a box in normalised coordinates: 0..1 from the left and top, x1 and
 * y1 exclusive. A pixel belongs to it when its centre lies inside.
 */
public record Roi(double x0, double y0, double x1, double y1) {

    public Roi {
        if (!(0 <= x0 && x0 < x1 && x1 <= 1 && 0 <= y0 && y0 < y1 && y1 <= 1)) {
            throw new IllegalArgumentException("region of interest needs 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1, got ("
                    + x0 + ", " + y0 + ", " + x1 + ", " + y1 + ")");
        }
    }

    /** Whether pixel (x, y) of a width x height map has its centre inside. */
    public boolean contains(int x, int y, int width, int height) {
        double cx = (x + 0.5) / width;
        double cy = (y + 0.5) / height;
        return cx >= x0 && cx < x1 && cy >= y0 && cy < y1;
    }

    /** The box of pixels [px0, px1) x [py0, py1) on a width x height image. */
    public static Roi ofPixels(int px0, int py0, int px1, int py1, int width, int height) {
        return new Roi((double) px0 / width, (double) py0 / height, (double) px1 / width, (double) py1 / height);
    }
}
