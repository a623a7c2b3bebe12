package io.saliencystream.engine.cam;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.gradient.TargetScore;

import java.util.ArrayList;
import java.util.List;

/**
 * The CAM family and attention maps on a {@link CamModel}: each returns a coarse map on the
 * feature layer's grid (cells row-major) with what it cost; {@link #upsample} brings it to the input.
 */
public final class Cam {

    /** OpenVINO XAI's ViT-ReciproCAM kernel: a cell keeps its token at 1/4 and its 8 neighbours at 1/8 or 1/16. */
    private static final double[][] GAUSSIAN = {{1 / 16.0, 1 / 8.0, 1 / 16.0}, {1 / 8.0, 1 / 4.0, 1 / 8.0}, {1 / 16.0, 1 / 8.0, 1 / 16.0}};

    private Cam() {
    }

    /** Class probabilities from one raw output row (softmax for logits). */
    @FunctionalInterface
    public interface Probabilities {
        float[] of(float[] rawRow);
    }

    /**
     * @param coarse      one value per cell of the layer's grid
     * @param calls       ONNX Runtime invocations
     * @param evaluations inputs (or altered feature maps) run through a model or its head
     */
    public record Result(float[] coarse, int gridHeight, int gridWidth, int calls, long evaluations) {
    }

    /** Mean over channels of the feature map (OpenVINO XAI's ActivationMap); class-agnostic. */
    public static Result activationMap(CamModel m, float[] x) throws OrtException {
        FeatureLayer l = spatialOnly(m.layer(), "activation_map");
        CamModel.Forward f = m.forward(x);
        float[] a = f.tensors().get(l.tensor());
        int cells = l.cells();
        float[] map = new float[cells];
        for (int c = 0; c < l.channels(); c++) {
            for (int k = 0; k < cells; k++) {
                map[k] += a[c * cells + k] / l.channels();
            }
        }
        return new Result(map, l.gridHeight(), l.gridWidth(), 1, 1);
    }

    /**
     * Grad-CAM (Selvaraju et al., 2017): ReLU of the feature channels weighted by the spatial mean of
     * the score's gradient; Grad-CAM++ (Chattopadhay et al., 2018) weights each position's positive
     * gradient by the closed-form alpha of the exponential score, as pytorch-grad-cam does.
     */
    public static Result gradCam(CamModel m, float[] x, int target, TargetScore score, boolean plusPlus) throws OrtException {
        FeatureLayer l = m.layer();
        CamModel.Gradient g = m.gradient(x, target, score);
        int cells = l.cells();
        int channels = l.channels();
        double[] a = new double[channels * cells];
        double[] d = new double[channels * cells];
        for (int c = 0; c < channels; c++) {
            for (int k = 0; k < cells; k++) {
                int at = index(l, c, k);
                a[c * cells + k] = g.feature()[at];
                d[c * cells + k] = g.gradient()[at];
            }
        }
        double[] weights = new double[channels];
        for (int c = 0; c < channels; c++) {
            double w = 0;
            if (plusPlus) {
                double sumA = 0;
                for (int k = 0; k < cells; k++) {
                    sumA += a[c * cells + k];
                }
                for (int k = 0; k < cells; k++) {
                    double gk = d[c * cells + k];
                    double g2 = gk * gk;
                    double alpha = gk == 0 ? 0 : g2 / (2 * g2 + sumA * g2 * gk + 1e-6);
                    w += Math.max(gk, 0) * alpha;
                }
            } else {
                for (int k = 0; k < cells; k++) {
                    w += d[c * cells + k];
                }
                w /= cells;
            }
            weights[c] = w;
        }
        float[] map = new float[cells];
        for (int k = 0; k < cells; k++) {
            double s = 0;
            for (int c = 0; c < channels; c++) {
                s += weights[c] * a[c * cells + k];
            }
            map[k] = (float) Math.max(s, 0);
        }
        return new Result(map, l.gridHeight(), l.gridWidth(), 1, 1);
    }

    /**
     * ReciproCAM (Byun and Lee, 2022) and, on tokens, ViT-ReciproCAM (2023), as OpenVINO XAI builds
     * them: the head runs on one altered copy of the layer per grid cell (a CNN's map kept only at
     * that cell; a transformer's patch tokens weighted by a 3x3 Gaussian around it, class token
     * kept, in the block input and its normed copy alike), and the cell's value is the target's
     * probability, min-max scaled over the grid.
     */
    public static Result reciproCam(CamModel m, float[] x, Probabilities p, int target, int batchSize)
            throws OrtException {
        FeatureLayer l = m.layer();
        CamModel.Forward f = m.forward(x);
        List<float[]> originals = new ArrayList<>();
        for (String name : m.cutNames()) {
            originals.add(f.tensors().get(name));
        }
        int cells = l.cells();
        int size = originals.get(0).length;
        float[] map = new float[cells];
        int calls = 1;
        for (int first = 0; first < cells; first += batchSize) {
            int n = Math.min(batchSize, cells - first);
            List<float[]> batch = new ArrayList<>();
            for (float[] original : originals) {
                float[] mosaic = new float[n * size];
                for (int i = 0; i < n; i++) {
                    mosaic(l, original, first + i, mosaic, i * size);
                }
                batch.add(mosaic);
            }
            float[][] rows = m.head(batch, n, x);
            for (int i = 0; i < n; i++) {
                map[first + i] = p.of(rows[i])[target];
            }
            calls++;
        }
        return new Result(minMax(map), l.gridHeight(), l.gridWidth(), calls, 1 + cells);
    }

    /** Writes into {@code out} at {@code offset} the layer with only cell {@code k} (and its neighbourhood) kept. */
    static void mosaic(FeatureLayer l, float[] original, int k, float[] out, int offset) {
        int cells = l.cells();
        if (l.kind() == FeatureLayer.Kind.SPATIAL) {
            for (int c = 0; c < l.channels(); c++) {
                out[offset + c * cells + k] = original[c * cells + k];
            }
            return;
        }
        int width = l.channels();
        System.arraycopy(original, 0, out, offset, l.auxTokens() * width);
        int ki = k / l.gridWidth();
        int kj = k % l.gridWidth();
        for (int di = -1; di <= 1; di++) {
            for (int dj = -1; dj <= 1; dj++) {
                int i = ki + di;
                int j = kj + dj;
                if (i < 0 || j < 0 || i >= l.gridHeight() || j >= l.gridWidth()) {
                    continue;
                }
                float w = (float) GAUSSIAN[di + 1][dj + 1];
                int token = l.auxTokens() + i * l.gridWidth() + j;
                for (int d = 0; d < width; d++) {
                    out[offset + token * width + d] = original[token * width + d] * w;
                }
            }
        }
    }

    /**
     * Attention rollout (Abnar and Zuidema, 2020): per block the attention averaged over heads, with
     * the residual as (A + I) / 2, multiplied through the blocks; the class token's row over the
     * patch tokens. Class-agnostic.
     */
    public static Result attentionRollout(CamModel m, float[] x) throws OrtException {
        FeatureLayer l = m.layer();
        if (l.attentions().isEmpty()) {
            throw new IllegalArgumentException("attention_rollout needs a transformer; the model has no attention (Softmax over [tokens, tokens])");
        }
        CamModel.Forward f = m.forward(x);
        int t = (int) l.shape()[0];
        double[][] rollout = identity(t);
        for (String name : l.attentions()) {
            float[] att = f.tensors().get(name);
            int heads = att.length / (t * t);
            double[][] a = new double[t][t];
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < t; i++) {
                    for (int j = 0; j < t; j++) {
                        a[i][j] += att[(h * t + i) * t + j] / (2.0 * heads);
                    }
                }
            }
            for (int i = 0; i < t; i++) {
                a[i][i] += 0.5;
            }
            rollout = multiply(a, rollout);
        }
        float[] map = new float[l.cells()];
        for (int k = 0; k < map.length; k++) {
            map[k] = (float) rollout[0][l.auxTokens() + k];
        }
        return new Result(map, l.gridHeight(), l.gridWidth(), 1, 1);
    }

    private static double[][] identity(int n) {
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            m[i][i] = 1;
        }
        return m;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                double v = a[i][k];
                for (int j = 0; j < n; j++) {
                    c[i][j] += v * b[k][j];
                }
            }
        }
        return c;
    }

    /**
     * The coarse map resized to {@code width} x {@code height} bilinearly with half-pixel centres
     * (PyTorch's interpolate without align_corners, OpenCV's INTER_LINEAR), as the CAM papers upsample.
     */
    public static float[] upsample(float[] coarse, int gridHeight, int gridWidth, int width, int height) {
        float[] out = new float[width * height];
        double sy = (double) gridHeight / height;
        double sx = (double) gridWidth / width;
        for (int y = 0; y < height; y++) {
            double fy = Math.max(0, Math.min(gridHeight - 1, (y + 0.5) * sy - 0.5));
            int y0 = (int) Math.floor(fy);
            int y1 = Math.min(y0 + 1, gridHeight - 1);
            double wy = fy - y0;
            for (int x = 0; x < width; x++) {
                double fx = Math.max(0, Math.min(gridWidth - 1, (x + 0.5) * sx - 0.5));
                int x0 = (int) Math.floor(fx);
                int x1 = Math.min(x0 + 1, gridWidth - 1);
                double wx = fx - x0;
                double top = coarse[y0 * gridWidth + x0] * (1 - wx) + coarse[y0 * gridWidth + x1] * wx;
                double bottom = coarse[y1 * gridWidth + x0] * (1 - wx) + coarse[y1 * gridWidth + x1] * wx;
                out[y * width + x] = (float) (top * (1 - wy) + bottom * wy);
            }
        }
        return out;
    }

    /** Scaled to [0, 1] over its range; a constant map becomes all zeros. */
    static float[] minMax(float[] v) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        float[] out = new float[v.length];
        if (hi > lo) {
            for (int i = 0; i < v.length; i++) {
                out[i] = (v[i] - lo) / (hi - lo);
            }
        }
        return out;
    }

    /** Position of channel {@code c} at cell {@code k} in the layer's tensor (tokens: patch tokens only). */
    private static int index(FeatureLayer l, int c, int k) {
        return l.kind() == FeatureLayer.Kind.SPATIAL ? c * l.cells() + k : (l.auxTokens() + k) * l.channels() + c;
    }

    private static FeatureLayer spatialOnly(FeatureLayer l, String method) {
        if (l.kind() != FeatureLayer.Kind.SPATIAL) {
            throw new IllegalArgumentException(method + " needs a spatial feature map [C, H, W]; the layer is " + l.describe());
        }
        return l;
    }
}
