package io.saliencystream.dashboard;

/**
 * What the dashboard keeps in memory: every collection is bounded, so memory does not grow with
 * the topics. Overlays are never kept, only where to fetch them.
 *
 * @param lookbackPerPartition records read back from the end of each partition at start
 * @param summariesPerModel    gallery tiles kept per model and version
 * @param windowsPerSeries     drift windows kept per series (model, version, class)
 * @param series               drift series, and models in the gallery, kept (least recently updated forgotten)
 * @param alerts               alert records kept
 * @param deadLetters          dead letters kept with their reason (their counts by code are all kept)
 * @param indexedEvents        overlay locations and audit records kept by event id
 * @param overlayCache         overlay PNGs cached after fetching
 */
public record DashboardLimits(int lookbackPerPartition, int summariesPerModel, int windowsPerSeries, int series,
                              int alerts, int deadLetters, int indexedEvents, int overlayCache) {

    public DashboardLimits {
        if (lookbackPerPartition < 0 || summariesPerModel < 1 || windowsPerSeries < 1 || series < 1 || alerts < 1
                || deadLetters < 1 || indexedEvents < 1 || overlayCache < 1) {
            throw new IllegalArgumentException("dashboard limits must be positive (lookback may be 0): " + this);
        }
    }

    /** About 20 MB at most: 5000 records back per partition, 300 tiles per model, 240 windows per series. */
    public static DashboardLimits defaults() {
        return new DashboardLimits(5000, 300, 240, 200, 500, 200, 5000, 64);
    }
}
