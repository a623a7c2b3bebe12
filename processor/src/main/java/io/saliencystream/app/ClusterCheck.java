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
 * What {@code run} checks before it starts the applications of its role: the brokers answer
 * within {@code startup.timeout-ms}, every topic the role reads or writes exists (missing ones
 * other than the input are created when {@code topics.create} is set; the explanation-request
 * topics then accept what the producer does), and how large a record the producer and each
 * written topic accept, which sizes dead letters, overlays and explanation requests.
 */
final class ClusterCheck {

    /** What a broker's default max.message.bytes adds to the producer's default max.request.size. */
    private static final int RECORD_BATCH_OVERHEAD = 12;

    private ClusterCheck() {
    }

    /**
     * What the cluster accepts.
     *
     * @param records     sizes for dead letters, overlays and explanation requests
     * @param topicLimits {@code max.message.bytes} of every topic of the role
     */
    record Limits(RecordLimits records, Map<String, Integer> topicLimits) {
    }

    static Limits run(ProcessorConfig config, Role role, PrintStream log) {
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
            int producerLimit = Integer.parseInt(properties.getProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                    Integer.toString(RecordLimits.DEFAULT_PRODUCER_BYTES)));
            createOrRefuseMissing(client, config, role, producerLimit, timeoutMs, log);
            // only the topics of this role: another role's may be out of this principal's reach
            Map<String, Integer> topicLimits = maxMessageBytes(client, List.copyOf(ownTopics(config, role).keySet()),
                    timeoutMs);
            java.util.function.Function<String, Integer> limit = topic -> Math.min(producerLimit,
                    topicLimits.getOrDefault(topic, producerLimit)) - RecordLimits.HEADROOM_BYTES;
            return new Limits(new RecordLimits(limit.apply(config.topics().deadLetters()),
                    limit.apply(config.topics().saliencyOverlays()),
                    Math.min(limit.apply(config.requests().flagged()), limit.apply(config.requests().sampled())),
                    config.outputs().deadLetterMaxOriginalBytes(), config.outputs().overlayClaimCheckDir()),
                    topicLimits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the Kafka cluster", e);
        }
    }

    /**
     * The processor's own topics that {@code role} reads or writes (everything but the input),
     * and whether each is compacted.
     */
    static Map<String, Boolean> ownTopics(ProcessorConfig config, Role role) {
        Map<String, Boolean> topics = new java.util.LinkedHashMap<>();
        topics.put(config.requests().flagged(), false);
        topics.put(config.requests().sampled(), false);
        if (role.explains() || config.driftEnabled()) {
            topics.put(config.topics().saliencySummaries(), false);
        }
        if (role.explains()) {
            topics.put(config.topics().saliencyOverlays(), false);
            topics.put(config.topics().explanationAudit(), true);
        }
        topics.put(config.topics().deadLetters(), false);
        if (role.selects() && config.driftEnabled()) {
            topics.put(config.drift().topics().references(), true);
            topics.put(config.drift().topics().metrics(), false);
            topics.put(config.drift().topics().alerts(), false);
        }
        return topics;
    }

    private static void createOrRefuseMissing(Admin client, ProcessorConfig config, Role role, int producerLimit,
            long timeoutMs, PrintStream log) throws InterruptedException {
        Map<String, Boolean> outputs = ownTopics(config, role);
        Set<String> wanted = new TreeSet<>(outputs.keySet());
        if (role.selects()) {
            wanted.add(config.topics().inferenceEvents());
        }
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
            } else if (topic.equals(config.requests().flagged()) || topic.equals(config.requests().sampled())) {
                // a request carries its event whole: accept what the producer sends (a raised max.request.size)
                newTopic.configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                        Integer.toString(producerLimit + RECORD_BATCH_OVERHEAD)));
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
