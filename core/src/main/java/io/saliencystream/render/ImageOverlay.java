package io.saliencystream.render;

import io.saliencystream.engine.AttributionMap;
import io.saliencystream.engine.model.ModelInput;

import java.awt.image.BufferedImage;

/**
 * Draws a map of an input's picture where a person looks for it: on the original image, with
 * the preprocessing's resize and padding undone (aspect ratio kept), or, with
 * {@link OverlayOptions.Space#MODEL}, on the model's input as the model saw it, the padding
 * carrying no attribution and so drawn as plain background.
 */
public final class ImageOverlay {

    private ImageOverlay() {
    }

    /**
     * @param input      the prepared input
     * @param contentMap the map of the input's content region (what a method explaining
     *                   {@link ModelInput#content} returns)
     */
    public static BufferedImage render(ModelInput input, AttributionMap contentMap, OverlayOptions options) {
        if (options.space() == OverlayOptions.Space.MODEL) {
            AttributionMap full = input.region().embed(contentMap, input.spec().width(), input.spec().height());
            return OverlayRenderer.renderImage(input.modelView(), full, options);
        }
        BufferedImage original = input.original();
        int[] size = size(original.getWidth(), original.getHeight(), input.spec().width(), input.spec().height(), options);
        return OverlayRenderer.renderImage(original, resample(contentMap, size[0], size[1]),
                options.with(java.util.Map.of("scale", "1")));
    }

    /**
     * Output size on the original image, aspect ratio kept: the longest side is the image's own,
     * or the model view's at {@code scale} when that is larger (a small crop is not drawn smaller
     * than the model view would be), and at most {@code maxSide}. The model view's scale is held
     * to the renderer's pixel budget ({@link OverlayRenderer#scale(int, int, int)}), so a 224x224
     * model does not blow a small photograph up to {@code maxSide}.
     */
    static int[] size(int width, int height, int modelWidth, int modelHeight, OverlayOptions options) {
        int longest = Math.max(width, height);
        int modelSide = Math.max(modelWidth, modelHeight) * OverlayRenderer.scale(modelWidth, modelHeight, options.scale());
        double factor = Math.min(options.maxSide(), Math.max(longest, modelSide)) / (double) longest;
        return new int[] {Math.max(1, (int) Math.round(width * factor)), Math.max(1, (int) Math.round(height * factor))};
    }

    /** The map bilinearly resampled to {@code width} x {@code height}, pixel centres aligned. */
    public static AttributionMap resample(AttributionMap map, int width, int height) {
        if (map.width() == width && map.height() == height) {
            return map;
        }
        float[] out = new float[width * height];
        float[] v = map.values();
        int mw = map.width();
        // where each column and row samples, computed once per axis, as OverlayRenderer.sample would per pixel
        double sx = mw / (double) width;
        int[] x0 = new int[width];
        int[] x1 = new int[width];
        double[] fx = new double[width];
        for (int x = 0; x < width; x++) {
            double cx = Math.max(0, Math.min(mw - 1, (x + 0.5) * sx - 0.5));
            x0[x] = (int) cx;
            x1[x] = Math.min(mw - 1, x0[x] + 1);
            fx[x] = cx - x0[x];
        }
        double sy = map.height() / (double) height;
        for (int y = 0; y < height; y++) {
            double cy = Math.max(0, Math.min(map.height() - 1, (y + 0.5) * sy - 0.5));
            int y0 = (int) cy;
            int r0 = y0 * mw;
            int r1 = Math.min(map.height() - 1, y0 + 1) * mw;
            double fy = cy - y0;
            for (int x = 0; x < width; x++) {
                double top = v[r0 + x0[x]] * (1 - fx[x]) + v[r0 + x1[x]] * fx[x];
                double bottom = v[r1 + x0[x]] * (1 - fx[x]) + v[r1 + x1[x]] * fx[x];
                out[y * width + x] = (float) (top * (1 - fy) + bottom * fy);
            }
        }
        return new AttributionMap(width, height, out);
    }
}
