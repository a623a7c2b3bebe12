package io.saliencystream.drift;

/** Small operations on grids seen as distributions over cells. */
public final class GridMath {

    private GridMath() {
    }

    /** Sum of the values. */
    public static double sum(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }

    /**
     * A copy scaled to sum 1; throws for negative, non-finite or all-zero values, since those
     * are no distribution.
     */
    public static double[] normalised(String what, double[] values) {
        double s = 0;
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(what + " cell " + i + " is " + v + "; shares must be finite and >= 0");
            }
            s += v;
        }
        if (s <= 0) {
            throw new IllegalArgumentException(what + " has no mass (all cells zero)");
        }
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i] / s;
        }
        return out;
    }

    /**
     * Shannon entropy of a distribution in bits divided by log2(cells): 0 when all mass is in one
     * cell, 1 when uniform; 0 for a one-cell grid. The same normalisation as the summary's entropy.
     */
    public static double normalisedEntropy(double[] distribution) {
        if (distribution.length < 2) {
            return 0;
        }
        double h = 0;
        for (double p : distribution) {
            if (p > 0) {
                h -= p * Math.log(p);
            }
        }
        return h / Math.log(distribution.length);
    }
}
