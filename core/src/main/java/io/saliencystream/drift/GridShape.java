package io.saliencystream.drift;

/**
 * The shape of a coarse attention grid, and where its cells lie in normalised image units:
 * cell {@code (r, c)} (row-major index {@code r * cols + c}) has its centre at
 * {@code x = (c + 0.5) / cols}, {@code y = (r + 0.5) / rows}, so the image spans [0, 1] in both
 * directions whatever its aspect ratio.
 */
public record GridShape(int rows, int cols) {

    /** Larger grids are not coarse any more, and exact EMD grows with the square of the cells. */
    public static final int MAX_CELLS = 1024;

    public GridShape {
        if (rows < 1 || cols < 1 || (long) rows * cols > MAX_CELLS) {
            throw new IllegalArgumentException("Grid must have 1.." + MAX_CELLS + " cells in rows, cols >= 1, got "
                    + rows + "x" + cols);
        }
    }

    public int cells() {
        return rows * cols;
    }

    public double centerX(int cell) {
        return (cell % cols + 0.5) / cols;
    }

    public double centerY(int cell) {
        return (cell / cols + 0.5) / rows;
    }

    /** Euclidean distance between the centres of two cells, in normalised image units. */
    public double distance(int a, int b) {
        return Math.hypot(centerX(a) - centerX(b), centerY(a) - centerY(b));
    }

    /** Throws unless {@code values} has one entry per cell. */
    public void requireCells(String what, int length) {
        if (length != cells()) {
            throw new IllegalArgumentException(what + " has " + length + " cells, but the grid is " + rows + "x" + cols
                    + " = " + cells());
        }
    }

    @Override
    public String toString() {
        return rows + "x" + cols;
    }
}
