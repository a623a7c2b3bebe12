package io.saliencystream.engine.method;

/** Small dense linear solves for the regression-based explainers. */
final class LinearSystems {

    private LinearSystems() {
    }

    /**
     * Solves A x = b for symmetric positive semi-definite A (normal equations) by Gaussian
     * elimination with partial pivoting. A ridge of 1e-10 times the largest diagonal entry keeps
     * directions the samples never varied at 0 instead of failing; it changes a well-posed
     * solution by about that relative amount.
     */
    static double[] solveSymmetric(double[][] a, double[] b) {
        int n = b.length;
        double[][] m = new double[n][n + 1];
        double maxDiagonal = 0;
        for (int i = 0; i < n; i++) {
            maxDiagonal = Math.max(maxDiagonal, Math.abs(a[i][i]));
        }
        double ridge = maxDiagonal == 0 ? 1e-12 : 1e-10 * maxDiagonal;
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][i] += ridge;
            m[i][n] = b[i];
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
                    pivot = r;
                }
            }
            double[] t = m[col];
            m[col] = m[pivot];
            m[pivot] = t;
            for (int r = col + 1; r < n; r++) {
                double f = m[r][col] / m[col][col];
                if (f != 0) {
                    for (int c = col; c <= n; c++) {
                        m[r][c] -= f * m[col][c];
                    }
                }
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = m[r][n];
            for (int c = r + 1; c < n; c++) {
                s -= m[r][c] * x[c];
            }
            x[r] = s / m[r][r];
        }
        return x;
    }
}
