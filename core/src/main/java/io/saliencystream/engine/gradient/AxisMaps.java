package io.saliencystream.engine.gradient;

/**
 * Pad, Resize (nearest, linear, cubic) and Slice act on each axis separately: along one axis
 * the output is a fixed matrix M [out, in] times the input. The gradient is then M^T applied
 * along each axis in turn. These are the per-axis matrices, written from the ONNX operator
 * specification; the finite-difference tests compare them with ONNX Runtime's kernels.
 */
final class AxisMaps {

    private AxisMaps() {
    }

    static boolean isIdentity(float[][] m) {
        if (m.length != m[0].length) {
            return false;
        }
        for (int o = 0; o < m.length; o++) {
            for (int i = 0; i < m[o].length; i++) {
                if (m[o][i] != (o == i ? 1f : 0f)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Pad by {@code begin} and {@code end} (negative values crop) in mode constant (padding is
     * a constant: no gradient), reflect (mirror without repeating the edge) or edge (repeat it).
     */
    static float[][] pad(int in, long begin, long end, String mode) {
        int out = (int) (in + begin + end);
        float[][] m = new float[out][in];
        for (int o = 0; o < out; o++) {
            long i = o - begin;
            if (i < 0 || i >= in) {
                switch (mode) {
                    case "constant" -> i = -1;
                    case "edge" -> i = Math.max(0, Math.min(in - 1, i));
                    case "reflect" -> {
                        long period = 2L * (in - 1);
                        i = period == 0 ? 0 : Math.floorMod(i, period);
                        i = i >= in ? period - i : i;
                    }
                    default -> throw new IllegalArgumentException("pad mode " + mode);
                }
            }
            if (i >= 0) {
                m[o][(int) i] = 1f;
            }
        }
        return m;
    }

    /** Resize settings that apply to every axis. */
    record Resize(String mode, String coordinates, String nearest, float cubicA, boolean excludeOutside) {
    }

    static float[][] resize(int in, int out, double scale, Resize r) {
        float[][] m = new float[out][in];
        for (int o = 0; o < out; o++) {
            double x = original(o, in, out, scale, r.coordinates());
            switch (r.mode()) {
                case "nearest" -> m[o][clamp(nearest(x, r.nearest()), in)] = 1f;
                case "linear" -> {
                    double c = Math.max(0, Math.min(in - 1, x));
                    int lo = (int) Math.floor(c);
                    int hi = Math.min(lo + 1, in - 1);
                    double t = c - lo;
                    m[o][lo] += (float) (1 - t);
                    m[o][hi] += (float) t;
                }
                case "cubic" -> {
                    int base = (int) Math.floor(x);
                    double t = x - base;
                    double[] c = cubic(t, r.cubicA());
                    double total = 0;
                    for (int k = 0; k < 4; k++) {
                        int i = base - 1 + k;
                        if (r.excludeOutside() && (i < 0 || i >= in)) {
                            c[k] = 0;
                        }
                        total += c[k];
                    }
                    for (int k = 0; k < 4; k++) {
                        m[o][clamp(base - 1 + k, in)] += (float) (r.excludeOutside() ? c[k] / total : c[k]);
                    }
                }
                default -> throw new IllegalArgumentException("resize mode " + r.mode());
            }
        }
        return m;
    }

    /** The input coordinate an output index samples (ONNX Resize, coordinate_transformation_mode). */
    private static double original(int o, int in, int out, double scale, String mode) {
        return switch (mode) {
            case "half_pixel" -> (o + 0.5) / scale - 0.5;
            case "pytorch_half_pixel" -> out > 1 ? (o + 0.5) / scale - 0.5 : 0;
            case "align_corners" -> out == 1 ? 0 : o * (in - 1.0) / (out - 1.0);
            case "asymmetric" -> o / scale;
            default -> throw new IllegalArgumentException("coordinate_transformation_mode " + mode);
        };
    }

    private static int nearest(double x, String mode) {
        return switch (mode) {
            case "round_prefer_floor" -> x == Math.floor(x) + 0.5 ? (int) Math.floor(x) : (int) Math.round(x);
            case "round_prefer_ceil" -> (int) Math.round(x);
            case "floor" -> (int) Math.floor(x);
            case "ceil" -> (int) Math.ceil(x);
            default -> throw new IllegalArgumentException("nearest_mode " + mode);
        };
    }

    /** Keys' cubic convolution weights of the four neighbours floor(x) - 1 .. floor(x) + 2. */
    private static double[] cubic(double t, double a) {
        double[] d = {t + 1, t, 1 - t, 2 - t};
        double[] c = new double[4];
        for (int k = 0; k < 4; k++) {
            double s = d[k];
            c[k] = s <= 1 ? ((a + 2) * s - (a + 3)) * s * s + 1 : ((a * s - 5 * a) * s + 8 * a) * s - 4 * a;
        }
        return c;
    }

    private static int clamp(int i, int in) {
        return Math.max(0, Math.min(in - 1, i));
    }
}
