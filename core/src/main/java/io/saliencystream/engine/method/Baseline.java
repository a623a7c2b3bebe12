package io.saliencystream.engine.method;

import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;

import java.util.Random;

/**
 * Reference inputs for path methods, in the model's normalised input space (as {@link Preprocessor}
 * writes it): black and white are pixel values 0 and 255 normalised per channel; blurred is the
 * input under a Gaussian blur (each channel, in pixels); uniform is noise uniform between black
 * and white, drawn from the seed.
 */
public enum Baseline {
    BLACK, WHITE, BLURRED, UNIFORM;

    /** The baseline for {@code input}; {@code blurSigma} in pixels (BLURRED), {@code random} for UNIFORM. */
    public float[] of(float[] input, ModelSpec spec, double blurSigma, Random random) {
        Preprocessor layout = new Preprocessor(spec);
        float[] b = new float[input.length];
        int w = spec.width();
        int h = spec.height();
        for (int c = 0; c < spec.channels(); c++) {
            float black = normalised(spec, c, 0);
            float white = normalised(spec, c, 255);
            if (this == BLURRED) {
                blur(input, b, layout, c, w, h, blurSigma);
                continue;
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    b[layout.index(c, y, x)] = switch (this) {
                        case BLACK -> black;
                        case WHITE -> white;
                        default -> black + random.nextFloat() * (white - black);
                    };
                }
            }
        }
        return b;
    }

    private static float normalised(ModelSpec spec, int c, double pixel) {
        return (float) ((pixel * spec.pixelScale() - spec.mean()[c]) / spec.std()[c]);
    }

    /** Separable Gaussian blur of one channel, edges clamped. */
    private static void blur(float[] in, float[] out, Preprocessor layout, int c, int w, int h, double sigma) {
        if (!(sigma > 0)) {
            throw new IllegalArgumentException("blur sigma must be positive, got " + sigma);
        }
        int radius = (int) Math.ceil(3 * sigma);
        double[] kernel = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            kernel[i + radius] = Math.exp(-i * i / (2 * sigma * sigma));
            sum += kernel[i + radius];
        }
        double[] rows = new double[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int i = -radius; i <= radius; i++) {
                    s += kernel[i + radius] * in[layout.index(c, y, Math.min(w - 1, Math.max(0, x + i)))];
                }
                rows[y * w + x] = s / sum;
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int i = -radius; i <= radius; i++) {
                    s += kernel[i + radius] * rows[Math.min(h - 1, Math.max(0, y + i)) * w + x];
                }
                out[layout.index(c, y, x)] = (float) (s / sum);
            }
        }
    }
}
