package io.saliencystream.app.audit;

import io.saliencystream.audit.AuditHashes;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.input.InvalidInputException;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.quality.MapStatistics;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.stream.EventInputs;
import io.saliencystream.stream.ExplainedEvent;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Re-runs an audited explanation and says whether it reproduces the record. The checks, in
 * order, each a mismatch with its reason when it fails: the model is in the catalog and its
 * ONNX file has the audited SHA-256 ("model changed"); the catalog's preprocessing is the one
 * recorded ("preprocessing changed"); the input is found and has the audited SHA-256 ("input
 * changed" / "input not found"); the audited method and parameters build an explainer and
 * report the same parameters back; the recomputed target score is within
 * {@link #SCORE_TOLERANCE}; and the map reproduces.
 *
 * <p>The map: an equal {@link AuditHashes#mapSha256 map hash} is a match. The audit
 * holds only the hash, so when it differs (floating point on another machine or thread count
 * can move a value across an int16 rounding step) the only numeric evidence is the saliency
 * summary of the event, when one is given: its coarse grid of attribution mass is compared
 * with the recomputed map's, and a largest difference within {@link #GRID_TOLERANCE} of the
 * largest cell is a match ("numerically equal"); beyond it, or with no summary to compare, it
 * is a mismatch.
 */
public final class AuditVerifier {

    /** Largest accepted |recomputed − audited| target score. */
    public static final double SCORE_TOLERANCE = 1e-4;
    /** Largest accepted max |Δ grid cell| / max grid cell when the map hash differs. */
    public static final double GRID_TOLERANCE = 1e-3;

    private final ModelCatalog catalog;
    private final ExplanationEngine engine;
    private final EventInputs eventInputs;
    private final InputSource inputs;
    private final Map<String, SaliencySummary> summaries;

    /**
     * @param eventInputs reads image bytes (and resolves claim-check URIs) as the processor does
     * @param summaries   saliency summaries by their output key ({@link ExplainedEvent#key()}: the event
     *                    id for the predicted target), for the numeric check; may be empty
     */
    public AuditVerifier(ModelCatalog catalog, ExplanationEngine engine, EventInputs eventInputs, InputSource inputs,
                         Map<String, SaliencySummary> summaries) {
        this.catalog = catalog;
        this.engine = engine;
        this.eventInputs = eventInputs;
        this.inputs = inputs;
        this.summaries = Map.copyOf(summaries);
    }

    public AuditVerdict verify(ExplanationAudit audit) {
        // each target of an event has its own audit record, reported under its output key
        String id = ExplainedEvent.key(audit.getEventId(), audit.getTarget(), audit.getTargetClass());
        Optional<CatalogModel> found = catalog.find(audit.getModelName(), audit.getModelVersion());
        if (found.isEmpty()) {
            return AuditVerdict.mismatch(id, "model " + audit.getModelName() + ":" + audit.getModelVersion()
                    + " is not in the catalog");
        }
        CatalogModel model = found.get();
        if (!model.sha256().equalsIgnoreCase(audit.getModelSha256())) {
            return AuditVerdict.mismatch(id, "model changed: file sha256 " + abbrev(model.sha256())
                    + ", audited " + abbrev(audit.getModelSha256()));
        }
        Map<String, String> preprocessing = AuditHashes.preprocessing(model.spec());
        if (!new TreeMap<>(preprocessing).equals(new TreeMap<>(audit.getPreprocessing()))) {
            return AuditVerdict.mismatch(id, "preprocessing changed: catalog has " + preprocessing
                    + ", audited " + audit.getPreprocessing());
        }
        Optional<Object> input = inputs.find(audit);
        if (input.isEmpty()) {
            return AuditVerdict.mismatch(id, "input not found in " + inputs.describe());
        }
        EventInputs.Resolved resolved;
        try {
            // read as the stream reads it, so the hash is of the same bytes
            resolved = eventInputs.resolve(model.spec(), input.get());
        } catch (InvalidInputException e) {
            return AuditVerdict.mismatch(id, "input cannot be read: " + e.code() + ": " + e.getMessage());
        }
        if (!resolved.sha256().equalsIgnoreCase(audit.getInputSha256())) {
            return AuditVerdict.mismatch(id, "input changed: sha256 " + abbrev(resolved.sha256()) + ", audited "
                    + abbrev(audit.getInputSha256()));
        }
        var content = resolved.prepared().content(model);
        Explanation e;
        try {
            e = engine.explainer(new ModelSpec.MethodSpec(audit.getMethod(), audit.getParameters()))
                    .explain(content.model(), content.tensor(), audit.getTargetClass(), audit.getSeed());
        } catch (IllegalArgumentException ex) {
            return AuditVerdict.mismatch(id, "method cannot be rebuilt: " + ex.getMessage());
        } catch (ai.onnxruntime.OrtException ex) {
            throw new IllegalStateException("ONNX Runtime failed on model " + model.spec().key() + ": " + ex.getMessage(), ex);
        }
        if (!new TreeMap<>(e.parameters()).equals(new TreeMap<>(audit.getParameters()))) {
            return AuditVerdict.mismatch(id, "parameters not reproduced: method " + audit.getMethod() + " ran with "
                    + new TreeMap<>(e.parameters()) + ", audited " + new TreeMap<>(audit.getParameters()));
        }
        double scoreDiff = Math.abs(e.targetScore() - audit.getTargetScore());
        if (!(scoreDiff <= SCORE_TOLERANCE)) {
            return AuditVerdict.mismatch(id, String.format(Locale.ROOT,
                    "target score differs: recomputed %.6f, audited %.6f", e.targetScore(), audit.getTargetScore()));
        }
        String mapSha256 = AuditHashes.mapSha256(e.map());
        if (mapSha256.equalsIgnoreCase(String.valueOf(audit.getMapSha256()))) {
            return AuditVerdict.match(id, "map hash equal (" + e.method() + ", class " + e.targetClass() + ")");
        }
        SaliencySummary summary = summaries.get(id);
        if (summary == null) {
            return AuditVerdict.mismatch(id, "map hash differs (recomputed " + abbrev(mapSha256) + ", audited "
                    + abbrev(String.valueOf(audit.getMapSha256())) + ") and no summary to compare numerically");
        }
        double relative = gridDifference(e, summary);
        String figure = String.format(Locale.ROOT, "max |Δ grid| / max grid = %.2e", relative);
        return relative <= GRID_TOLERANCE
                ? AuditVerdict.match(id, "map hash differs within tolerance (numerically equal, " + figure + ")")
                : AuditVerdict.mismatch(id, "map differs beyond tolerance (" + figure + " > "
                        + GRID_TOLERANCE + ")");
    }

    /** max |recomputed − summary| over grid cells, relative to the summary's largest cell; infinite when shapes differ. */
    private static double gridDifference(Explanation e, SaliencySummary summary) {
        if (summary.getGrid().size() != summary.getGridRows() * summary.getGridCols()) {
            return Double.POSITIVE_INFINITY;
        }
        double[] grid = MapStatistics.of(e.map(), summary.getGridRows(), summary.getGridCols(), 0).grid();
        double maxDiff = 0;
        double maxCell = 0;
        for (int i = 0; i < grid.length; i++) {
            double audited = summary.getGrid().get(i);
            maxDiff = Math.max(maxDiff, Math.abs(grid[i] - audited));
            maxCell = Math.max(maxCell, Math.abs(audited));
        }
        return maxCell == 0 ? (maxDiff == 0 ? 0 : Double.POSITIVE_INFINITY) : maxDiff / maxCell;
    }

    private static String abbrev(String sha256) {
        return sha256.length() > 16 ? sha256.substring(0, 16) + "…" : sha256;
    }
}
