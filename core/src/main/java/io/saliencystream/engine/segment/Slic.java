package io.saliencystream.engine.segment;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * SLIC superpixels (Achanta et al., 2012): k-means in (CIELAB colour, position) started from a
 * regular grid of about {@code segments} centres, each pixel compared only with centres within
 * two grid steps, distance sqrt(dColour^2 + (dSpace / step)^2 * compactness^2); then every
 * disconnected piece becomes its own segment and pieces under a quarter of the mean size are
 * merged into a neighbour, so segments are connected.
 */
public final class Slic {

    private static final int ITERATIONS = 10;

    private Slic() {
    }

    /**
     * @param channels    1 (gray) or 3 (R, G, B) planes of width x height values in 0..255
     * @param segments    about how many segments to make
     * @param compactness weight of position against colour; about 10 for natural images
     */
    public static Segmentation segment(float[][] channels, int width, int height, int segments, double compactness) {
        if (segments <= 0 || !(compactness > 0)) {
            throw new IllegalArgumentException("slic needs segments > 0 and compactness > 0, got " + segments + ", " + compactness);
        }
        if (channels.length != 1 && channels.length != 3) {
            throw new IllegalArgumentException("slic needs 1 or 3 channels, got " + channels.length);
        }
        int n = width * height;
        double[][] lab = lab(channels, n);
        double step = Math.max(1, Math.sqrt((double) n / segments));
        int gx = Math.max(1, (int) Math.round(width / step));
        int gy = Math.max(1, (int) Math.round(height / step));
        int k = gx * gy;
        double[][] centres = new double[k][5]; // L, a, b, x, y
        for (int j = 0; j < gy; j++) {
            for (int i = 0; i < gx; i++) {
                int x = (int) ((i + 0.5) * width / gx);
                int y = (int) ((j + 0.5) * height / gy);
                int p = y * width + x;
                centres[j * gx + i] = new double[] {lab[0][p], lab[1][p], lab[2][p], x, y};
            }
        }
        int[] labels = new int[n];
        double[] best = new double[n];
        double weight = (compactness / step) * (compactness / step);
        int reach = (int) Math.ceil(2 * step);
        for (int iter = 0; iter < ITERATIONS; iter++) {
            Arrays.fill(best, Double.POSITIVE_INFINITY);
            for (int c = 0; c < k; c++) {
                double[] ct = centres[c];
                int x0 = Math.max(0, (int) ct[3] - reach);
                int x1 = Math.min(width, (int) ct[3] + reach + 1);
                int y0 = Math.max(0, (int) ct[4] - reach);
                int y1 = Math.min(height, (int) ct[4] + reach + 1);
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) {
                        int p = y * width + x;
                        double dl = lab[0][p] - ct[0];
                        double da = lab[1][p] - ct[1];
                        double db = lab[2][p] - ct[2];
                        double dx = x - ct[3];
                        double dy = y - ct[4];
                        double d = dl * dl + da * da + db * db + (dx * dx + dy * dy) * weight;
                        if (d < best[p]) {
                            best[p] = d;
                            labels[p] = c;
                        }
                    }
                }
            }
            double[][] sums = new double[k][6];
            for (int p = 0; p < n; p++) {
                double[] s = sums[labels[p]];
                s[0] += lab[0][p];
                s[1] += lab[1][p];
                s[2] += lab[2][p];
                s[3] += p % width;
                s[4] += p / width;
                s[5]++;
            }
            for (int c = 0; c < k; c++) {
                if (sums[c][5] > 0) {
                    for (int d = 0; d < 5; d++) {
                        centres[c][d] = sums[c][d] / sums[c][5];
                    }
                }
            }
        }
        return connected(labels, width, height, Math.max(1, n / k / 4));
    }

    /** Relabels connected pieces 0..m-1, merging pieces smaller than {@code minSize} into a neighbour. */
    private static Segmentation connected(int[] labels, int width, int height, int minSize) {
        int n = labels.length;
        int[] out = new int[n];
        Arrays.fill(out, -1);
        int next = 0;
        int[] piece = new int[n];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        int[] dx = {1, -1, 0, 0};
        int[] dy = {0, 0, 1, -1};
        for (int start = 0; start < n; start++) {
            if (out[start] >= 0) {
                continue;
            }
            // a neighbour already labelled, to absorb this piece if it is too small
            int adjacent = -1;
            int size = 0;
            out[start] = next;
            queue.add(start);
            while (!queue.isEmpty()) {
                int p = queue.poll();
                piece[size++] = p;
                int x = p % width;
                int y = p / width;
                for (int d = 0; d < 4; d++) {
                    int nx = x + dx[d];
                    int ny = y + dy[d];
                    if (nx < 0 || ny < 0 || nx >= width || ny >= height) {
                        continue;
                    }
                    int q = ny * width + nx;
                    if (out[q] < 0 && labels[q] == labels[start]) {
                        out[q] = next;
                        queue.add(q);
                    } else if (out[q] >= 0 && out[q] != next) {
                        adjacent = out[q];
                    }
                }
            }
            if (size < minSize && adjacent >= 0) {
                for (int i = 0; i < size; i++) {
                    out[piece[i]] = adjacent;
                }
            } else {
                next++;
            }
        }
        return new Segmentation(width, height, next, out);
    }

    /** CIELAB (D65) planes of sRGB input, or L alone (a = b = 0) for gray. */
    private static double[][] lab(float[][] channels, int n) {
        double[][] out = new double[3][n];
        for (int p = 0; p < n; p++) {
            double r = linear(channels[0][p]);
            double g = channels.length == 3 ? linear(channels[1][p]) : r;
            double b = channels.length == 3 ? linear(channels[2][p]) : r;
            double x = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
            double y = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
            double z = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
            out[0][p] = 116 * y - 16;
            out[1][p] = 500 * (x - y);
            out[2][p] = 200 * (y - z);
        }
        return out;
    }

    private static double linear(float v) {
        double c = Math.max(0, Math.min(255, v)) / 255.0;
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }

    private static double f(double t) {
        return t > 216.0 / 24389 ? Math.cbrt(t) : (24389.0 / 27 * t + 16) / 116;
    }
}
