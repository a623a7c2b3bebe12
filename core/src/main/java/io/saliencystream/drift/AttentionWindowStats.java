package io.saliencystream.drift;

import java.util.Arrays;

/**
 * Running statistics of the attention grids of one series in one window: count, per-cell mean
 * and sum of squared deviations (Welford's one-pass update), mean centroid and mean entropy.
 * Two aggregates combine exactly with {@link #merge} (Chan, Golub and LeVeque's pairwise
 * update), so partial windows can be merged in any order.
 *
 * <p>Regions-of-interest mass needs no state of its own: it is linear in the grid, so the mean
 * ROI mass over the window equals the ROI mass of the mean grid ({@link WindowProfile}).
 *
 * <p>All-zero maps have no distribution to average; they are counted in {@link #zeroMaps()}
 * and left out of every mean. Mutable and not thread-safe, like any aggregate of Kafka Streams.
 */
public final class AttentionWindowStats {

    private GridShape shape;
    private long count;
    private long zeroMaps;
    private double[] mean;
    private double[] m2;
    private double centroidXMean;
    private double centroidYMean;
    private double entropyMean;

    private AttentionWindowStats() {
    }

    public static AttentionWindowStats empty() {
        return new AttentionWindowStats();
    }

    /** Rebuilds an aggregate from its stored parts (shape is null while count is 0). */
    public static AttentionWindowStats restore(GridShape shape, long count, long zeroMaps, double[] cellMean,
            double[] cellM2, double centroidXMean, double centroidYMean, double entropyMean) {
        if (count < 0 || zeroMaps < 0) {
            throw new IllegalArgumentException("Counts must be >= 0, got count " + count + ", zeroMaps " + zeroMaps);
        }
        AttentionWindowStats s = new AttentionWindowStats();
        s.zeroMaps = zeroMaps;
        if (count > 0) {
            if (shape == null) {
                throw new IllegalArgumentException("An aggregate of " + count + " grids needs a grid shape");
            }
            shape.requireCells("Stored cell means", cellMean.length);
            shape.requireCells("Stored cell M2", cellM2.length);
            s.shape = shape;
            s.count = count;
            s.mean = cellMean.clone();
            s.m2 = cellM2.clone();
            s.centroidXMean = centroidXMean;
            s.centroidYMean = centroidYMean;
            s.entropyMean = entropyMean;
        }
        return s;
    }

    /**
     * Adds one observation.
     *
     * @throws IllegalArgumentException if its grid shape differs from the grids already added
     */
    public AttentionWindowStats add(AttentionObservation o) {
        if (o.isZero()) {
            zeroMaps++;
            return this;
        }
        startOrCheck(o.shape());
        count++;
        double[] x = o.grid();
        for (int i = 0; i < x.length; i++) {
            double delta = x[i] - mean[i];
            mean[i] += delta / count;
            m2[i] += delta * (x[i] - mean[i]);
        }
        centroidXMean += (o.centroidX() - centroidXMean) / count;
        centroidYMean += (o.centroidY() - centroidYMean) / count;
        entropyMean += (o.entropy() - entropyMean) / count;
        return this;
    }

    /** Folds {@code other} into this aggregate, as if its grids had been added here. */
    public AttentionWindowStats merge(AttentionWindowStats other) {
        zeroMaps += other.zeroMaps;
        if (other.count == 0) {
            return this;
        }
        if (count == 0) {
            shape = other.shape;
            count = other.count;
            mean = other.mean.clone();
            m2 = other.m2.clone();
            centroidXMean = other.centroidXMean;
            centroidYMean = other.centroidYMean;
            entropyMean = other.entropyMean;
            return this;
        }
        startOrCheck(other.shape);
        double n = count + other.count;
        double wa = count / n;
        double wb = other.count / n;
        for (int i = 0; i < mean.length; i++) {
            double delta = other.mean[i] - mean[i];
            m2[i] += other.m2[i] + delta * delta * count * (other.count / n);
            mean[i] = wa * mean[i] + wb * other.mean[i];
        }
        centroidXMean = wa * centroidXMean + wb * other.centroidXMean;
        centroidYMean = wa * centroidYMean + wb * other.centroidYMean;
        entropyMean = wa * entropyMean + wb * other.entropyMean;
        count += other.count;
        return this;
    }

    private void startOrCheck(GridShape s) {
        if (shape == null) {
            shape = s;
            mean = new double[s.cells()];
            m2 = new double[s.cells()];
        } else if (!shape.equals(s)) {
            throw new IllegalArgumentException("Grid shape " + s + " differs from the " + shape
                    + " grids already in this window; a model version must keep one grid shape");
        }
    }

    /** Shape of the grids, or null while no non-zero grid was added. */
    public GridShape shape() {
        return shape;
    }

    public long count() {
        return count;
    }

    public long zeroMaps() {
        return zeroMaps;
    }

    /** Running mean per cell (a copy); empty while count is 0. */
    public double[] cellMean() {
        return mean == null ? new double[0] : mean.clone();
    }

    /** Welford's sums of squared deviations per cell (a copy); empty while count is 0. */
    public double[] cellM2() {
        return m2 == null ? new double[0] : m2.clone();
    }

    /** Population variance per cell; empty while count is 0. */
    public double[] cellVariance() {
        if (mean == null) {
            return new double[0];
        }
        double[] v = new double[m2.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(0, m2[i]) / count;
        }
        return v;
    }

    /** The mean grid scaled to sum exactly 1 (rounding aside it already does); empty while count is 0. */
    public double[] meanGrid() {
        return mean == null ? new double[0] : GridMath.normalised("Mean grid", mean);
    }

    public double centroidXMean() {
        return centroidXMean;
    }

    public double centroidYMean() {
        return centroidYMean;
    }

    public double entropyMean() {
        return entropyMean;
    }

    @Override
    public String toString() {
        return "AttentionWindowStats{shape=" + shape + ", count=" + count + ", zeroMaps=" + zeroMaps
                + ", mean=" + Arrays.toString(mean) + "}";
    }
}
