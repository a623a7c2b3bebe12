package io.saliencystream.drift;

import java.util.Objects;

/**
 * One explanation's attention, checked: a grid normalised to sum 1 (or all zero), its centroid
 * and normalised entropy.
 *
 * @param grid      share per cell, row-major, summing to 1; all zero for a zero map
 * @param centroidX attention centroid, 0..1 of the width
 * @param centroidY attention centroid, 0..1 of the height
 * @param entropy   normalised entropy (0 concentrated .. 1 uniform)
 */
public record AttentionObservation(GridShape shape, double[] grid, double centroidX, double centroidY, double entropy) {

    /** Summary grids are floats that sum to 1; more slack than float rounding means a broken producer. */
    static final double SUM_TOLERANCE = 1e-3;
    private static final double UNIT_SLACK = 1e-6;

    public AttentionObservation {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(grid, "grid");
    }

    /**
     * Checks and normalises one summary's grid.
     *
     * @param entropy the summary's normalised entropy, or null to compute it from the grid
     * @throws IllegalArgumentException what is wrong and why, for a grid of the wrong length, a
     *         negative or non-finite share, a sum other than 0 or 1, or a centroid outside [0, 1]
     */
    public static AttentionObservation of(GridShape shape, double[] grid, double centroidX, double centroidY,
            Double entropy) {
        shape.requireCells("Attention grid", grid.length);
        double sum = 0;
        for (int i = 0; i < grid.length; i++) {
            if (!(grid[i] >= 0) || Double.isInfinite(grid[i])) {
                throw new IllegalArgumentException("Attention grid cell " + i + " is " + grid[i]
                        + "; shares must be finite and >= 0");
            }
            sum += grid[i];
        }
        if (sum == 0) {
            return new AttentionObservation(shape, grid.clone(), centroidX, centroidY, 0);
        }
        if (Math.abs(sum - 1) > SUM_TOLERANCE) {
            throw new IllegalArgumentException("Attention grid sums to " + sum + "; shares must sum to 1 (or all be 0)");
        }
        requireUnit("centroidX", centroidX);
        requireUnit("centroidY", centroidY);
        double[] normalised = GridMath.normalised("Attention grid", grid);
        double h = entropy != null ? entropy : GridMath.normalisedEntropy(normalised);
        if (!(h >= -UNIT_SLACK && h <= 1 + UNIT_SLACK)) {
            throw new IllegalArgumentException("Normalised entropy " + h + " is outside [0, 1]");
        }
        return new AttentionObservation(shape, normalised, centroidX, centroidY, h);
    }

    /** True for an all-zero map: it has no attention distribution to average. */
    public boolean isZero() {
        for (double v : grid) {
            if (v != 0) {
                return false;
            }
        }
        return true;
    }

    private static void requireUnit(String name, double value) {
        if (!(value >= -UNIT_SLACK && value <= 1 + UNIT_SLACK)) {
            throw new IllegalArgumentException(name + " " + value + " is outside [0, 1] of the image");
        }
    }
}
