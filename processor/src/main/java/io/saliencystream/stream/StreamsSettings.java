package io.saliencystream.stream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The Kafka Streams settings of the saliency application, as plain values, and the
 * {@link Properties} they make.
 *
 * <p>Poll sizing. A stream thread must call poll again within {@code max.poll.interval.ms} or
 * the group evicts it (and, under exactly-once, fences it). Between two polls it processes at
 * most {@code max.poll.records} records, and in the worst case every one of them is explained,
 * each taking at most {@code worstCaseExplain} (every target of its event: the processor sets it
 * to {@code explain.worst-case-ms} times the most targets an event may get). So the rule enforced
 * here is
 *
 * <pre>
 *   max.poll.records × worstCaseExplain ≤ SAFETY × max.poll.interval.ms      (SAFETY = 1/2)
 *   e.g. defaults: 30 records × 5 s = 150 s ≤ ½ × 300 s
 * </pre>
 *
 * leaving half the interval for commits, the cheap work on the other records, and GC. The
 * explanation budget bounds explanations per poll further (a model's bucket gives at most
 * {@code burst + rate × elapsed} of them), but the number of models is open-ended, so the
 * sizing does not rely on it: it holds even if every record in a poll is explained.
 *
 * <p>Transactions. Under exactly-once the producer's transaction stays open from the first
 * write after a commit until the next commit; Kafka Streams defaults its timeout to 10 s, which
 * a single slow explanation could exceed. It is set to {@code commit.interval.ms +
 * max.poll.interval.ms}, the longest a healthy thread can go between commits; that must stay
 * within the broker's {@code transaction.max.timeout.ms} (15 minutes by default).
 *
 * @param applicationId      Kafka Streams application id (consumer group, state and internal topic prefix)
 * @param bootstrapServers   Kafka bootstrap servers
 * @param processingGuarantee {@code exactly_once_v2} (default) or {@code at_least_once}
 * @param stateDir           state directory, or null for Kafka Streams' default
 * @param replicationFactor  of internal topics; -1 takes the broker's default
 * @param numStreamThreads   stream threads in this instance
 * @param commitInterval     how often offsets and transactions are committed
 * @param worstCaseExplain   the longest one record's explanation may take, every target of its event
 * @param maxPollInterval    {@code max.poll.interval.ms}
 * @param maxPollRecords     {@code max.poll.records}; see {@link #maxPollRecordsFor}
 */
public record StreamsSettings(
        String applicationId,
        String bootstrapServers,
        String processingGuarantee,
        Path stateDir,
        int replicationFactor,
        int numStreamThreads,
        Duration commitInterval,
        Duration worstCaseExplain,
        Duration maxPollInterval,
        int maxPollRecords) {

    /** Share of max.poll.interval.ms that explanations may fill in the worst case. */
    public static final double SAFETY = 0.5;
    public static final int MAX_POLL_RECORDS_CAP = 500;

    public StreamsSettings {
        requireText("applicationId", applicationId);
        requireText("bootstrapServers", bootstrapServers);
        if (!StreamsConfig.EXACTLY_ONCE_V2.equals(processingGuarantee)
                && !StreamsConfig.AT_LEAST_ONCE.equals(processingGuarantee)) {
            throw new IllegalArgumentException("processingGuarantee must be " + StreamsConfig.EXACTLY_ONCE_V2
                    + " or " + StreamsConfig.AT_LEAST_ONCE + ", got " + processingGuarantee);
        }
        if (replicationFactor == 0 || replicationFactor < -1) {
            throw new IllegalArgumentException("replicationFactor must be >= 1, or -1 for the broker default, got "
                    + replicationFactor);
        }
        if (numStreamThreads < 1) {
            throw new IllegalArgumentException("numStreamThreads must be >= 1, got " + numStreamThreads);
        }
        requirePositive("commitInterval", commitInterval);
        requirePositive("worstCaseExplain", worstCaseExplain);
        requirePositive("maxPollInterval", maxPollInterval);
        if (maxPollRecords < 1) {
            throw new IllegalArgumentException("maxPollRecords must be >= 1, got " + maxPollRecords);
        }
        double worstPollMillis = (double) maxPollRecords * worstCaseExplain.toMillis();
        if (worstPollMillis > SAFETY * maxPollInterval.toMillis()) {
            int fits = maxPollRecordsFor(maxPollInterval, worstCaseExplain);
            String fix = fits * worstCaseExplain.toMillis() <= SAFETY * maxPollInterval.toMillis()
                    ? "Use max.poll.records <= " + fits + ", or raise max.poll.interval.ms."
                    : "Even one explanation does not fit: raise max.poll.interval.ms to at least "
                            + (long) Math.ceil(worstCaseExplain.toMillis() / SAFETY) + " ms.";
            throw new IllegalArgumentException(String.format(
                    "max.poll.records %d x worst-case explanation %d ms (explain.worst-case-ms x the most targets"
                            + " an event gets) = %.0f ms exceeds %.0f%% of "
                            + "max.poll.interval.ms %d: a poll of explained events could get the stream thread "
                            + "evicted. %s",
                    maxPollRecords, worstCaseExplain.toMillis(), worstPollMillis, SAFETY * 100,
                    maxPollInterval.toMillis(), fix));
        }
    }

    /**
     * Defaults: exactly-once v2, broker-default replication, one thread, commits every 100 ms (Kafka
     * Streams' own default under exactly-once: a flagged event waits for a commit in each stage), a 5 s
     * worst-case explanation, the consumer's 5-minute poll interval and the largest
     * max.poll.records that fits it (30).
     */
    public static StreamsSettings defaults(String applicationId, String bootstrapServers) {
        Duration worstCase = Duration.ofSeconds(5);
        Duration pollInterval = Duration.ofMinutes(5);
        return new StreamsSettings(applicationId, bootstrapServers, StreamsConfig.EXACTLY_ONCE_V2, null, -1, 1,
                Duration.ofMillis(100), worstCase, pollInterval, maxPollRecordsFor(pollInterval, worstCase));
    }

    /** The largest max.poll.records (at most 500) with records × worstCaseExplain ≤ SAFETY × interval. */
    public static int maxPollRecordsFor(Duration maxPollInterval, Duration worstCaseExplain) {
        long fits = (long) Math.floor(SAFETY * maxPollInterval.toMillis() / Math.max(1, worstCaseExplain.toMillis()));
        return (int) Math.max(1, Math.min(MAX_POLL_RECORDS_CAP, fits));
    }

    /**
     * These settings with the sizing ones among Kafka client settings applied:
     * {@code num.stream.threads}, {@code commit.interval.ms}, {@code max.poll.interval.ms} (which
     * resizes {@code max.poll.records}) and {@code max.poll.records} (checked against the rule above).
     */
    public StreamsSettings withClientSettings(Map<String, String> client) {
        return withClientSettings(client, worstCaseExplain);
    }

    /**
     * {@link #withClientSettings(Map)} for another worst-case explanation time, both checked
     * together: each alone could be refused where the two allow it (a long worst case with the
     * longer poll interval it needs).
     */
    public StreamsSettings withClientSettings(Map<String, String> client, Duration worstCase) {
        Duration interval = millis(client, ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, maxPollInterval);
        String records = client.get(ConsumerConfig.MAX_POLL_RECORDS_CONFIG);
        return new StreamsSettings(applicationId, bootstrapServers, processingGuarantee, stateDir, replicationFactor,
                client.containsKey(StreamsConfig.NUM_STREAM_THREADS_CONFIG)
                        ? Integer.parseInt(client.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG).strip()) : numStreamThreads,
                millis(client, StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval), worstCase, interval,
                records != null ? Integer.parseInt(records.strip()) : maxPollRecordsFor(interval, worstCase));
    }

    private static Duration millis(Map<String, String> client, String key, Duration otherwise) {
        return client.containsKey(key) ? Duration.ofMillis(Long.parseLong(client.get(key).strip())) : otherwise;
    }

    public StreamsSettings withProcessingGuarantee(String guarantee) {
        return new StreamsSettings(applicationId, bootstrapServers, guarantee, stateDir, replicationFactor,
                numStreamThreads, commitInterval, worstCaseExplain, maxPollInterval, maxPollRecords);
    }

    public StreamsSettings withStateDir(Path dir) {
        return new StreamsSettings(applicationId, bootstrapServers, processingGuarantee, dir, replicationFactor,
                numStreamThreads, commitInterval, worstCaseExplain, maxPollInterval, maxPollRecords);
    }

    public StreamsSettings withReplicationFactor(int factor) {
        return new StreamsSettings(applicationId, bootstrapServers, processingGuarantee, stateDir, factor,
                numStreamThreads, commitInterval, worstCaseExplain, maxPollInterval, maxPollRecords);
    }

    /** Transaction timeout under exactly-once: the longest a healthy thread goes between commits. */
    public Duration transactionTimeout() {
        return commitInterval.plus(maxPollInterval);
    }

    public Properties toProperties() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Integer.toString(replicationFactor));
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(numStreamThreads));
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(commitInterval.toMillis()));
        if (stateDir != null) {
            props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        }
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxPollRecords));
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Long.toString(maxPollInterval.toMillis()));
        if (StreamsConfig.EXACTLY_ONCE_V2.equals(processingGuarantee)) {
            props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                    Long.toString(transactionTimeout().toMillis()));
        }
        // a record too large to write is skipped and counted rather than failing the thread on it forever
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, UnwrittenRecordHandler.class.getName());
        // the global store of open drift alerts gets the same exception handling as the stream threads
        // (Kafka Streams otherwise warns at every start, and turns this on by default in 5.0). Kafka
        // Streams 4.3 also reads it from a StreamsConfig it builds of the main consumer's settings (the
        // partition assignor's, once per stream thread), which only carry main.consumer.* of ours.
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        props.put(StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG),
                "true");
        // the topology names its own serdes; these only cover anything added without them
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        return props;
    }

    private static void requireText(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must be set");
        }
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
        }
    }
}
