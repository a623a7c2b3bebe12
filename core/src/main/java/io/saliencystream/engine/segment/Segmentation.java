package io.saliencystream.engine.segment;

/**
 * A partition of a width x height image into {@code count} segments: {@code labels[y * width + x]}
 * is the segment of pixel (x, y), every label in 0..count-1 is used.
 */
public record Segmentation(int width, int height, int count, int[] labels) {

    public Segmentation {
        if (width <= 0 || height <= 0 || labels == null || labels.length != width * height) {
            throw new IllegalArgumentException("segmentation " + width + "x" + height + " needs "
                    + (long) width * height + " labels, got " + (labels == null ? 0 : labels.length));
        }
        int[] sizes = new int[Math.max(count, 0)];
        for (int l : labels) {
            if (l < 0 || l >= count) {
                throw new IllegalArgumentException("segment label " + l + " outside 0.." + (count - 1));
            }
            sizes[l]++;
        }
        for (int i = 0; i < count; i++) {
            if (sizes[i] == 0) {
                throw new IllegalArgumentException("segment " + i + " has no pixels");
            }
        }
    }

    /** Pixels in each segment. */
    public int[] sizes() {
        int[] sizes = new int[count];
        for (int l : labels) {
            sizes[l]++;
        }
        return sizes;
    }

    /**
     * A rows x cols grid of rectangles (boundaries rounded to whole pixels), labelled row-major;
     * rows and cols are capped at the image's height and width.
     */
    public static Segmentation grid(int width, int height, int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("grid needs positive rows and cols, got " + rows + "x" + cols);
        }
        int r = Math.min(rows, height);
        int c = Math.min(cols, width);
        int[] labels = new int[width * height];
        for (int y = 0; y < height; y++) {
            int row = (int) ((long) y * r / height);
            for (int x = 0; x < width; x++) {
                labels[y * width + x] = row * c + (int) ((long) x * c / width);
            }
        }
        return new Segmentation(width, height, r * c, labels);
    }
}
