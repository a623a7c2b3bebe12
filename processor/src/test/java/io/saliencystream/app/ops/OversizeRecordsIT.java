package io.saliencystream.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.schema.DeadLetter;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.testing.EmbeddedKafkaBroker;
import io.saliencystream.testing.InProcessSchemaRegistryServer;
import io.saliencystream.registry.HttpSchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events of 0.9, 1.05 and 1.5 MB with unreadable images, on an input topic that accepts 3 MB:
 * their dead letters never exceed what the producer and the dead-letter topic accept. With
 * Kafka's default limits the two larger originals are cut to their first bytes plus SHA-256
 * and size; with the topic and the producer raised to 3 MB every original travels whole.
 */
@Tag("integration")
class OversizeRecordsIT {

    static final int[] SIZES = {900_000, 1_050_000, 1_500_000};
    static final String RAISED = Integer.toString(3 << 20);

    @TempDir
    Path dir;

    @Test
    void deadLettersFitTheDefaultLimitsAndCarryWholeOriginalsUnderRaisedOnes() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             InProcessSchemaRegistryServer registry = InProcessSchemaRegistryServer.start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            Traffic.createTopics(broker, 1);
            raise(admin, Traffic.TOPICS.inferenceEvents());
            admin.createTopics(List.of(new NewTopic("dead-letters-raised", 1, (short) 1)
                    .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, RAISED)))).all().get();
            Traffic traffic = new Traffic(broker.bootstrapServers(), registry.url(), dir);
            Map<String, byte[]> events = new LinkedHashMap<>();
            Map<String, byte[]> images = new LinkedHashMap<>();
            for (int size : SIZES) {
                byte[] image = new byte[size];
                new Random(size).nextBytes(image);
                System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, 0, image, 0, 8);
                images.put("big-" + size, image);
                events.put("big-" + size, traffic.eventWithImage("big-" + size, image));
            }
            traffic.produceRaw(Traffic.TOPICS.inferenceEvents(), events);
            AvroSerdes serdes = new AvroSerdes(new HttpSchemaRegistryClient(registry.url()));

            try (ProcessorProcess run = ProcessorProcess.start(traffic.config("defaults", Map.of()), "oversize-defaults")) {
                run.awaitLog(ProcessorProcess.STARTED, Duration.ofMinutes(4));
                Map<String, DeadLetter> letters = read(traffic, serdes, Traffic.TOPICS.deadLetters(), 1 << 20);
                assertThat(letters).as(run.log()).containsOnlyKeys(events.keySet());
                assertWhole(letters.get("big-900000"), events.get("big-900000"));
                for (String id : List.of("big-1050000", "big-1500000")) {
                    DeadLetter letter = letters.get(id);
                    assertThat(letter.getErrorCode()).isEqualTo("image-too-large");
                    assertThat(letter.getOriginalValueTruncated()).isTrue();
                    assertThat(letter.getOriginalValueSize()).isEqualTo(events.get(id).length);
                    assertThat(letter.getOriginalValueSha256())
                            .isEqualTo(io.saliencystream.engine.model.Hashes.sha256Hex(events.get(id)));
                }
                assertThat(run.isAlive()).isTrue();
                assertThat(run.terminate(Duration.ofMinutes(1))).isEqualTo(RunCommandIT.SIGTERM_EXIT);
            }

            Map<String, String> raised = Map.of("application.id", "raised", "topics.dead-letters", "dead-letters-raised",
                    "kafka.max.request.size", RAISED, "limits.max-image-bytes", RAISED);
            try (ProcessorProcess run = ProcessorProcess.start(traffic.config("raised", raised), "oversize-raised")) {
                run.awaitLog(ProcessorProcess.STARTED, Duration.ofMinutes(4));
                Map<String, DeadLetter> letters = read(traffic, serdes, "dead-letters-raised", 3 << 20);
                assertThat(letters).as(run.log()).containsOnlyKeys(events.keySet());
                letters.forEach((id, letter) -> assertWhole(letter, events.get(id)));
                assertThat(run.terminate(Duration.ofMinutes(1))).isEqualTo(RunCommandIT.SIGTERM_EXIT);
            }
        }
    }

    private static void assertWhole(DeadLetter letter, byte[] original) {
        assertThat(letter.getOriginalValueTruncated()).isFalse();
        assertThat(Utils.toArray(letter.getOriginalValue())).isEqualTo(original);
    }

    /** The dead letters by key, each no larger than {@code limit} serialized. */
    private static Map<String, DeadLetter> read(Traffic traffic, AvroSerdes serdes, String topic, int limit) {
        Map<String, DeadLetter> letters = new LinkedHashMap<>();
        Collection<ConsumerRecord<byte[], byte[]>> records = traffic.readCommitted(topic, SIZES.length,
                Duration.ofMinutes(2));
        for (ConsumerRecord<byte[], byte[]> r : records) {
            assertThat(r.serializedValueSize()).isLessThanOrEqualTo(limit);
            letters.put(new String(r.key(), StandardCharsets.UTF_8),
                    serdes.specific(DeadLetter.class).deserializer().deserialize(topic, r.value()));
        }
        return letters;
    }

    private static void raise(Admin admin, String topic) throws Exception {
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(
                new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, RAISED),
                        AlterConfigOp.OpType.SET)))).all().get();
    }
}
