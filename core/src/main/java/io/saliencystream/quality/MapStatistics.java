package io.saliencystream.quality;

import io.saliencystream.engine.AttributionMap;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Summary of an attribution map for dashboards and drift: where the |attribution| mass lies
 * on a coarse grid, its top cells, centroid and spread (entropy), and the signed masses.
 *
 * @param gridRows     rows of the coarse grid
 * @param gridCols     columns of the coarse grid
 * @param grid         |attribution| mass per cell, row-major, summing to 1 (all 0 for an all-zero map)
 * @param topRegions   up to k cells with the most mass, largest first; cells without mass are left out
 * @param centroidX    |attribution|-weighted mean x of pixel centres, 0..1 from the left (0.5 if no mass)
 * @param centroidY    same for y, 0..1 from the top
 * @param spread       |attribution|-weighted root-mean-square distance of pixel centres from the
 *                     centroid, in the same normalised units (0 for one hot pixel or no mass)
 * @param entropy      Shannon entropy of the grid divided by log(cells): 1 = spread evenly, 0 = one cell
 * @param totalMass    sum of |attribution|
 * @param positiveMass sum of the positive values
 * @param negativeMass sum of the magnitudes of the negative values (a non-negative number)
 */
public record MapStatistics(int gridRows, int gridCols, double[] grid, List<Region> topRegions,
                            double centroidX, double centroidY, double spread, double entropy,
                            double totalMass, double positiveMass, double negativeMass) {

    /** A grid cell as a box in normalised coordinates (0..1; x1, y1 exclusive) with its mass share. */
    public record Region(int row, int col, double x0, double y0, double x1, double y1, double mass) {
    }

    public MapStatistics {
        grid = grid.clone();
        topRegions = List.copyOf(topRegions);
    }

    public double cell(int row, int col) {
        return grid[row * gridCols + col];
    }

    /**
     * Cell boundaries are rounded to whole pixels (row r spans round(r*H/rows) up to
     * round((r+1)*H/rows)), so maps not divisible by the grid get cells differing by one pixel.
     */
    public static MapStatistics of(AttributionMap map, int gridRows, int gridCols, int topK) {
        if (gridRows <= 0 || gridCols <= 0 || topK < 0) {
            throw new IllegalArgumentException("grid must be at least 1x1 and topK non-negative; got "
                    + gridRows + "x" + gridCols + ", topK " + topK);
        }
        int w = map.width();
        int h = map.height();
        int[] rowOf = cellIndex(h, gridRows);
        int[] colOf = cellIndex(w, gridCols);
        double[] grid = new double[gridRows * gridCols];
        double total = 0;
        double positive = 0;
        double negative = 0;
        double cx = 0;
        double cy = 0;
        double squares = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double v = map.get(x, y);
                double a = Math.abs(v);
                if (v > 0) {
                    positive += v;
                } else {
                    negative -= v;
                }
                total += a;
                grid[rowOf[y] * gridCols + colOf[x]] += a;
                double px = (x + 0.5) / w;
                double py = (y + 0.5) / h;
                cx += a * px;
                cy += a * py;
                squares += a * (px * px + py * py);
            }
        }
        double entropy = 0;
        if (total > 0) {
            for (int i = 0; i < grid.length; i++) {
                grid[i] /= total;
                if (grid[i] > 0) {
                    entropy -= grid[i] * Math.log(grid[i]);
                }
            }
            entropy = grid.length > 1 ? entropy / Math.log(grid.length) : 0;
            cx /= total;
            cy /= total;
        } else {
            cx = 0.5;
            cy = 0.5;
        }
        // E[|p|^2] - |E[p]|^2, clamped: rounding can leave a tiny negative for one hot pixel
        double spread = total > 0 ? Math.sqrt(Math.max(0, squares / total - cx * cx - cy * cy)) : 0;
        return new MapStatistics(gridRows, gridCols, grid, top(grid, gridRows, gridCols, h, w, topK),
                cx, cy, spread, entropy, total, positive, negative);
    }

    private static int[] cellIndex(int n, int cells) {
        int[] index = new int[n];
        for (int c = 0; c < cells; c++) {
            for (int i = bound(c, n, cells); i < bound(c + 1, n, cells); i++) {
                index[i] = c;
            }
        }
        return index;
    }

    private static int bound(int cell, int n, int cells) {
        return (int) Math.round((double) cell * n / cells);
    }

    private static List<Region> top(double[] grid, int rows, int cols, int h, int w, int k) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < grid.length; i++) {
            if (grid[i] > 0) {
                order.add(i);
            }
        }
        order.sort(Comparator.comparingDouble((Integer i) -> -grid[i]).thenComparing(i -> i));
        List<Region> regions = new ArrayList<>();
        for (int i : order.subList(0, Math.min(k, order.size()))) {
            int r = i / cols;
            int c = i % cols;
            regions.add(new Region(r, c,
                    (double) bound(c, w, cols) / w, (double) bound(r, h, rows) / h,
                    (double) bound(c + 1, w, cols) / w, (double) bound(r + 1, h, rows) / h, grid[i]));
        }
        return regions;
    }
}
