package io.saliencystream.drift;

import java.util.List;

/**
 * How far a window's attention is from the reference. A value is null where it cannot be
 * computed (no reference centroid or entropy, no regions of interest).
 *
 * @param jensenShannon Jensen–Shannon divergence of the grids, bits, 0..1
 * @param emd           exact earth mover's distance of the grids, normalised image units
 * @param centroidShift Euclidean distance of the mean centroids, normalised image units
 * @param entropyChange window entropy minus reference entropy (signed)
 * @param roiMassChange largest absolute change of ROI mass over the regions
 */
public record DriftDistances(double jensenShannon, double emd, Double centroidShift, Double entropyChange,
        Double roiMassChange) {

    /**
     * Compares a window with a reference of the same grid shape.
     *
     * @throws IllegalArgumentException if the grid shapes differ
     */
    public static DriftDistances between(WindowProfile window, ReferenceProfile reference, List<RegionOfInterest> regions) {
        if (!window.shape().equals(reference.shape())) {
            throw new IllegalArgumentException("Window grid " + window.shape() + " cannot be compared with a "
                    + reference.shape() + " reference grid");
        }
        double js = JensenShannon.divergence(window.meanGrid(), reference.grid());
        double emd = EarthMoversDistance.between(window.meanGrid(), reference.grid(), window.shape());
        Double shift = reference.centroidX() == null ? null
                : Math.hypot(window.centroidX() - reference.centroidX(), window.centroidY() - reference.centroidY());
        Double entropy = reference.entropy() == null ? null : window.entropy() - reference.entropy();
        Double roi = null;
        for (RegionOfInterest r : regions) {
            double change = Math.abs(window.roiMass().get(r.name()) - reference.roiMass(r));
            roi = roi == null ? change : Math.max(roi, change);
        }
        return new DriftDistances(js, emd, shift, entropy, roi);
    }
}
