package io.saliencystream.engine.method;

/**
 * Quadrature rules for Integrated Gradients' path integral over alpha in [0, 1]: nodes and
 * weights (summing to 1) for a given number of steps.
 */
public enum IntegrationRule {
    RIEMANN_LEFT, RIEMANN_RIGHT, RIEMANN_MIDDLE,
    /** steps intervals, so steps + 1 nodes. */
    TRAPEZOID,
    /** steps Gauss-Legendre nodes: exact for polynomials of degree up to 2 steps - 1. */
    GAUSS_LEGENDRE;

    /** {nodes, weights}. */
    public double[][] nodesAndWeights(int steps) {
        if (steps <= 0) {
            throw new IllegalArgumentException("integration needs at least one step, got " + steps);
        }
        int n = this == TRAPEZOID ? steps + 1 : steps;
        double[] a = new double[n];
        double[] w = new double[n];
        switch (this) {
            case RIEMANN_LEFT, RIEMANN_RIGHT, RIEMANN_MIDDLE -> {
                double shift = this == RIEMANN_LEFT ? 0 : this == RIEMANN_RIGHT ? 1 : 0.5;
                for (int k = 0; k < n; k++) {
                    a[k] = (k + shift) / steps;
                    w[k] = 1.0 / steps;
                }
            }
            case TRAPEZOID -> {
                for (int k = 0; k < n; k++) {
                    a[k] = (double) k / steps;
                    w[k] = (k == 0 || k == steps ? 0.5 : 1.0) / steps;
                }
            }
            case GAUSS_LEGENDRE -> gaussLegendre(steps, a, w);
        }
        return new double[][] {a, w};
    }

    /** Nodes by Newton's method on the Legendre polynomial P_n, mapped from [-1, 1] to [0, 1]. */
    private static void gaussLegendre(int n, double[] a, double[] w) {
        for (int i = 0; i < n; i++) {
            double z = Math.cos(Math.PI * (i + 0.75) / (n + 0.5));
            double derivative = 0;
            for (int iteration = 0; iteration < 100; iteration++) {
                double p0 = 1;
                double p1 = z;
                for (int k = 2; k <= n; k++) {
                    double p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
                    p0 = p1;
                    p1 = p2;
                }
                double pn = n == 1 ? z : p1;
                double pPrev = n == 1 ? 1 : p0;
                derivative = n * (z * pn - pPrev) / (z * z - 1);
                double dz = pn / derivative;
                z -= dz;
                if (Math.abs(dz) < 1e-15) {
                    break;
                }
            }
            a[i] = (1 - z) / 2;
            w[i] = 1 / ((1 - z * z) * derivative * derivative); // 2 / ((1 - z^2) P'^2), halved for [0, 1]
        }
    }
}
