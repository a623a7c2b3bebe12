package io.saliencystream.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.schema.DeadLetter;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.registry.HttpSchemaRegistryClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import org.apache.kafka.clients.admin.Admin;
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
 * An unreadable event with a key of 1.1 MB makes a dead letter that no cut can fit (the key is
 * kept whole): under the default limits it is skipped, logged with its input offset and counted,
 * and the events after it are explained.
 * And events of 0.9 and 1.05 MB whose PNG header reads (the pixels do not): selected, so the
 * selection stage writes an explanation request carrying the whole event to request topics at
 * Kafka's default 1 MiB. The 0.9 MB one fits and is dead-lettered by the explanation stage,
 * which decodes the pixels; the 1.05 MB one, allowed by the raised image limit, would not fit
 * and is dead-lettered by the selection stage as {@code request-too-large}.
 */
@Tag("integration")
class OversizeRecordsIT {

    static final int[] SIZES = {900_000, 1_050_000, 1_500_000};
    static final String RAISED = Integer.toString(3 << 20);
    /** A key of 1.1 MB: more than the producer's default 1 MiB on its own. */
    static final String BIG_KEY = "big-key-" + "k".repeat(1_100_000);
    static final int GOOD = 5;
    /** Sizes of the events whose PNG header reads but whose pixels do not. */
    static final int[] HEADER_SIZES = {900_000, 1_050_000};

    @TempDir
    Path dir;

    @Test
    void deadLettersFitTheDefaultLimitsAndCarryWholeOriginalsUnderRaisedOnes() throws Exception {
        OpsCluster cluster = OpsCluster.shared();
        Traffic traffic = cluster.freshCase(dir, 1);
        Admin admin = cluster.broker().admin();
        raise(admin, Traffic.TOPICS.inferenceEvents());
        admin.createTopics(List.of(new NewTopic("dead-letters-raised", 1, (short) 1)
                .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, RAISED)))).all().get();
        Map<String, byte[]> events = new LinkedHashMap<>();
        Map<String, byte[]> images = new LinkedHashMap<>();
        for (int size : SIZES) {
            byte[] image = new byte[size];
            new Random(size).nextBytes(image);
            System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, 0, image, 0, 8);
            images.put("big-" + size, image);
            events.put("big-" + size, traffic.eventWithImage("big-" + size, image));
        }
        events.put(BIG_KEY, traffic.eventWithImage("big-key", new byte[] {(byte) 0x89, 'P', 'N', 'G', 1}));
        for (int size : HEADER_SIZES) {
            events.put("header-" + size, traffic.eventWithImage("header-" + size, pngHeaderThenNoise(size)));
        }
        traffic.produceRaw(Traffic.TOPICS.inferenceEvents(), events);
        long bigKeyOffset = SIZES.length;
        traffic.produce(0, GOOD);
        AvroSerdes serdes = new AvroSerdes(new HttpSchemaRegistryClient(cluster.registryUrl()));

        try (ProcessorProcess run = ProcessorProcess.started(traffic.config("defaults", Map.of()), "oversize-defaults")) {
            // the events after the unwritable dead letter are explained
            assertThat(traffic.committed(List.of(Traffic.TOPICS.saliencySummaries()), GOOD, Traffic.STALL))
                    .as(run.log()).containsEntry(Traffic.TOPICS.saliencySummaries(), new Traffic.Counts(GOOD, GOOD));
            Map<String, DeadLetter> letters = read(traffic, serdes, Traffic.TOPICS.deadLetters(),
                    SIZES.length + HEADER_SIZES.length, 1 << 20);
            assertThat(letters).as(run.log()).containsOnlyKeys(sizedKeys());
            // the 0.9 MB event travelled whole through the request topic to the explanation stage
            assertWhole(letters.get("header-900000"), events.get("header-900000"));
            assertThat(letters.get("header-900000").getStage()).isEqualTo("explain");
            assertThat(letters.get("header-900000").getErrorCode()).isEqualTo("image-undecodable");
            assertThat(letters.get("header-1050000").getErrorCode()).isEqualTo("image-too-large");
            assertThat(run.log()).contains("record for dead-letters not written, skipped: it came from input "
                    + Traffic.TOPICS.inferenceEvents() + "-0@" + bigKeyOffset);
            assertThat(scrape(run)).contains(
                    "saliency_records_unwritten_total{reason=\"too-large\",topic=\"dead-letters\"} 1.0");
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

        Map<String, String> raised = Map.of("application.id", traffic.applicationId() + "-raised",
                "topics.dead-letters", "dead-letters-raised", "kafka.max.request.size", RAISED,
                "limits.max-image-bytes", RAISED);
        try (ProcessorProcess run = ProcessorProcess.started(traffic.config("raised", raised), "oversize-raised")) {
            Map<String, DeadLetter> letters = read(traffic, serdes, "dead-letters-raised", events.size(), 3 << 20);
            assertThat(letters).as(run.log()).containsOnlyKeys(events.keySet());
            assertThat(Utils.toArray(letters.get(BIG_KEY).getOriginalKey()))
                    .isEqualTo(BIG_KEY.getBytes(StandardCharsets.UTF_8));
            letters.forEach((id, letter) -> assertWhole(letter, events.get(id)));
            assertThat(letters.get("header-900000").getErrorCode()).isEqualTo("image-undecodable");
            assertThat(letters.get("header-1050000").getErrorCode()).isEqualTo("request-too-large");
            assertThat(letters.get("header-1050000").getStage()).isEqualTo("validate");
            assertThat(run.log()).contains("note: limits.max-image-bytes " + RAISED
                    + " is more than the explanation-request topics accept");
            assertThat(run.terminate(Duration.ofMinutes(1))).isEqualTo(RunCommandIT.SIGTERM_EXIT);
        }
    }

    private static List<String> sizedKeys() {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(SIZES).mapToObj(size -> "big-" + size),
                java.util.Arrays.stream(HEADER_SIZES).mapToObj(size -> "header-" + size)).toList();
    }

    /** {@code size} bytes: a PNG signature and a valid 64x64 RGB header, then noise instead of pixels. */
    private static byte[] pngHeaderThenNoise(int size) {
        ByteBuffer png = ByteBuffer.allocate(size);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(64).putInt(64)
                .put(new byte[] {8, 2, 0, 0, 0});
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        png.putInt(13).put(ihdr.array()).putInt((int) crc.getValue());
        byte[] noise = new byte[png.remaining()];
        new Random(size).nextBytes(noise);
        return png.put(noise).array();
    }

    /** The process's Prometheus metrics, from the port its log names. */
    private static String scrape(ProcessorProcess run) throws Exception {
        java.util.regex.Matcher port = java.util.regex.Pattern.compile("ops endpoints on port (\\d+)").matcher(run.log());
        assertThat(port.find()).as(run.log()).isTrue();
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port.group(1) + "/metrics"))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    private static void assertWhole(DeadLetter letter, byte[] original) {
        assertThat(letter.getOriginalValueTruncated()).isFalse();
        assertThat(Utils.toArray(letter.getOriginalValue())).isEqualTo(original);
    }

    /** The dead letters by key (at least {@code expected}), each no larger than {@code limit} serialized. */
    private static Map<String, DeadLetter> read(Traffic traffic, AvroSerdes serdes, String topic, int expected,
            int limit) {
        Map<String, DeadLetter> letters = new LinkedHashMap<>();
        Collection<ConsumerRecord<byte[], byte[]>> records = traffic.readCommitted(topic, expected, Traffic.STALL);
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
