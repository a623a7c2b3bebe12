package io.saliencystream.app;

import io.saliencystream.stream.RecordLimits;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * What {@code run} checks before it starts the applications: the brokers answer within
 * {@code startup.timeout-ms}, every topic exists (missing output topics are created when
 * {@code topics.create} is set), and how large a record the producer and each output topic
 * accept, which sizes dead letters and overlays.
 */
final class ClusterCheck {

    private ClusterCheck() {
    }

    /**
     * What the cluster accepts.
     *
     * @param records     sizes for dead letters and overlays
     * @param topicLimits {@code max.message.bytes} of every output topic
     */
    record Limits(RecordLimits records, Map<String, Integer> topicLimits) {
    }

    static Limits run(ProcessorConfig config, PrintStream log) {
        Properties properties = config.streamsProperties();
        Map<String, Object> admin = new java.util.HashMap<>();
        properties.stringPropertyNames().stream()
                .filter(name -> AdminClientConfig.configNames().contains(name))
                .forEach(name -> admin.put(name, properties.getProperty(name)));
        long timeoutMs = config.lifecycle().startupTimeout().toMillis();
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs);
        admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeoutMs, 30_000));
        try (Admin client = Admin.create(admin)) {
            try {
                client.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                throw new IllegalStateException("cannot reach the Kafka brokers at "
                        + properties.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG) + " within " + timeoutMs
                        + " ms (startup.timeout-ms): check bootstrap.servers and that the brokers are up", e);
            }
            createOrRefuseMissing(client, config, timeoutMs, log);
            int producerLimit = Integer.parseInt(properties.getProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                    Integer.toString(RecordLimits.DEFAULT_PRODUCER_BYTES)));
            Map<String, Integer> topicLimits = maxMessageBytes(client, List.copyOf(outputTopics(config).keySet()),
                    timeoutMs);
            return new Limits(new RecordLimits(
                    Math.min(producerLimit, topicLimits.get(config.topics().deadLetters())) - RecordLimits.HEADROOM_BYTES,
                    Math.min(producerLimit, topicLimits.get(config.topics().saliencyOverlays())) - RecordLimits.HEADROOM_BYTES,
                    config.outputs().deadLetterMaxOriginalBytes(), config.outputs().overlayClaimCheckDir()),
                    topicLimits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the Kafka cluster", e);
        }
    }

    /** Output topics the processor writes, and whether each is compacted. */
    static Map<String, Boolean> outputTopics(ProcessorConfig config) {
        Map<String, Boolean> topics = new java.util.LinkedHashMap<>();
        topics.put(config.topics().saliencySummaries(), false);
        topics.put(config.topics().saliencyOverlays(), false);
        topics.put(config.topics().explanationAudit(), true);
        topics.put(config.topics().deadLetters(), false);
        if (config.driftEnabled()) {
            topics.put(config.drift().topics().references(), true);
            topics.put(config.drift().topics().metrics(), false);
            topics.put(config.drift().topics().alerts(), false);
        }
        return topics;
    }

    private static void createOrRefuseMissing(Admin client, ProcessorConfig config, long timeoutMs, PrintStream log)
            throws InterruptedException {
        Map<String, Boolean> outputs = outputTopics(config);
        Set<String> wanted = new TreeSet<>(outputs.keySet());
        wanted.add(config.topics().inferenceEvents());
        Set<String> existing;
        try {
            existing = client.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list the cluster's topics: " + e.getMessage(), e);
        }
        Set<String> missing = new TreeSet<>(wanted);
        missing.removeAll(existing);
        if (missing.isEmpty()) {
            return;
        }
        if (missing.contains(config.topics().inferenceEvents()) || !config.lifecycle().createTopics()) {
            // Kafka lists only the topics a principal may describe: a missing ACL looks like a missing topic
            throw new IllegalStateException("missing topics: " + String.join(", ", missing)
                    + " (or not authorized to describe them: check this principal's ACLs)"
                    + (missing.contains(config.topics().inferenceEvents()) ? "" : "; create them ("
                    + config.topics().explanationAudit() + " and " + config.drift().topics().references()
                    + " compacted) or set topics.create=true"));
        }
        List<NewTopic> create = new ArrayList<>();
        for (String topic : missing) {
            NewTopic newTopic = new NewTopic(topic, Optional.empty(), Optional.empty());
            if (outputs.get(topic)) {
                newTopic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            }
            create.add(newTopic);
        }
        try {
            client.createTopics(create).all().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create the missing topics " + missing + ": " + e.getMessage(), e);
        }
        log.println("created missing topics: " + String.join(", ", missing));
    }

    private static Map<String, Integer> maxMessageBytes(Admin client, List<String> topics, long timeoutMs)
            throws InterruptedException {
        List<ConfigResource> resources = topics.stream()
                .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList();
        Map<ConfigResource, Config> configs;
        try {
            configs = client.describeConfigs(resources).all().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the configuration of topics " + topics + ": "
                    + e.getMessage(), e);
        }
        Map<String, Integer> limits = new java.util.HashMap<>();
        configs.forEach((resource, c) -> limits.put(resource.name(),
                Integer.parseInt(c.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value())));
        return limits;
    }
}
