package io.saliencystream.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.saliencystream.app.ProcessorApp;
import io.saliencystream.app.ProcessorConfig;
import io.saliencystream.app.Settings;
import io.saliencystream.registry.HttpSchemaRegistryClient;
import io.saliencystream.registry.SchemaRegistry;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.serde.AvroDeserializer;
import io.saliencystream.serde.KeyFormat;
import io.saliencystream.serde.SerdeSettings;
import io.saliencystream.testing.ApicurioRegistryServer;
import io.saliencystream.testing.EmbeddedKafkaBroker;
import io.saliencystream.testing.samples.GroundTruthSamples;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Confluent's own Python client ({@code python3-confluent-kafka} with {@code python3-avro}, Debian's
 * {@code /usr/bin/python3}) next to the processor, through the real broker and the Apicurio registry:
 * Confluent's {@code AvroProducer} writes the inference events, and Confluent's deserializer reads
 * every output topic. Every record Confluent's client decodes must equal, field by field, what this
 * project's deserializer reads at the same offset. Both key formats: Avro strings (read with
 * {@code AvroConsumer}) and plain strings (values with Confluent's {@code MessageSerializer}).
 * The same run checks the ops endpoints and that every metric the Grafana dashboard queries is exported.
 */
@Tag("integration")
class ConfluentClientIT {

    private static final String PYTHON = "/usr/bin/python3";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Good events (one drift series: every image is of class 0) and one of an unknown model. */
    private static final int GOOD = 8;
    private static final long WINDOW_MILLIS = 2000;
    /** The ground truth of every event: each image is of class 0, so each summary has an interpretation bucket. */
    private static final String CLASS_0 = "0";

    private static EmbeddedKafkaBroker broker;
    private static ApicurioRegistryServer registry;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start();
        registry = ApicurioRegistryServer.start();
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @ParameterizedTest
    @EnumSource(KeyFormat.class)
    void confluentsClientWritesTheEventsAndReadsEveryOutputField(KeyFormat keys) throws Exception {
        String suffix = "-" + keys.setting();
        Map<String, String> topics = new LinkedHashMap<>();
        for (String name : List.of("inference-events", "saliency-summaries", "saliency-overlays", "explanation-audit",
                "dead-letters", "attention-drift", "attention-alerts", "attention-references",
                "explanation-requests-flagged", "explanation-requests-sampled")) {
            topics.put("topics." + name, name + suffix);
        }
        Map<String, Integer> create = new HashMap<>();
        topics.values().forEach(t -> create.put(t, 1));
        broker.createTopics(create);

        Map<String, String> extra = new HashMap<>(topics);
        extra.putAll(Map.of("application.id", "confluent" + suffix, "keys.format", keys.setting(),
                "schema.registry.url", registry.confluentApiUrl(), "ops.port", "0",
                "drift.window", "PT2S", "drift.grace", "PT0S", "drift.min-count", "1", "drift.learn-windows", "1",
                "drift.open-after", "1"));
        extra.put("drift.threshold.jensen-shannon", "0.000001");
        // two targets per event, so the records of a second target (target, topClass, its key) are compared too
        extra.put("explain.targets.shapes", "top-k:2");
        // the events carry a label that the reported class of most of them contradicts: without this flag every
        // event takes the sampled lane, so the summaries reach drift in event-time order (its grace here is 0)
        // and every event gets the model's two targets (a label disagreement's own default is predicted+label)
        extra.put("flags.label-disagreement", "false");
        Path file = new Traffic(broker.bootstrapServers(), registry.confluentApiUrl(), dir).config("confluent" + suffix,
                extra);
        ProcessorConfig config = ProcessorConfig.from(Settings.load(Optional.of(file)));

        try (ProcessorApp app = ProcessorApp.start(config, System.out)) {
            try (OpsServer ops = OpsServer.start(0)) {
                ops.serve(app.byId());
                produceWithConfluentsProducer(topics.get("topics.inference-events"));

                Map<String, Integer> expected = new LinkedHashMap<>();
                expected.put(topics.get("topics.saliency-summaries"), 2 * GOOD);
                expected.put(topics.get("topics.saliency-overlays"), 2 * GOOD);
                expected.put(topics.get("topics.explanation-audit"), 2 * GOOD);
                expected.put(topics.get("topics.dead-letters"), 1);
                expected.put(topics.get("topics.attention-drift"), 2);
                expected.put(topics.get("topics.attention-alerts"), 1);
                List<JsonNode> confluent = consumeWithConfluentsConsumer(keys, expected);

                Map<String, List<JsonNode>> byTopic = new HashMap<>();
                confluent.forEach(r -> byTopic.computeIfAbsent(r.get("topic").asText(), t -> new ArrayList<>()).add(r));
                expected.forEach((topic, count) -> assertThat(byTopic.getOrDefault(topic, List.of()))
                        .as(topic).hasSizeGreaterThanOrEqualTo(count));
                assertEveryFieldAsOurs(keys, config, confluent);

                List<JsonNode> letters = byTopic.get(topics.get("topics.dead-letters"));
                assertThat(letters.get(0).at("/value/errorCode").asText()).isEqualTo("unknown-model");
                assertThat(letters.get(0).at("/value/eventId").asText()).isEqualTo("py-" + GOOD);
                List<JsonNode> summaries = byTopic.get(topics.get("topics.saliency-summaries"));
                assertThat(summaries).filteredOn(r -> r.at("/value/target").asText().equals("predicted"))
                        .extracting(r -> r.get("key").asText())
                        .containsExactlyInAnyOrder("py-0", "py-1", "py-2", "py-3", "py-4", "py-5", "py-6", "py-7");
                assertThat(summaries).filteredOn(r -> r.at("/value/target").asText().equals("top-2"))
                        .hasSize(GOOD).allSatisfy(r -> assertThat(r.get("key").asText()).isEqualTo(
                                r.at("/value/eventId").asText() + "/target=" + r.at("/value/predictedClass").asInt()));
                assertThat(byTopic.get(topics.get("topics.saliency-summaries")))
                        .extracting(r -> r.at("/value/interpretationBucket").asText())
                        .allMatch(bucket -> bucket.startsWith("true-positive-") || bucket.startsWith("false-positive-"));
                assertThat(byTopic.get(topics.get("topics.attention-drift")))
                        .allSatisfy(r -> assertThat(r.at("/value/buckets")).isNotEmpty());
                assertThat(byTopic.get(topics.get("topics.attention-alerts")).get(0).at("/value/state").asText())
                        .isEqualTo("OPEN");

                assertOpsEndpoints(ops.port());
            }
        }
    }

    private void produceWithConfluentsProducer(String topic) throws Exception {
        Path schema = dir.resolve("InferenceEvent.avsc");
        Files.writeString(schema, InferenceEvent.getClassSchema().toString());
        List<String> command = new ArrayList<>(List.of(PYTHON, script(), "--bootstrap", broker.bootstrapServers(),
                "--registry", registry.confluentApiUrl(), "produce", "--schema", schema.toString(), "--topic", topic,
                "--model", "shapes", "--count", Integer.toString(GOOD + 1), "--unknown", "1",
                "--start-millis", Long.toString((Instant.now().toEpochMilli() / WINDOW_MILLIS - 100) * WINDOW_MILLIS),
                "--spacing-millis", "1000", "--label", CLASS_0));
        int written = 0;
        for (GroundTruthSamples.Sample sample : GroundTruthSamples.clean()) {
            if (sample.labelIndex() == 0 && written < 4) {
                Path png = dir.resolve("class0-" + written++ + ".png");
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ImageIO.write(sample.image(), "png", out);
                Files.write(png, out.toByteArray());
                command.add(png.toString());
            }
        }
        run(command, Duration.ofMinutes(2));
    }

    private List<JsonNode> consumeWithConfluentsConsumer(KeyFormat keys, Map<String, Integer> expected)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON, script(), "--bootstrap", broker.bootstrapServers(),
                "--registry", registry.confluentApiUrl(), "consume", "--key-format", keys.setting(),
                "--timeout", "180", "--topics"));
        command.addAll(expected.keySet());
        command.add("--expect");
        expected.values().forEach(n -> command.add(Integer.toString(n)));
        List<JsonNode> records = new ArrayList<>();
        for (String line : run(command, Duration.ofMinutes(4)).split("\n")) {
            if (!line.isBlank()) {
                records.add(JSON.readTree(line));
            }
        }
        return records;
    }

    /** Each record Confluent's client decoded, against this project's decoding of the same offset. */
    private void assertEveryFieldAsOurs(KeyFormat keys, ProcessorConfig config, List<JsonNode> confluent) {
        SchemaRegistry ours = new HttpSchemaRegistryClient(registry.confluentApiUrl());
        AvroDeserializer<GenericRecord> values = AvroDeserializer.generic(ours);
        var keyDeserializer = keys.serde(ours, SerdeSettings.defaults()).deserializer();
        Traffic reader = new Traffic(broker.bootstrapServers(), registry.confluentApiUrl(), dir);
        Map<String, Map<Long, ConsumerRecord<byte[], byte[]>>> raw = new HashMap<>();
        int fields = 0;
        for (JsonNode record : confluent) {
            String topic = record.get("topic").asText();
            ConsumerRecord<byte[], byte[]> mine = raw.computeIfAbsent(topic, t -> {
                Map<Long, ConsumerRecord<byte[], byte[]>> byOffset = new HashMap<>();
                reader.readCommitted(t, 1, Duration.ofSeconds(30)).forEach(r -> byOffset.put(r.offset(), r));
                return byOffset;
            }).get(record.get("offset").asLong());
            assertThat(mine).as("record %s@%s", topic, record.get("offset")).isNotNull();
            assertThat(record.get("key").asText()).as("key of %s@%s", topic, mine.offset())
                    .isEqualTo(keyDeserializer.deserialize(topic, mine.key()));
            JsonNode expected = JSON.valueToTree(plain(values.deserialize(topic, mine.value())));
            fields += assertSame(topic + "@" + mine.offset(), expected, record.get("value"));
        }
        System.out.printf("Confluent's client and ours agree on %d records, %d fields%n", confluent.size(), fields);
    }

    /** Compares two decoded values; returns the number of leaf fields compared. */
    private static int assertSame(String path, JsonNode ours, JsonNode theirs) {
        if (ours.isNumber() && theirs.isNumber()) {
            assertThat(theirs.doubleValue()).as(path).isEqualTo(ours.doubleValue());
            return 1;
        }
        if (ours.isObject()) {
            assertThat(theirs.isObject()).as(path + " is a record or map").isTrue();
            assertThat(new TreeSet<>(iterable(theirs.fieldNames()))).as(path + " fields")
                    .isEqualTo(new TreeSet<>(iterable(ours.fieldNames())));
            int n = 0;
            for (String name : iterable(ours.fieldNames())) {
                n += assertSame(path + "." + name, ours.get(name), theirs.get(name));
            }
            return n;
        }
        if (ours.isArray()) {
            assertThat(theirs.size()).as(path + " length").isEqualTo(ours.size());
            int n = 0;
            for (int i = 0; i < ours.size(); i++) {
                n += assertSame(path + "[" + i + "]", ours.get(i), theirs.get(i));
            }
            return n;
        }
        assertThat(theirs).as(path).isEqualTo(ours);
        return 1;
    }

    private static <T> List<T> iterable(Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    /** An Avro value as the Python side writes it: bytes as base64, enums and strings as text. */
    private static Object plain(Object value) {
        if (value instanceof GenericRecord record) {
            Map<String, Object> out = new LinkedHashMap<>();
            record.getSchema().getFields().forEach(f -> out.put(f.name(), plain(record.get(f.pos()))));
            return out;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(k.toString(), plain(v)));
            return out;
        }
        if (value instanceof Collection<?> list) {
            return list.stream().map(ConfluentClientIT::plain).toList();
        }
        if (value instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return Map.of("$bytes", Base64.getEncoder().encodeToString(bytes));
        }
        if (value instanceof GenericFixed fixed) {
            return Map.of("$bytes", Base64.getEncoder().encodeToString(fixed.bytes()));
        }
        if (value instanceof CharSequence || value instanceof GenericEnumSymbol<?>) {
            return value.toString();
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        return value;
    }

    /** Health endpoints, and every metric the Grafana dashboard queries present in /metrics. */
    private static void assertOpsEndpoints(int port) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        assertThat(get(http, port, "/health/live").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get(http, port, "/health/ready");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> missing;
        String metrics;
        while (true) {
            String scraped = get(http, port, "/metrics").body();
            metrics = scraped;
            missing = dashboardMetrics().stream().filter(name -> !exported(name, scraped)).toList();
            if (missing.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(1000);
        }
        assertThat(missing).as("dashboard metrics missing from /metrics").isEmpty();
        System.out.println("/metrics excerpt:");
        metrics.lines().filter(l -> l.startsWith("saliency_") || l.startsWith("kafka_stream_saliency_"))
                .filter(l -> !l.contains("_bucket{")).forEach(System.out::println);
    }

    private static boolean exported(String name, String metrics) {
        return metrics.lines().anyMatch(l -> l.startsWith(name + "{") || l.startsWith(name + " "));
    }

    /** Metric names in the dashboard's queries: identifiers of the project or of Kafka Streams. */
    static List<String> dashboardMetrics() throws IOException {
        JsonNode dashboard = JSON.readTree(Path.of("..", "docker", "grafana", "dashboards", "saliency-stream.json")
                .toFile());
        Pattern metric = Pattern.compile("\\b(saliency_[a-z_]+|kafka_[a-z_]+)\\b");
        TreeSet<String> names = new TreeSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                Matcher m = metric.matcher(target.get("expr").asText());
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        assertThat(names).isNotEmpty();
        return List.copyOf(names);
    }

    private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String script() {
        return Path.of("src", "test", "python", "confluent_client.py").toAbsolutePath().toString();
    }

    /** Runs a command; its stderr goes to the test log, its stdout is returned. */
    private static String run(List<String> command, Duration timeout) throws Exception {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)).as("finished: " + command).isTrue();
        String printed = new String(out, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("exit status of %s %s; records read (topic, key, target):%n%s", command.get(1),
                command.get(6), printed.lines().map(line -> {
                    try {
                        JsonNode record = JSON.readTree(line);
                        return record.get("topic").asText() + " " + record.get("key") + " " + record.at("/value/target");
                    } catch (java.io.IOException e) {
                        return line;
                    }
                }).collect(java.util.stream.Collectors.joining("\n"))).isZero();
        return printed;
    }
}
