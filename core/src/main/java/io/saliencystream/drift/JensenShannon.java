package io.saliencystream.drift;

/** Jensen–Shannon divergence between two distributions over the same cells. */
public final class JensenShannon {

    private JensenShannon() {
    }

    /**
     * JS(P, Q) = ½ KL(P ‖ M) + ½ KL(Q ‖ M) with M = ½ (P + Q), in bits: 0 for identical
     * distributions, 1 for distributions with disjoint support. Both inputs are normalised
     * first; 0 · log 0 counts as 0.
     */
    public static double divergence(double[] p, double[] q) {
        if (p.length != q.length) {
            throw new IllegalArgumentException("Distributions differ in length: " + p.length + " vs " + q.length);
        }
        double[] a = GridMath.normalised("First distribution", p);
        double[] b = GridMath.normalised("Second distribution", q);
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double m = 0.5 * (a[i] + b[i]);
            if (a[i] > 0) {
                sum += a[i] * Math.log(a[i] / m);
            }
            if (b[i] > 0) {
                sum += b[i] * Math.log(b[i] / m);
            }
        }
        // rounding can leave a hair outside [0, 1]
        return Math.min(1, Math.max(0, 0.5 * sum / Math.log(2)));
    }
}
