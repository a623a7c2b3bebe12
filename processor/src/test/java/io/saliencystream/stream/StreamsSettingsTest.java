package io.saliencystream.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamsSettingsTest {

    @Test
    void defaultsAreExactlyOnceWithPollSizedToTheWorstCase() {
        StreamsSettings s = StreamsSettings.defaults("saliency", "localhost:9092");
        // 0.5 × 300 000 ms / 5 000 ms per explanation = 30 records per poll
        assertThat(s.maxPollRecords()).isEqualTo(30);
        StreamsConfig config = new StreamsConfig(s.toProperties());
        assertThat(config.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(config.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(100L);
        assertThat(config.getInt(StreamsConfig.REPLICATION_FACTOR_CONFIG)).isEqualTo(-1);

        // what Kafka Streams really hands its clients
        Map<String, Object> consumer = config.getMainConsumerConfigs("group", "client", 0);
        assertThat(consumer.get(ConsumerConfig.MAX_POLL_RECORDS_CONFIG).toString()).isEqualTo("30");
        assertThat(consumer.get(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG).toString()).isEqualTo("300000");
        // the partition assignor builds a StreamsConfig of these, which warns unless it is on there too
        assertThat(new StreamsConfig(consumer).getBoolean(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG))
                .isTrue();
        Map<String, Object> producer = config.getProducerConfigs("client");
        assertThat(producer.get(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG).toString())
                .as("commit interval + poll interval, not Kafka Streams' 10 s").isEqualTo("300100");
    }

    @Test
    void maxPollRecordsIsTheLargestThatFitsHalfThePollInterval() {
        Duration interval = Duration.ofMinutes(5);
        for (long worstMs : new long[] {700, 1_000, 2_345, 5_000, 37_000, 150_000}) {
            int n = StreamsSettings.maxPollRecordsFor(interval, Duration.ofMillis(worstMs));
            assertThat(n * worstMs).as("%d ms", worstMs).isLessThanOrEqualTo(150_000L);
            assertThat((n + 1) * worstMs).as("%d ms", worstMs).isGreaterThan(150_000L);
        }
        assertThat(StreamsSettings.maxPollRecordsFor(interval, Duration.ofMillis(10))).as("capped").isEqualTo(500);
        assertThat(StreamsSettings.defaults("a", "b").withClientSettings(Map.of(), Duration.ofSeconds(60)).maxPollRecords())
                .isEqualTo(2);
    }

    @Test
    void refusesAPollThatCouldOutlastThePollInterval() {
        assertThatThrownBy(() -> new StreamsSettings("a", "b", StreamsConfig.EXACTLY_ONCE_V2, null, -1, 1,
                Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMinutes(5), 500))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max.poll.records 500")
                .hasMessageContaining("Use max.poll.records <= 30");
        assertThatThrownBy(() -> StreamsSettings.defaults("a", "b").withClientSettings(Map.of(), Duration.ofMinutes(3)))
                .hasMessageContaining("raise max.poll.interval.ms to at least 360000 ms");
    }

    @Test
    void atLeastOnceLeavesTransactionsAlone() {
        Properties props = StreamsSettings.defaults("a", "b")
                .withProcessingGuarantee(StreamsConfig.AT_LEAST_ONCE)
                .withStateDir(Path.of("/tmp/saliency-state"))
                .withReplicationFactor(3)
                .toProperties();
        assertThat(props).doesNotContainKey(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG));
        StreamsConfig config = new StreamsConfig(props);
        assertThat(config.getString(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo("/tmp/saliency-state");
        assertThat(config.getInt(StreamsConfig.REPLICATION_FACTOR_CONFIG)).isEqualTo(3);
    }

    @Test
    void rejectsUnknownGuaranteeAndMissingIds() {
        assertThatThrownBy(() -> StreamsSettings.defaults("a", "b").withProcessingGuarantee("exactly_once"))
                .hasMessageContaining("processingGuarantee");
        assertThatThrownBy(() -> StreamsSettings.defaults(" ", "b")).hasMessageContaining("applicationId");
    }
}
