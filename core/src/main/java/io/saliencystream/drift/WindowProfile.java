package io.saliencystream.drift;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a closed window says about attention: its normalised mean grid, mean centroid, mean
 * entropy and mean mass inside each region of interest.
 */
public record WindowProfile(GridShape shape, double[] meanGrid, double centroidX, double centroidY, double entropy,
        Map<String, Double> roiMass) {

    /** The profile of a window with at least one non-zero grid. */
    public static WindowProfile of(AttentionWindowStats stats, List<RegionOfInterest> regions) {
        if (stats.count() == 0) {
            throw new IllegalArgumentException("A window without non-zero grids has no attention profile");
        }
        double[] grid = stats.meanGrid();
        return new WindowProfile(stats.shape(), grid, stats.centroidXMean(), stats.centroidYMean(),
                stats.entropyMean(), roiMass(grid, stats.shape(), regions));
    }

    /** Mass of {@code grid} inside each region, by name, in the regions' order. */
    public static Map<String, Double> roiMass(double[] grid, GridShape shape, List<RegionOfInterest> regions) {
        Map<String, Double> mass = new LinkedHashMap<>();
        for (RegionOfInterest r : regions) {
            mass.put(r.name(), r.massIn(grid, shape));
        }
        return mass;
    }
}
