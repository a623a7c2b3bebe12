package io.saliencystream.drift;

/** The distances an alert can watch, with the names alerts carry. */
public enum DriftMetric {
    JENSEN_SHANNON("jensen-shannon"),
    EMD("emd"),
    CENTROID_SHIFT("centroid-shift"),
    /** Absolute change of mean entropy. */
    ENTROPY_CHANGE("entropy-change"),
    ROI_MASS_CHANGE("roi-mass-change");

    private final String label;

    DriftMetric(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The value compared with thresholds, or null where the distance is unknown. */
    public Double valueIn(DriftDistances d) {
        return switch (this) {
            case JENSEN_SHANNON -> d.jensenShannon();
            case EMD -> d.emd();
            case CENTROID_SHIFT -> d.centroidShift();
            case ENTROPY_CHANGE -> d.entropyChange() == null ? null : Math.abs(d.entropyChange());
            case ROI_MASS_CHANGE -> d.roiMassChange();
        };
    }

    public static DriftMetric ofLabel(String label) {
        for (DriftMetric m : values()) {
            if (m.label.equals(label)) {
                return m;
            }
        }
        throw new IllegalArgumentException("Unknown drift metric '" + label + "'");
    }
}
