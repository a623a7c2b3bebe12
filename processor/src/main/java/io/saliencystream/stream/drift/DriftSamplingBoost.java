package io.saliencystream.stream.drift;

import io.saliencystream.schema.AlertState;
import io.saliencystream.schema.AttentionDriftAlert;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.stream.SelectionTopology;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Raises a model's sampling rate by a factor while any drift alert of that model (any version
 * or class) is open, so that drift gets more explanations to look at while it lasts.
 *
 * <p>It adds to the selection stage's topology a global store fed by the alerts topic (series key →
 * model name of each open alert; OPEN puts, RESOLVED or a tombstone deletes). Global, so every
 * instance sees every model's alerts whatever partitions it owns; rebuilt from the topic on
 * start. The sampler asks on every event, from every stream thread, so the open series are
 * mirrored in a concurrent map here, updated with the store and refilled from it on
 * initialisation. Use one instance per built topology.
 */
public final class DriftSamplingBoost implements SelectionTopology.SamplingBoost {

    static final String STORE = "drift-open-alerts";
    static final String SOURCE = "drift-open-alerts-source";
    static final String PROCESSOR = "drift-open-alerts-tracker";

    private final String alertsTopic;
    private final double factor;
    private final AvroSerdes serdes;
    /** Model name → keys of its series with an open alert. */
    private final Map<String, Set<String>> openByModel = new ConcurrentHashMap<>();

    public DriftSamplingBoost(String alertsTopic, double factor, AvroSerdes serdes) {
        this.alertsTopic = Objects.requireNonNull(alertsTopic, "alertsTopic");
        this.serdes = Objects.requireNonNull(serdes, "serdes");
        if (!(factor >= 1) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("Sampling boost factor must be finite and >= 1, got " + factor);
        }
        this.factor = factor;
    }

    /** The boost of {@code config}: its alerts topic and factor. */
    public static DriftSamplingBoost of(DriftConfig config, AvroSerdes serdes) {
        return new DriftSamplingBoost(config.topics().alerts(), config.samplingBoost(), serdes);
    }

    @Override
    public double factorFor(String modelName) {
        Set<String> open = openByModel.get(modelName);
        return open != null && !open.isEmpty() ? factor : 1.0;
    }

    @Override
    public void addTo(Topology topology) {
        topology.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STORE), Serdes.String(), Serdes.String())
                        .withLoggingDisabled(),
                SOURCE, serdes.keys().deserializer(), serdes.specific(AttentionDriftAlert.class).deserializer(),
                alertsTopic, PROCESSOR, Tracker::new);
    }

    private void markOpen(String seriesKey, String model) {
        openByModel.computeIfAbsent(model, m -> ConcurrentHashMap.newKeySet()).add(seriesKey);
    }

    private void markResolved(String seriesKey, String model) {
        openByModel.computeIfPresent(model, (m, keys) -> {
            keys.remove(seriesKey);
            return keys.isEmpty() ? null : keys;
        });
    }

    private final class Tracker implements Processor<String, AttentionDriftAlert, Void, Void> {
        private KeyValueStore<String, String> store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(STORE);
            try (KeyValueIterator<String, String> all = store.all()) {
                all.forEachRemaining((KeyValue<String, String> kv) -> markOpen(kv.key, kv.value));
            }
        }

        @Override
        public void process(Record<String, AttentionDriftAlert> record) {
            AttentionDriftAlert alert = record.value();
            if (alert == null) {
                // tombstone: the key is all there is
                if (record.key() != null) {
                    String model = store.get(record.key());
                    store.delete(record.key());
                    if (model != null) {
                        markResolved(record.key(), model);
                    }
                }
                return;
            }
            String key = DriftKey.format(alert.getModelName(), alert.getModelVersion(), alert.getPredictedClass());
            if (alert.getState() == AlertState.OPEN) {
                store.put(key, alert.getModelName());
                markOpen(key, alert.getModelName());
            } else {
                store.delete(key);
                markResolved(key, alert.getModelName());
            }
        }
    }
}
