package io.saliencystream.drift;

/**
 * Learns a reference from the first windows of a series: the unweighted mean of their
 * normalised mean grids (each window counts once, so one busy window does not dominate), mean
 * centroids and mean entropies. Stops taking windows once it has the configured number.
 */
public final class ReferenceLearner {

    private final int target;
    private GridShape shape;
    private double[] gridSum;
    private double centroidXSum;
    private double centroidYSum;
    private double entropySum;
    private int windows;

    public ReferenceLearner(int target) {
        if (target < 1) {
            throw new IllegalArgumentException("A learned reference needs at least 1 window, got " + target);
        }
        this.target = target;
    }

    /** Rebuilds a learner from its stored sums (shape and gridSum are ignored while windows is 0). */
    public static ReferenceLearner restore(int target, int windows, GridShape shape, double[] gridSum,
            double centroidXSum, double centroidYSum, double entropySum) {
        ReferenceLearner l = new ReferenceLearner(target);
        if (windows > 0) {
            shape.requireCells("Stored reference grid sum", gridSum.length);
            l.shape = shape;
            l.gridSum = gridSum.clone();
            l.windows = windows;
            l.centroidXSum = centroidXSum;
            l.centroidYSum = centroidYSum;
            l.entropySum = entropySum;
        }
        return l;
    }

    /**
     * Takes a window into the reference if it is still learning; returns whether it did.
     *
     * @throws IllegalArgumentException if the window's grid shape differs from earlier windows'
     */
    public boolean offer(WindowProfile window) {
        if (isComplete()) {
            return false;
        }
        if (shape == null) {
            shape = window.shape();
            gridSum = new double[shape.cells()];
        } else if (!shape.equals(window.shape())) {
            throw new IllegalArgumentException("Window grid " + window.shape() + " differs from the " + shape
                    + " grid the reference is learning");
        }
        double[] g = window.meanGrid();
        for (int i = 0; i < g.length; i++) {
            gridSum[i] += g[i];
        }
        centroidXSum += window.centroidX();
        centroidYSum += window.centroidY();
        entropySum += window.entropy();
        windows++;
        return true;
    }

    public boolean isComplete() {
        return windows >= target;
    }

    /** The learned reference once complete, else null. */
    public ReferenceProfile reference() {
        if (!isComplete()) {
            return null;
        }
        return new ReferenceProfile(shape, gridSum, centroidXSum / windows, centroidYSum / windows,
                entropySum / windows, null, ReferenceProfile.Origin.LEARNED, windows);
    }

    public int windows() {
        return windows;
    }

    public GridShape shape() {
        return shape;
    }

    public double[] gridSum() {
        return gridSum == null ? new double[0] : gridSum.clone();
    }

    public double centroidXSum() {
        return centroidXSum;
    }

    public double centroidYSum() {
        return centroidYSum;
    }

    public double entropySum() {
        return entropySum;
    }
}
