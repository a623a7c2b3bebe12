package io.saliencystream.engine.gradient;

import ai.onnx.proto.OnnxMl.ModelProto;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks a gradient model against central finite differences of its own forward score,
 * evaluated by ONNX Runtime on the unmodified forward operators: all 2n perturbed inputs go in
 * one batch. ONNX Runtime's CPU Conv, ConvTranspose and MaxUnpool kernels are float32 only, so
 * the differences are float32: with step h and scores of size S the rounding error of a
 * difference is about 1e-7 S / h and the truncation error h^2 f''' / 6. Test inputs keep
 * piecewise-linear operators at least 2h from their kinks, so truncation vanishes there.
 */
final class GradientCheck {

    static final float STEP = 1e-2f;

    private GradientCheck() {
    }

    /** Random weights on the outputs: the check then covers the whole vector-Jacobian product. */
    static float[] randomWeights(int classes, long seed) {
        Random r = new Random(seed);
        float[] w = new float[classes];
        for (int i = 0; i < classes; i++) {
            w[i] = (float) r.nextGaussian();
        }
        return w;
    }

    /** Element-by-element check of d(sum_k w_k y_k)/dx; returns the largest absolute gradient. */
    static double elementwise(ModelProto forward, long[] inputShape, float[] x, long seed, double tolerance) throws Exception {
        try (GradientModel gm = GradientModel.of(forward, "x", false, TargetScore.RAW, inputShape)) {
            float[] w = randomWeights(gm.classes(), seed);
            float[] grad = gm.run(x, w, 1).gradients();
            int n = x.length;
            float[] batch = new float[2 * n * n];
            float[] weights = new float[2 * n * gm.classes()];
            for (int i = 0; i < 2 * n; i++) {
                System.arraycopy(x, 0, batch, i * n, n);
                System.arraycopy(w, 0, weights, i * gm.classes(), gm.classes());
            }
            for (int i = 0; i < n; i++) {
                batch[2 * i * n + i] += STEP;
                batch[(2 * i + 1) * n + i] -= STEP;
            }
            float[] s = gm.run(batch, weights, 2 * n).scores();
            double scale = 0;
            for (float g : grad) {
                scale = Math.max(scale, Math.abs(g));
            }
            assertThat(scale).as("gradient is not identically zero").isGreaterThan(1e-4);
            for (int i = 0; i < n; i++) {
                double fd = ((double) s[2 * i] - s[2 * i + 1]) / (2 * STEP);
                assertThat((double) grad[i]).as("d score / d x[%d] (finite difference %f)", i, fd)
                        .isCloseTo(fd, org.assertj.core.data.Offset.offset(tolerance * Math.max(1, scale)));
            }
            return scale;
        }
    }
}
