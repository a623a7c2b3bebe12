package io.saliencystream.dashboard;

import io.saliencystream.drift.Threshold;
import io.saliencystream.schema.AlertState;
import io.saliencystream.schema.AttentionDriftAlert;
import io.saliencystream.schema.AttentionDriftMetrics;
import io.saliencystream.schema.AttentionReference;
import io.saliencystream.schema.BucketAttention;
import io.saliencystream.schema.DeadLetter;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.ReferenceKind;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.stream.ExplainedEvent;
import io.saliencystream.stream.Targets;
import io.saliencystream.stream.drift.DriftKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.avro.generic.GenericRecord;

/**
 * What the dashboard has read from the output topics, bounded by {@link DashboardLimits}, and the
 * views the page asks for, as maps and lists ready to be written as JSON. The feed thread writes,
 * HTTP threads read; every method holds the object's lock.
 */
public final class DashboardState {

    /** Fields of summaries the gallery filters on when they are present (summaries of older schema versions lack them). */
    static final String BUCKET_FIELD = "interpretationBucket";
    static final String VERDICT_FIELD = "signalVerdict";
    static final String TARGET_FIELD = "target";

    /** Minutes of explanation counts kept per model for the overview. */
    static final int RATE_MINUTES = 15;

    /**
     * One explained target of an event as the gallery shows it; {@code key} is its output key (the
     * event id, with {@code /target=<class>} for a target other than the predicted class), which the
     * overlay and audit of the same target share.
     */
    record Tile(String key, String target, String eventId, long eventTime, long recordTime, String model, String version, int predictedClass,
                String label, double score, String method, List<String> reasons, String bucket, String verdict,
                Map<String, Object> fields) {

        String classText() {
            return label == null ? Integer.toString(predictedClass) : label;
        }
    }

    /** Where an overlay is on its topic, so that its PNG can be fetched when a page shows it. */
    record OverlayRef(int partition, long offset, int width, int height, String colorMap) {
    }

    /** One closed drift window, without what the page does not draw. */
    record Window(long start, long end, long count, boolean sufficient, String referenceKind, int referenceWindows,
                  boolean alertOpen, Map<String, Double> distances, int rows, int cols, List<Double> meanGrid,
                  List<Map<String, Object>> buckets) {
    }

    /** Filter of the gallery; a null field matches everything. */
    public record GalleryFilter(String model, String version, String predictedClass, String reason, String method,
                                String bucket) {

        boolean matches(Tile t) {
            return (model == null || model.equals(t.model())) && (version == null || version.equals(t.version()))
                    && (predictedClass == null || predictedClass.equals(t.classText()))
                    && (reason == null || t.reasons().contains(reason))
                    && (method == null || method.equals(t.method()))
                    && (bucket == null || bucket.equals(t.bucket()));
        }
    }

    private final DashboardLimits limits;
    private final Map<String, Threshold> thresholds;
    private final Map<String, Ring<Tile>> tiles;
    private final Map<String, TreeMap<Long, Map<String, Long>>> perMinute;
    private final Map<String, Long> explainedTotal;
    private final Map<String, Map<String, Long>> verdicts;
    private final Map<String, Map<String, Long>> bucketCounts;
    private final Map<String, OverlayRef> overlays;
    private final Map<String, ExplanationAudit> audits;
    private final Map<String, Long> deadLetterCounts = new TreeMap<>();
    private final Ring<DeadLetter> deadLetters;
    private final Map<String, Ring<Window>> windows;
    private final Map<String, AttentionReference> pinned;
    private final Map<String, String> labels;
    private final Ring<AttentionDriftAlert> alerts;
    private final Map<String, AttentionDriftAlert> lastAlert;
    private final Map<String, Long> undecodable = new TreeMap<>();
    private long version;

    public DashboardState(DashboardLimits limits, Map<String, Threshold> thresholds) {
        this.limits = limits;
        this.thresholds = Map.copyOf(thresholds);
        this.tiles = new BoundedMap<>(limits.series());
        this.perMinute = new BoundedMap<>(limits.series());
        this.explainedTotal = new BoundedMap<>(limits.series());
        this.verdicts = new BoundedMap<>(limits.series());
        this.bucketCounts = new BoundedMap<>(limits.series());
        this.overlays = new BoundedMap<>(limits.indexedEvents());
        this.audits = new BoundedMap<>(limits.indexedEvents());
        this.deadLetters = new Ring<>(limits.deadLetters());
        this.windows = new BoundedMap<>(limits.series());
        this.pinned = new BoundedMap<>(limits.series());
        this.labels = new BoundedMap<>(limits.series() * 4);
        this.alerts = new Ring<>(limits.alerts());
        this.lastAlert = new BoundedMap<>(limits.series());
    }

    // ---- what the feed writes ----

    /** A saliency summary, in the schema it was written with; {@code recordTime} is its record's timestamp. */
    public synchronized void summary(GenericRecord s, long recordTime) {
        Map<String, Object> fields = RecordJson.of(s);
        String model = text(fields.get("modelName"));
        String modelVersion = text(fields.get("modelVersion"));
        int predictedClass = ((Number) fields.get("predictedClass")).intValue();
        String label = text(fields.get("predictedLabel"));
        @SuppressWarnings("unchecked")
        List<String> reasons = fields.get("selectionReasons") instanceof List<?> l ? (List<String>) l : List.of();
        String eventId = text(fields.get("eventId"));
        String target = fields.get(TARGET_FIELD) == null ? Targets.PREDICTED : text(fields.get(TARGET_FIELD));
        Tile tile = new Tile(ExplainedEvent.key(eventId, target, predictedClass), target, eventId, ((Number) fields.get("eventTime")).longValue(), recordTime,
                model, modelVersion, predictedClass, label, ((Number) fields.get("predictedScore")).doubleValue(),
                text(fields.get("method")), reasons, text(fields.get(BUCKET_FIELD)), text(fields.get(VERDICT_FIELD)),
                fields);
        String series = modelKey(model, modelVersion);
        tiles.computeIfAbsent(series, k -> new Ring<>(limits.summariesPerModel())).add(tile);
        if (label != null) {
            labels.put(DriftKey.format(model, modelVersion, predictedClass), label);
        }
        if (tile.verdict() != null) {
            verdicts.computeIfAbsent(series, k -> new TreeMap<>()).merge(tile.verdict(), 1L, Long::sum);
        }
        if (tile.bucket() != null) {
            bucketCounts.computeIfAbsent(series, k -> new TreeMap<>()).merge(tile.bucket(), 1L, Long::sum);
        }
        version++;
    }

    public synchronized void overlay(SaliencyOverlay o, int partition, long offset) {
        overlays.put(ExplainedEvent.key(o.getEventId(), o.getTarget(), o.getPredictedClass()), new OverlayRef(partition, offset, o.getWidth(), o.getHeight(), o.getColorMap()));
        version++;
    }

    /** An audit record; its explainedAt is when the explanation ran, which the overview's rates count by. */
    public synchronized void audit(ExplanationAudit a) {
        audits.put(ExplainedEvent.key(a.getEventId(), a.getTarget(), a.getTargetClass()), a);
        String series = modelKey(a.getModelName(), a.getModelVersion());
        explainedTotal.merge(series, 1L, Long::sum);
        TreeMap<Long, Map<String, Long>> minutes = perMinute.computeIfAbsent(series, k -> new TreeMap<>());
        Map<String, Long> counts = minutes.computeIfAbsent(
                Math.floorDiv(a.getExplainedAt().toEpochMilli(), 60_000L), k -> new TreeMap<>());
        List<String> reasons = a.getSelectionReasons();
        (reasons.isEmpty() ? List.of("(none)") : reasons).forEach(r -> counts.merge(r, 1L, Long::sum));
        while (minutes.size() > RATE_MINUTES * 4) {
            minutes.pollFirstEntry();
        }
        version++;
    }

    public synchronized void deadLetter(DeadLetter d) {
        deadLetterCounts.merge(d.getStage() + "/" + d.getErrorCode(), 1L, Long::sum);
        deadLetters.add(d);
        version++;
    }

    public synchronized void driftMetrics(AttentionDriftMetrics m) {
        Map<String, Double> distances = new LinkedHashMap<>();
        putIfKnown(distances, "jensen-shannon", m.getJensenShannon());
        putIfKnown(distances, "emd", m.getEmd());
        putIfKnown(distances, "centroid-shift", m.getCentroidShift());
        putIfKnown(distances, "entropy-change", m.getEntropyChange() == null ? null : Math.abs(m.getEntropyChange()));
        putIfKnown(distances, "roi-mass-change", m.getRoiMassChange());
        List<Map<String, Object>> buckets = new ArrayList<>();
        for (BucketAttention b : m.getBuckets()) {
            buckets.add(Map.of("bucket", b.getBucket(), "count", b.getCount(), "zeroMaps", b.getZeroMaps(),
                    "grid", List.copyOf(b.getMeanGrid())));
        }
        windows.computeIfAbsent(DriftKey.format(m.getModelName(), m.getModelVersion(), m.getPredictedClass()),
                        k -> new Ring<>(limits.windowsPerSeries()))
                .add(new Window(m.getWindowStart().toEpochMilli(), m.getWindowEnd().toEpochMilli(), m.getCount(),
                        m.getSufficient(), m.getReferenceKind().name(), m.getReferenceWindows(), m.getAlertOpen(),
                        distances, m.getGridRows(), m.getGridCols(), List.copyOf(m.getMeanGrid()), buckets));
        version++;
    }

    public synchronized void alert(AttentionDriftAlert a) {
        alerts.add(a);
        lastAlert.put(DriftKey.format(a.getModelName(), a.getModelVersion(), a.getPredictedClass()), a);
        version++;
    }

    /** A pinned reference, or its removal ({@code reference} null: a tombstone). */
    public synchronized void reference(String seriesKey, AttentionReference reference) {
        if (reference == null) {
            pinned.remove(seriesKey);
        } else {
            pinned.put(seriesKey, reference);
        }
        version++;
    }

    /** A record on {@code topic} that could not be decoded: counted and shown, never fatal. */
    public synchronized void undecodable(String topic) {
        undecodable.merge(topic, 1L, Long::sum);
        version++;
    }

    // ---- what the page reads ----

    /** Changes with every record taken in: the page redraws only when it moved. */
    public synchronized long version() {
        return version;
    }

    public synchronized Map<String, Object> overview(Instant now) {
        long nowMinute = Math.floorDiv(now.toEpochMilli(), 60_000L);
        List<Object> models = new ArrayList<>();
        for (String series : new TreeSet<>(explainedTotal.keySet())) {
            TreeMap<Long, Map<String, Long>> minutes = perMinute.getOrDefault(series, new TreeMap<>());
            List<Object> buckets = new ArrayList<>();
            Map<String, Long> lastMinutes = new TreeMap<>();
            for (long m = nowMinute - RATE_MINUTES + 1; m <= nowMinute; m++) {
                Map<String, Long> counts = minutes.getOrDefault(m, Map.of());
                counts.forEach((r, n) -> lastMinutes.merge(r, n, Long::sum));
                buckets.add(Map.of("minute", m * 60_000L, "counts", counts));
            }
            Map<String, Long> thisMinute = minutes.getOrDefault(nowMinute, Map.of());
            Map<String, Object> model = new LinkedHashMap<>();
            String[] mv = series.split("\\|", 2);
            model.put("model", mv[0]);
            model.put("version", mv[1]);
            model.put("explained", explainedTotal.get(series));
            model.put("lastMinute", thisMinute);
            model.put("lastMinutes", lastMinutes);
            model.put("minutes", buckets);
            model.put("verdicts", verdicts.getOrDefault(series, Map.of()));
            model.put("buckets", bucketCounts.getOrDefault(series, Map.of()));
            models.add(model);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", version);
        out.put("now", now.toEpochMilli());
        out.put("rateMinutes", RATE_MINUTES);
        out.put("models", models);
        out.put("deadLetterCounts", deadLetterCounts);
        List<Object> recent = new ArrayList<>();
        List<DeadLetter> dl = deadLetters.items();
        for (int i = dl.size() - 1; i >= 0 && recent.size() < 20; i--) {
            recent.add(deadLetterView(dl.get(i)));
        }
        out.put("deadLetters", recent);
        out.put("openAlerts", openAlerts());
        out.put("undecodable", undecodable);
        return out;
    }

    public synchronized Map<String, Object> gallery(GalleryFilter filter, int limit) {
        List<Tile> all = new ArrayList<>();
        tiles.values().forEach(r -> all.addAll(r.items()));
        all.sort(Comparator.comparingLong(Tile::recordTime).thenComparingLong(Tile::eventTime).reversed());
        Map<String, TreeSet<String>> options = new LinkedHashMap<>();
        for (String f : List.of("model", "version", "predictedClass", "reason", "method", "bucket")) {
            options.put(f, new TreeSet<>());
        }
        List<Object> shown = new ArrayList<>();
        int matching = 0;
        for (Tile t : all) {
            options.get("model").add(t.model());
            options.get("version").add(t.version());
            options.get("predictedClass").add(t.classText());
            options.get("reason").addAll(t.reasons());
            options.get("method").add(t.method());
            if (t.bucket() != null) {
                options.get("bucket").add(t.bucket());
            }
            if (filter.matches(t)) {
                matching++;
                if (shown.size() < limit) {
                    shown.add(tileView(t));
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", version);
        out.put("options", options);
        out.put("matching", matching);
        out.put("held", all.size());
        out.put("tiles", shown);
        return out;
    }

    /** The event page of one target (by its output key): its summary, where its overlay is, its audit record if held. */
    public synchronized Optional<Map<String, Object>> event(String eventId) {
        Optional<Tile> tile = findTile(eventId);
        OverlayRef overlay = overlays.get(eventId);
        ExplanationAudit audit = audits.get(eventId);
        if (tile.isEmpty() && overlay == null && audit == null) {
            return Optional.empty();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("eventId", eventId);
        out.put("tile", tile.map(this::tileView).orElse(null));
        out.put("summary", tile.map(Tile::fields).orElse(null));
        out.put("overlay", overlay == null ? null : Map.of("width", overlay.width(), "height", overlay.height(),
                "colorMap", overlay.colorMap()));
        out.put("audit", audit == null ? null : RecordJson.of(audit));
        return Optional.of(out);
    }

    public synchronized Optional<OverlayRef> overlayRef(String eventId) {
        return Optional.ofNullable(overlays.get(eventId));
    }

    public synchronized Optional<ExplanationAudit> audit(String eventId) {
        return Optional.ofNullable(audits.get(eventId));
    }

    /** Every drift series with its latest window, open alerts first, then by key. */
    public synchronized Map<String, Object> driftList() {
        List<Map<String, Object>> series = new ArrayList<>();
        for (Map.Entry<String, Ring<Window>> e : windows.entrySet()) {
            List<Window> ws = e.getValue().items();
            Window latest = ws.get(ws.size() - 1);
            Map<String, Object> s = seriesHeader(e.getKey());
            s.put("windows", ws.size());
            s.put("latestStart", latest.start());
            s.put("latestEnd", latest.end());
            s.put("referenceKind", latest.referenceKind());
            s.put("alertOpen", latest.alertOpen() || isOpen(e.getKey()));
            s.put("distances", latest.distances());
            series.add(s);
        }
        series.sort(Comparator.comparing((Map<String, Object> s) -> !(Boolean) s.get("alertOpen"))
                .thenComparing(s -> (String) s.get("key")));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", version);
        out.put("series", series);
        out.put("thresholds", thresholdView());
        List<Object> recentAlerts = new ArrayList<>();
        List<AttentionDriftAlert> as = alerts.items();
        for (int i = as.size() - 1; i >= 0; i--) {
            recentAlerts.add(alertView(as.get(i)));
        }
        out.put("alerts", recentAlerts);
        return out;
    }

    /** One series: its windows, thresholds, alerts, and the reference grid next to the latest window's. */
    public synchronized Optional<Map<String, Object>> driftSeries(String key) {
        Ring<Window> ring = windows.get(key);
        if (ring == null) {
            return Optional.empty();
        }
        List<Window> ws = ring.items();
        Map<String, Object> out = seriesHeader(key);
        out.put("version", version);
        out.put("windows", ws);
        out.put("thresholds", thresholdView());
        out.put("alerts", alerts.items().stream()
                .filter(a -> DriftKey.format(a.getModelName(), a.getModelVersion(), a.getPredictedClass()).equals(key))
                .map(this::alertView).toList());
        Window latest = null;
        for (Window w : ws) {
            if (!w.meanGrid().isEmpty()) {
                latest = w;
            }
        }
        out.put("latest", latest == null ? null : Map.of("start", latest.start(), "end", latest.end(),
                "rows", latest.rows(), "cols", latest.cols(), "grid", latest.meanGrid(), "count", latest.count(),
                "buckets", latest.buckets()));
        out.put("reference", reference(key, ws));
        return Optional.of(out);
    }

    /**
     * The reference the latest window was compared with: a pinned one as the topic holds it, or
     * a learned one rebuilt as the drift application learns it (the unweighted mean of the first
     * sufficient windows' grids, normalised); null when its windows are older than those held.
     */
    private Map<String, Object> reference(String key, List<Window> ws) {
        Window latest = ws.get(ws.size() - 1);
        if (latest.referenceKind().equals(ReferenceKind.PINNED.name())) {
            AttentionReference r = pinned.get(key);
            if (r == null) {
                return Map.of("kind", "PINNED", "known", false);
            }
            return Map.of("kind", "PINNED", "known", true, "rows", r.getGridRows(), "cols", r.getGridCols(),
                    "grid", normalised(r.getGrid()), "note", r.getNote());
        }
        int firstLearned = -1;
        for (int i = 0; i < ws.size(); i++) {
            if (ws.get(i).referenceKind().equals(ReferenceKind.LEARNED.name())) {
                firstLearned = i;
                break;
            }
        }
        if (firstLearned < 0) {
            return latest.referenceKind().equals(ReferenceKind.NONE.name())
                    ? Map.of("kind", "NONE", "known", false, "learned", latest.referenceWindows()) : null;
        }
        int needed = ws.get(firstLearned).referenceWindows();
        List<Window> learning = new ArrayList<>();
        for (int i = 0; i < firstLearned; i++) {
            Window w = ws.get(i);
            if (w.sufficient() && !w.meanGrid().isEmpty()) {
                learning.add(w);
            }
        }
        if (learning.size() < needed) {
            return Map.of("kind", "LEARNED", "known", false, "windows", needed);
        }
        learning = learning.subList(learning.size() - needed, learning.size());
        Window first = learning.get(0);
        double[] sum = new double[first.meanGrid().size()];
        for (Window w : learning) {
            if (w.meanGrid().size() != sum.length) {
                return Map.of("kind", "LEARNED", "known", false, "windows", needed);
            }
            for (int i = 0; i < sum.length; i++) {
                sum[i] += w.meanGrid().get(i);
            }
        }
        List<Double> grid = new ArrayList<>();
        for (double v : sum) {
            grid.add(v);
        }
        return Map.of("kind", "LEARNED", "known", true, "rows", first.rows(), "cols", first.cols(),
                "grid", normalised(grid), "windows", needed,
                "from", first.start(), "to", learning.get(learning.size() - 1).end());
    }

    // ---- helpers ----

    private Optional<Tile> findTile(String eventId) {
        for (Ring<Tile> r : tiles.values()) {
            List<Tile> items = r.items();
            for (int i = items.size() - 1; i >= 0; i--) {
                if (items.get(i).key().equals(eventId)) {
                    return Optional.of(items.get(i));
                }
            }
        }
        return Optional.empty();
    }

    private boolean isOpen(String key) {
        AttentionDriftAlert a = lastAlert.get(key);
        return a != null && a.getState() == AlertState.OPEN;
    }

    private List<Object> openAlerts() {
        List<Object> out = new ArrayList<>();
        lastAlert.values().stream().filter(a -> a.getState() == AlertState.OPEN)
                .sorted(Comparator.comparing(AttentionDriftAlert::getWindowStart).reversed())
                .forEach(a -> out.add(alertView(a)));
        return out;
    }

    private Map<String, Object> seriesHeader(String key) {
        DriftKey k = DriftKey.parse(key);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("key", key);
        s.put("model", k.modelName());
        s.put("modelVersion", k.modelVersion());
        s.put("predictedClass", k.predictedClass());
        s.put("label", labels.get(key));
        return s;
    }

    private Map<String, Object> thresholdView() {
        Map<String, Object> out = new TreeMap<>();
        thresholds.forEach((metric, t) -> out.put(metric, Map.of("open", t.open(), "resolve", t.resolve())));
        return out;
    }

    private Map<String, Object> alertView(AttentionDriftAlert a) {
        String key = DriftKey.format(a.getModelName(), a.getModelVersion(), a.getPredictedClass());
        Map<String, Object> out = RecordJson.of(a);
        out.put("key", key);
        out.put("label", labels.get(key));
        return out;
    }

    private Map<String, Object> tileView(Tile t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", t.key());
        out.put("eventId", t.eventId());
        out.put("target", t.target());
        out.put("eventTime", t.eventTime());
        out.put("model", t.model());
        out.put("version", t.version());
        out.put("predictedClass", t.predictedClass());
        out.put("label", t.label());
        out.put("score", t.score());
        out.put("method", t.method());
        out.put("reasons", t.reasons());
        out.put("bucket", t.bucket());
        out.put("verdict", t.verdict());
        out.put("hasOverlay", overlays.containsKey(t.key()));
        return out;
    }

    private static Map<String, Object> deadLetterView(DeadLetter d) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("failedAt", d.getFailedAt().toEpochMilli());
        out.put("stage", d.getStage());
        out.put("errorCode", d.getErrorCode());
        out.put("reason", d.getReason());
        out.put("eventId", d.getEventId());
        out.put("source", d.getSourceTopic() + "/" + d.getSourcePartition() + "@" + d.getSourceOffset());
        return out;
    }

    static String modelKey(String model, String version) {
        return model + "|" + version;
    }

    private static String text(Object o) {
        return o == null ? null : o.toString();
    }

    private static void putIfKnown(Map<String, Double> m, String metric, Double value) {
        if (value != null) {
            m.put(metric, value);
        }
    }

    /** The grid scaled to sum 1, as the drift application uses references. */
    private static List<Double> normalised(List<Double> grid) {
        double total = grid.stream().mapToDouble(Double::doubleValue).sum();
        return total > 0 ? grid.stream().map(v -> v / total).toList() : grid;
    }
}
