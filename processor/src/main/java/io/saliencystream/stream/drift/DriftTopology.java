package io.saliencystream.stream.drift;

import io.saliencystream.drift.BucketedWindowStats;
import io.saliencystream.schema.AttentionDriftAlert;
import io.saliencystream.schema.AttentionDriftMetrics;
import io.saliencystream.schema.AttentionReference;
import io.saliencystream.schema.DriftSeriesState;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.serde.AvroSerdes;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attention drift as Kafka Streams DSL:
 *
 * <pre>
 * saliency-summaries ─► filter (invalid: logged, counted) ─► re-key model|version|class
 *   ─► repartition ─► windowed aggregate (event time, size/advance/grace) ─► suppress until the window closes
 *   ─► left join pinned reference (GlobalKTable attention-references)
 *   ─► evaluate (learned reference + alert state per series) ─┬─► attention-drift  (one per series and window,
 *                                                              │     with counts and mean grids per interpretation bucket)
 *                                                              └─► attention-alerts (OPEN / RESOLVED)
 * </pre>
 *
 * Windows run on the summary's event time ({@link SummaryEventTime}). The window store keeps
 * windows only for size + grace, after which they cannot change; the suppress buffer, the
 * window store and the series state all have changelogs, so a restarted instance resumes
 * where it stopped. Run it in its own application (its own application id) or add it to
 * another builder with {@link #addTo}.
 */
public final class DriftTopology {

    /** Window store of the running aggregates. */
    public static final String WINDOW_STORE = "drift-windows";
    /** Key-value store of learned references and alert state per series. */
    public static final String STATE_STORE = "drift-series-state";
    /** Global store of pinned references. */
    public static final String REFERENCE_STORE = "drift-pinned-references";
    /** Name of the repartition step (topic {@code <application.id>-drift-series-repartition}). */
    public static final String REPARTITION = "drift-series";

    private static final Logger LOG = LoggerFactory.getLogger(DriftTopology.class);

    private final DriftConfig config;
    private final AvroSerdes serdes;

    public DriftTopology(DriftConfig config, AvroSerdes serdes) {
        this.config = Objects.requireNonNull(config, "config");
        this.serdes = Objects.requireNonNull(serdes, "serdes");
    }

    /** A topology with only the drift pipeline. */
    public Topology build() {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder);
        return builder.build();
    }

    /** Adds the drift pipeline to {@code builder}. */
    public void addTo(StreamsBuilder builder) {
        DriftTopics topics = config.topics();
        Serde<SaliencySummary> summarySerde = serdes.specific(SaliencySummary.class);
        Serde<BucketedWindowStats> statsSerde = WindowStatsSerde.of(serdes);

        GlobalKTable<String, AttentionReference> pinned = builder.globalTable(topics.references(),
                Consumed.with(serdes.keys(), serdes.specific(AttentionReference.class)).withName("drift-references-source"),
                Materialized.<String, AttentionReference, KeyValueStore<Bytes, byte[]>>as(REFERENCE_STORE)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(serdes.specific(AttentionReference.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATE_STORE),
                Serdes.String(), serdes.specific(DriftSeriesState.class)));

        TimeWindows windows = TimeWindows.ofSizeAndGrace(config.windowSize(), config.grace())
                .advanceBy(config.windowAdvance());
        KStream<String, DriftOutput> outputs = builder
                .stream(topics.summaries(), Consumed.with(serdes.keys(), summarySerde)
                        .withTimestampExtractor(new SummaryEventTime()).withName("drift-summaries-source"))
                .processValues(() -> new SummaryFilter(config.allTargets()), Named.as(SummaryFilter.NAME))
                .selectKey((eventId, s) -> DriftKey.format(s.getModelName(), s.getModelVersion(), s.getPredictedClass()),
                        Named.as("drift-series-key"))
                .groupByKey(Grouped.with(REPARTITION, Serdes.String(), summarySerde))
                .windowedBy(windows)
                .aggregate(BucketedWindowStats::empty, DriftTopology::add, Named.as("drift-window-aggregate"),
                        Materialized.<String, BucketedWindowStats, WindowStore<Bytes, byte[]>>as(WINDOW_STORE)
                                .withKeySerde(Serdes.String())
                                .withValueSerde(statsSerde)
                                .withRetention(config.windowRetention()))
                .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName("drift-window-close"))
                .toStream(Named.as("drift-closed-windows"))
                .leftJoin(pinned, (window, stats) -> window.key(), ClosedWindow::new, Named.as("drift-pinned-join"))
                .process(() -> new DriftEvaluator(config), Named.as(DriftEvaluator.NAME), STATE_STORE);

        outputs.mapValues(DriftOutput::metrics, Named.as("drift-metrics"))
                .to(topics.metrics(), Produced.with(serdes.keys(), serdes.specific(AttentionDriftMetrics.class))
                        .withName("drift-metrics-sink"));
        outputs.filter((key, out) -> out.alert() != null, Named.as("drift-alert-filter"))
                .mapValues(DriftOutput::alert, Named.as("drift-alerts"))
                .to(topics.alerts(), Produced.with(serdes.keys(), serdes.specific(AttentionDriftAlert.class))
                        .withName("drift-alerts-sink"));
    }

    /**
     * Adds a filtered summary to its window. The filter already checked the summary on its own; what
     * can still fail here is a grid shape that differs from the window's earlier grids, which is logged
     * and leaves the window as it was.
     */
    private static BucketedWindowStats add(String series, SaliencySummary summary, BucketedWindowStats stats) {
        try {
            return stats.add(DriftRecords.observation(summary), DriftRecords.bucket(summary));
        } catch (IllegalArgumentException e) {
            LOG.warn("Attention drift ignores summary {} of {}: {}", summary.getEventId(), series, e.getMessage());
            return stats;
        }
    }
}
