package io.saliencystream.drift;

import java.util.Map;
import java.util.Objects;

/**
 * The attention a window is compared with.
 *
 * @param grid      reference distribution over the cells, normalised to sum 1
 * @param centroidX reference mean centroid x, or null if unknown (no centroid shift then)
 * @param centroidY reference mean centroid y, or null if unknown
 * @param entropy   reference mean normalised entropy, or null if unknown (no entropy change then)
 * @param roiMass   reference ROI mass by region name; regions missing here are computed from the grid
 * @param origin    learned from the first windows, or pinned by an operator
 * @param windows   windows a learned reference averages; 0 for a pinned one
 */
public record ReferenceProfile(GridShape shape, double[] grid, Double centroidX, Double centroidY, Double entropy,
        Map<String, Double> roiMass, Origin origin, int windows) {

    public enum Origin { LEARNED, PINNED }

    public ReferenceProfile {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(origin, "origin");
        shape.requireCells("Reference grid", grid.length);
        grid = GridMath.normalised("Reference grid", grid);
        roiMass = roiMass == null ? Map.of() : Map.copyOf(roiMass);
        if ((centroidX == null) != (centroidY == null)) {
            throw new IllegalArgumentException("A reference centroid needs both x and y, got " + centroidX + ", " + centroidY);
        }
    }

    /** Reference mass inside {@code region}: the pinned value if given, else computed from the grid. */
    public double roiMass(RegionOfInterest region) {
        Double pinned = roiMass.get(region.name());
        return pinned != null ? pinned : region.massIn(grid, shape);
    }
}
