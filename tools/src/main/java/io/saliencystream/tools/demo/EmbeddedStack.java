package io.saliencystream.tools.demo;

import io.saliencystream.app.Settings;
import io.saliencystream.stream.RequestTopics;

import io.saliencystream.testing.EmbeddedKafkaBroker;
import io.saliencystream.testing.InProcessSchemaRegistryServer;
import io.saliencystream.stream.TopicNames;
import io.saliencystream.stream.drift.DriftTopics;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the embedded default runs the processor against: a real single-node KRaft broker and
 * the in-process schema registry, both on loopback, with the processor's topics created.
 */
public final class EmbeddedStack implements AutoCloseable {

    /** Partitions of the input topic, so that two stream tasks share the work. */
    public static final int INPUT_PARTITIONS = 2;

    private final EmbeddedKafkaBroker broker;
    private final InProcessSchemaRegistryServer registry;

    private EmbeddedStack(EmbeddedKafkaBroker broker, InProcessSchemaRegistryServer registry) {
        this.broker = broker;
        this.registry = registry;
    }

    public static EmbeddedStack start(TopicNames topics, DriftTopics drift) {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        try {
            Map<String, Integer> partitions = new LinkedHashMap<>();
            partitions.put(topics.inferenceEvents(), INPUT_PARTITIONS);
            partitions.put(topics.saliencySummaries(), INPUT_PARTITIONS);
            partitions.put(topics.saliencyOverlays(), INPUT_PARTITIONS);
            partitions.put(topics.explanationAudit(), INPUT_PARTITIONS);
            partitions.put(topics.deadLetters(), 1);
            // the processor's settings leave the request topics at their default names
            partitions.put(RequestTopics.defaults().flagged(), INPUT_PARTITIONS);
            partitions.put(RequestTopics.defaults().sampled(), INPUT_PARTITIONS);
            partitions.put(drift.references(), 1);
            partitions.put(drift.metrics(), 1);
            partitions.put(drift.alerts(), 1);
            broker.createTopics(partitions);
            return new EmbeddedStack(broker, InProcessSchemaRegistryServer.start());
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public String schemaRegistryUrl() {
        return registry.url();
    }

    /**
     * Processor settings for this stack: its broker and registry, single-replica internal topics,
     * and the demo's catalog (the production catalog lacks the ground-truth model shapes:v1).
     */
    public Settings processorSettings(String applicationId, java.nio.file.Path stateDir, double samplingRate,
                                      Map<String, String> extra) throws java.io.IOException {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("bootstrap.servers", bootstrapServers());
        p.setProperty("schema.registry.url", schemaRegistryUrl());
        p.setProperty("application.id", applicationId);
        p.setProperty("state.dir", stateDir.toString());
        p.setProperty("replication.factor", "1");
        p.setProperty("catalog.path", DemoCatalog.writeTemporaryFile().toString());
        p.setProperty("sampling.rate", Double.toString(samplingRate));
        p.putAll(extra);
        return new Settings(p, Map.of());
    }

    @Override
    public void close() {
        registry.close();
        broker.close();
    }
}
