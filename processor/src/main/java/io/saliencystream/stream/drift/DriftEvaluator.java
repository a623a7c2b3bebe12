package io.saliencystream.stream.drift;

import io.saliencystream.drift.AlertEvent;
import io.saliencystream.drift.AlertPolicy;
import io.saliencystream.drift.AlertState;
import io.saliencystream.drift.AttentionWindowStats;
import io.saliencystream.drift.BucketedWindowStats;
import io.saliencystream.drift.DriftDistances;
import io.saliencystream.drift.DriftMetric;
import io.saliencystream.drift.ReferenceLearner;
import io.saliencystream.drift.ReferenceProfile;
import io.saliencystream.drift.RegionOfInterest;
import io.saliencystream.drift.WindowProfile;
import io.saliencystream.schema.AttentionDriftAlert;
import io.saliencystream.schema.AttentionDriftMetrics;
import io.saliencystream.schema.BucketAttention;
import io.saliencystream.stream.StreamMetrics;
import io.saliencystream.schema.AttentionReference;
import io.saliencystream.schema.DriftSeriesState;
import io.saliencystream.schema.ReferenceKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each closed window of a series into its metrics record and, when the alert state
 * machine says so, an alert. Per series it keeps (store {@value DriftTopology#STATE_STORE},
 * changelogged) the learned reference or its progress, the alert state, and the start of the
 * last window evaluated: a window that starts no later than that one is a replay (for example
 * re-emitted after a crash under at-least-once) and is skipped, so it can neither feed the
 * learner twice nor emit a second alert.
 */
final class DriftEvaluator implements Processor<Windowed<String>, ClosedWindow, String, DriftOutput> {

    static final String NAME = "drift-evaluator";
    private static final Logger LOG = LoggerFactory.getLogger(DriftEvaluator.class);

    private final DriftConfig config;
    private ProcessorContext<String, DriftOutput> context;
    private KeyValueStore<String, DriftSeriesState> store;
    private Sensor replayed;
    private Sensor unusableReferences;

    DriftEvaluator(DriftConfig config) {
        this.config = config;
    }

    @Override
    public void init(ProcessorContext<String, DriftOutput> context) {
        this.context = context;
        this.store = context.getStateStore(DriftTopology.STATE_STORE);
        this.replayed = DriftCounters.sensor(context.metrics(), NAME, DriftCounters.SKIPPED_WINDOWS);
        this.unusableReferences = DriftCounters.sensor(context.metrics(), NAME, DriftCounters.UNUSABLE_REFERENCES);
        config.alertPolicy().thresholds().forEach((metric, threshold) ->
                StreamMetrics.driftThreshold(metric.label(), threshold.open()));
    }

    @Override
    public void process(Record<Windowed<String>, ClosedWindow> record) {
        String key = record.key().key();
        long start = record.key().window().start();
        long end = record.key().window().end();
        DriftSeriesState stored = store.get(key);
        if (stored != null && start <= stored.getLastWindowStart()) {
            replayed.record();
            LOG.info("Skipping window [{}, {}) of {}: windows up to {} were already evaluated",
                    Instant.ofEpochMilli(start), Instant.ofEpochMilli(end), key, Instant.ofEpochMilli(stored.getLastWindowStart()));
            return;
        }
        DriftKey series = DriftKey.parse(key);
        AttentionWindowStats stats = record.value().stats().all();
        List<RegionOfInterest> regions = config.regions().lookup(series.modelName(), series.predictedClass());
        boolean sufficient = stats.count() >= config.minCount();
        WindowProfile profile = stats.count() > 0 ? WindowProfile.of(stats, regions) : null;

        ReferenceLearner learner = stored == null ? new ReferenceLearner(config.learnWindows())
                : DriftRecords.learner(stored, config.learnWindows());
        AlertState alert = stored == null ? AlertState.closed() : DriftRecords.alertState(stored);

        // a window that helps learn the reference is not compared with it
        ReferenceProfile learned = learner.reference();
        if (sufficient && profile != null) {
            try {
                learner.offer(profile);
            } catch (IllegalArgumentException e) {
                LOG.warn("Window [{}, {}) of {} not learned: {}", Instant.ofEpochMilli(start), Instant.ofEpochMilli(end),
                        key, e.getMessage());
            }
        }
        ReferenceProfile pinned = pinned(key, series, record.value().pinned(), profile);
        ReferenceProfile reference = pinned != null ? pinned : learned;

        DriftDistances distances = null;
        if (reference != null && profile != null) {
            try {
                distances = DriftDistances.between(profile, reference, regions);
            } catch (IllegalArgumentException e) {
                unusableReferences.record();
                LOG.warn("Window [{}, {}) of {} not compared: {}", Instant.ofEpochMilli(start), Instant.ofEpochMilli(end),
                        key, e.getMessage());
            }
        }
        AlertEvent event = null;
        if (sufficient && distances != null) {
            AlertPolicy.Step step = config.alertPolicy().step(alert, distances);
            alert = step.state();
            event = step.event();
        }
        store.put(key, DriftRecords.state(learner, alert, start));

        AttentionDriftMetrics metrics = metrics(series, start, end, record.value().stats(), sufficient, profile,
                distances, reference, learner, alert.open());
        AttentionDriftAlert alertRecord = event == null ? null : alert(series, start, end, event);
        if (alertRecord != null) {
            LOG.info("Attention drift alert {} for {}: {}", alertRecord.getState(), key, alertRecord.getMessage());
        }
        if (distances != null) {
            for (DriftMetric metric : DriftMetric.values()) {
                Double value = metric.valueIn(distances);
                if (value != null) {
                    StreamMetrics.drift(series.modelName(), series.modelVersion(), series.predictedClass(),
                            metric.label(), value, alert.open());
                }
            }
        }
        context.forward(record.withKey(key).withValue(new DriftOutput(metrics, alertRecord)));
    }

    /**
     * The pinned reference as a profile, or null when none is pinned or it does not fit the series or
     * the window's grid (logged, counted; the learned reference stands in).
     */
    private ReferenceProfile pinned(String key, DriftKey series, AttentionReference r, WindowProfile window) {
        if (r == null) {
            return null;
        }
        try {
            if (!series.equals(new DriftKey(r.getModelName(), r.getModelVersion(), r.getPredictedClass()))) {
                throw new IllegalArgumentException("it describes " + DriftKey.format(r.getModelName(), r.getModelVersion(),
                        r.getPredictedClass()) + ", not the key it is stored under");
            }
            ReferenceProfile profile = DriftRecords.pinned(r);
            if (window != null && !profile.shape().equals(window.shape())) {
                throw new IllegalArgumentException("its grid is " + profile.shape() + " but the summaries' grid is "
                        + window.shape());
            }
            return profile;
        } catch (IllegalArgumentException e) {
            unusableReferences.record();
            LOG.warn("Ignoring the pinned reference of {}: {}", key, e.getMessage());
            return null;
        }
    }

    private static AttentionDriftMetrics metrics(DriftKey series, long start, long end, BucketedWindowStats window,
            boolean sufficient, WindowProfile profile, DriftDistances d, ReferenceProfile reference,
            ReferenceLearner learner, boolean alertOpen) {
        AttentionWindowStats stats = window.all();
        List<BucketAttention> buckets = new ArrayList<>();
        window.buckets().forEach((bucket, s) -> buckets.add(BucketAttention.newBuilder()
                .setBucket(bucket.id())
                .setCount(s.count())
                .setZeroMaps(s.zeroMaps())
                .setMeanGrid(DriftRecords.list(s.meanGrid()))
                .build()));
        AttentionDriftMetrics.Builder b = AttentionDriftMetrics.newBuilder()
                .setModelName(series.modelName())
                .setModelVersion(series.modelVersion())
                .setPredictedClass(series.predictedClass())
                .setWindowStart(Instant.ofEpochMilli(start))
                .setWindowEnd(Instant.ofEpochMilli(end))
                .setCount(stats.count())
                .setZeroMaps(stats.zeroMaps())
                .setSufficient(sufficient)
                .setGridRows(stats.shape() == null ? 0 : stats.shape().rows())
                .setGridCols(stats.shape() == null ? 0 : stats.shape().cols())
                .setMeanGrid(DriftRecords.list(profile == null ? new double[0] : profile.meanGrid()))
                .setCellVariance(DriftRecords.list(stats.cellVariance()))
                .setBuckets(buckets)
                .setRoiMass(profile == null ? Map.of() : profile.roiMass())
                .setAlertOpen(alertOpen);
        if (profile != null) {
            b.setMeanCentroidX(profile.centroidX()).setMeanCentroidY(profile.centroidY()).setMeanEntropy(profile.entropy());
        }
        if (d != null) {
            b.setJensenShannon(d.jensenShannon()).setEmd(d.emd()).setCentroidShift(d.centroidShift())
                    .setEntropyChange(d.entropyChange()).setRoiMassChange(d.roiMassChange());
        }
        if (reference == null) {
            b.setReferenceKind(ReferenceKind.NONE).setReferenceWindows(learner.windows());
        } else if (reference.origin() == ReferenceProfile.Origin.PINNED) {
            b.setReferenceKind(ReferenceKind.PINNED).setReferenceWindows(0);
        } else {
            b.setReferenceKind(ReferenceKind.LEARNED).setReferenceWindows(reference.windows());
        }
        return b.build();
    }

    private static AttentionDriftAlert alert(DriftKey series, long start, long end, AlertEvent e) {
        String message = e.opened()
                ? String.format("Attention of %s %s class %d drifted: %s %.4f above %.4f since this window",
                        series.modelName(), series.modelVersion(), series.predictedClass(), e.metric().label(),
                        e.distance(), e.threshold())
                : String.format("Attention of %s %s class %d recovered: %s %.4f below %.4f",
                        series.modelName(), series.modelVersion(), series.predictedClass(), e.metric().label(),
                        e.distance(), e.threshold());
        return AttentionDriftAlert.newBuilder()
                .setModelName(series.modelName())
                .setModelVersion(series.modelVersion())
                .setPredictedClass(series.predictedClass())
                .setWindowStart(Instant.ofEpochMilli(start))
                .setWindowEnd(Instant.ofEpochMilli(end))
                .setState(e.opened() ? io.saliencystream.schema.AlertState.OPEN : io.saliencystream.schema.AlertState.RESOLVED)
                .setMetric(e.metric().label())
                .setDistance(e.distance())
                .setThreshold(e.threshold())
                .setMessage(message)
                .build();
    }
}
