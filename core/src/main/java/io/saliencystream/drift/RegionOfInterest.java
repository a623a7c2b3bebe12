package io.saliencystream.drift;

import java.util.Objects;

/**
 * A named box in normalised image coordinates ((0, 0) top-left, (1, 1) bottom-right) whose
 * share of attention is tracked, for example "the lesion" or "the watermark corner".
 */
public record RegionOfInterest(String name, double left, double top, double right, double bottom) {

    public RegionOfInterest {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("A region of interest needs a name");
        }
        if (!(0 <= left && left < right && right <= 1 && 0 <= top && top < bottom && bottom <= 1)) {
            throw new IllegalArgumentException("Region " + name + " must satisfy 0 <= left < right <= 1 and "
                    + "0 <= top < bottom <= 1, got left " + left + ", top " + top + ", right " + right
                    + ", bottom " + bottom);
        }
    }

    /**
     * Share of the grid's mass inside the box, taking from each cell the fraction of its area
     * the box covers (mass is taken as spread evenly over a cell, the best a coarse grid knows).
     * Linear in the grid.
     */
    public double massIn(double[] grid, GridShape shape) {
        shape.requireCells("Grid", grid.length);
        double mass = 0;
        for (int r = 0; r < shape.rows(); r++) {
            double rowOverlap = overlap(top, bottom, (double) r / shape.rows(), (double) (r + 1) / shape.rows())
                    * shape.rows();
            if (rowOverlap <= 0) {
                continue;
            }
            for (int c = 0; c < shape.cols(); c++) {
                double colOverlap = overlap(left, right, (double) c / shape.cols(), (double) (c + 1) / shape.cols())
                        * shape.cols();
                mass += grid[r * shape.cols() + c] * rowOverlap * colOverlap;
            }
        }
        return mass;
    }

    private static double overlap(double a0, double a1, double b0, double b1) {
        return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
    }
}
