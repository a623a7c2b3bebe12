package io.saliencystream.app.ops;

import io.saliencystream.registry.HttpSchemaRegistryClient;
import io.saliencystream.schema.ClassScore;
import io.saliencystream.schema.EncodedImage;
import io.saliencystream.schema.ImageFormat;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.serde.AvroTrust;
import io.saliencystream.stream.RequestTopics;
import io.saliencystream.stream.TopicNames;
import io.saliencystream.stream.drift.DriftTopics;
import io.saliencystream.testing.EmbeddedKafkaBroker;
import io.saliencystream.testing.samples.GroundTruthSamples;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Traffic for the processor as it ships: topics, a configuration file with the ground-truth
 * "shapes" model (cheap occlusion, every event explained), events of its real sample images,
 * and read_committed counts of what came out, by event id.
 */
final class Traffic {

    static final TopicNames TOPICS = TopicNames.defaults();
    static final DriftTopics DRIFT = DriftTopics.defaults();
    static final RequestTopics REQUESTS = RequestTopics.defaults();
    /** Every explained event appears once in each of these, keyed by its event id. */
    static final List<String> EXPLAINED_OUTPUTS = List.of(TOPICS.saliencySummaries(), TOPICS.saliencyOverlays(),
            TOPICS.explanationAudit());

    static {
        AvroTrust.install();
    }

    /**
     * How long a read waits without a single new event id before it gives up: longer than any
     * pause a fault test causes (a killed instance's partitions wait for its 6 s session and its
     * open transaction's 20 s timeout), so only a processor that has stopped making progress fails.
     */
    static final Duration STALL = Duration.ofMinutes(2);

    private final String bootstrap;
    private final String registryUrl;
    private final Path dir;
    private final String applicationId;
    private final AvroSerdes serdes;
    private final List<byte[]> images;
    private final List<Integer> labels;

    Traffic(String bootstrap, String registryUrl, Path dir) {
        this(bootstrap, registryUrl, dir, "saliency-stream");
    }

    Traffic(String bootstrap, String registryUrl, Path dir, String applicationId) {
        this.bootstrap = bootstrap;
        this.registryUrl = registryUrl;
        this.dir = dir;
        this.applicationId = applicationId;
        this.serdes = new AvroSerdes(new HttpSchemaRegistryClient(registryUrl));
        List<GroundTruthSamples.Sample> samples = GroundTruthSamples.clean();
        this.images = samples.stream().map(s -> png(s.image())).toList();
        this.labels = samples.stream().map(GroundTruthSamples.Sample::labelIndex).toList();
    }

    /** The input and the request topics with {@code inputPartitions} partitions, and every output topic. */
    static void createTopics(EmbeddedKafkaBroker broker, int inputPartitions) {
        broker.createTopics(topics(inputPartitions));
    }

    /** The input's and every output topic's partition count. */
    static Map<String, Integer> topics(int inputPartitions) {
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(TOPICS.inferenceEvents(), inputPartitions);
        for (String topic : List.of(TOPICS.saliencySummaries(), TOPICS.saliencyOverlays(), TOPICS.explanationAudit(),
                TOPICS.deadLetters(), DRIFT.references(), DRIFT.metrics(), DRIFT.alerts())) {
            topics.put(topic, 1);
        }
        // the explanation stage scales by these partitions
        topics.put(REQUESTS.flagged(), inputPartitions);
        topics.put(REQUESTS.sampled(), inputPartitions);
        return topics;
    }

    /** The processor's application id (consumer group and transactional id prefix) in {@link #config}. */
    String applicationId() {
        return applicationId;
    }

    /**
     * Writes a configuration file for instance {@code name}: the shapes model, every event
     * explained, its own state directory, and the two settings that bound the pause a
     * {@code kill -9} causes: a 6 s consumer session (the group notices the dead member) and a
     * 20 s transaction timeout (the broker aborts its open transaction; until then read_committed
     * readers and the partitions' next owner wait behind it). {@code extra} adds or replaces keys.
     */
    Path config(String name, Map<String, String> extra) throws IOException {
        Path models = Files.createDirectories(dir.resolve("models"));
        Path model = models.resolve("shapes-v1.onnx");
        if (!Files.exists(model)) {
            try (InputStream in = Traffic.class.getResourceAsStream("/models/groundtruth/shapes-v1.onnx")) {
                Files.copy(in, model);
            }
        }
        Path catalog = dir.resolve("catalog.json");
        Files.writeString(catalog, """
                {"models": [{"name": "shapes", "version": "v1", "onnxFile": "shapes-v1.onnx", "inputName": "x",
                  "layout": "NCHW", "width": 64, "height": 64, "channels": 3, "colorOrder": "RGB",
                  "pixelScale": 0.00392156862745098, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25],
                  "resize": "STRETCH", "output": "LOGITS", "labels": ["circle", "square", "triangle", "cross"],
                  "method": {"name": "occlusion", "parameters": {"window": 16, "stride": 16, "batch_size": 16}}}]}
                """);
        Properties p = new Properties();
        p.put("application.id", applicationId);
        p.put("bootstrap.servers", bootstrap);
        p.put("schema.registry.url", registryUrl);
        p.put("catalog.path", catalog.toString());
        p.put("model.dir", models.toString());
        p.put("state.dir", dir.resolve("state-" + name).toString());
        p.put("sampling.rate", "1.0");
        // any free port: tests run beside other processes that may hold the default 8080
        p.put("ops.port", "0");
        p.put("kafka.session.timeout.ms", "6000");
        p.put("kafka.heartbeat.interval.ms", "1000");
        p.put("kafka.producer.transaction.timeout.ms", "20000");
        // any free port: tests run beside each other and beside whatever holds 8080
        p.put("ops.port", "0");
        // events are stamped when produced and may wait behind a fault: keep drift's windows open for them
        p.put("drift.grace", "PT30M");
        p.putAll(extra);
        Path file = dir.resolve(name + ".properties");
        try (Writer w = Files.newBufferedWriter(file)) {
            p.store(w, "instance " + name);
        }
        return file;
    }

    /** The wire-format value of event {@code e-<i>}: sample image {@code i mod 200}, its true class on top. */
    byte[] event(int i) {
        return serialize(eventRecord(i));
    }

    private InferenceEvent eventRecord(int i) {
        int sample = i % images.size();
        int label = labels.get(sample);
        InferenceEvent event = InferenceEvent.newBuilder()
                .setEventId(id(i))
                .setEventTime(Instant.now())
                .setModelName("shapes")
                .setModelVersion("v1")
                .setInput(new EncodedImage(ImageFormat.PNG, ByteBuffer.wrap(images.get(sample))))
                .setTopK(List.of(new ClassScore(label, GroundTruthSamples.classes().get(label), 0.9f)))
                .build();
        return event;
    }

    /** Dead-letter codes of {@link #badEvent}, in turn. */
    static final List<String> BAD_KINDS = List.of("not-wire-format", "unknown-schema-id", "unknown-model",
            "image-undecodable");

    /** A bad value of kind {@code BAD_KINDS[i mod 4]}, with event id {@code bad-<i>} where it has one. */
    byte[] badEvent(int i) {
        return switch (BAD_KINDS.get(i % BAD_KINDS.size())) {
            case "not-wire-format" -> ("not avro " + i).getBytes(StandardCharsets.UTF_8);
            case "unknown-schema-id" -> new byte[] {0, 0x7f, 0x7f, 0x7f, 0x7f, 2, 4, 6};
            case "unknown-model" -> serialize(InferenceEvent.newBuilder(eventRecord(i)).setEventId(badId(i)).setModelName("nope").build());
            default -> serialize(InferenceEvent.newBuilder(eventRecord(i)).setEventId(badId(i))
                    .setInput(new EncodedImage(ImageFormat.PNG, ByteBuffer.wrap(new byte[] {(byte) 0x89, 'P', 'N', 'G', 1})))
                    .build());
        };
    }

    /** Event {@code id} of the shapes model whose image is {@code image}, whatever its bytes. */
    byte[] eventWithImage(String id, byte[] image) {
        return serialize(InferenceEvent.newBuilder(eventRecord(0)).setEventId(id)
                .setInput(new EncodedImage(ImageFormat.PNG, ByteBuffer.wrap(image))).build());
    }

    static String badId(int i) {
        return "bad-" + i;
    }

    private byte[] serialize(InferenceEvent event) {
        return serdes.specific(InferenceEvent.class).serializer().serialize(TOPICS.inferenceEvents(), event);
    }

    static String id(int i) {
        return "e-" + i;
    }

    /** Events {@code from} to {@code to - 1}, keyed by event id, sent and acknowledged. */
    void produce(int from, int to) {
        Map<String, byte[]> events = new LinkedHashMap<>();
        for (int i = from; i < to; i++) {
            events.put(id(i), event(i));
        }
        produceRaw(TOPICS.inferenceEvents(), events);
    }

    /**
     * Raw values, keyed by {@code key}, each acknowledged by the broker: a test that counts outputs
     * must know its inputs all arrived. Records a producer could not deliver are sent again by a new
     * producer: after a broker restart the first new idempotent producer was seen to get a producer
     * id the broker had already handed out before the stop, and every batch of it to a partition that
     * id had written before was refused as out of sequence until the delivery timeout.
     */
    void produceRaw(String topic, Map<String, byte[]> values) {
        Map<String, byte[]> pending = values;
        for (int attempt = 1; !pending.isEmpty(); attempt++) {
            Map<String, java.util.concurrent.Future<?>> sent = new LinkedHashMap<>();
            Map<String, byte[]> failed = new LinkedHashMap<>();
            Exception last = null;
            try (KafkaProducer<byte[], byte[]> producer = producer()) {
                pending.forEach((k, v) -> sent.put(k, producer.send(new ProducerRecord<>(topic, key(k), v))));
                producer.flush();
                for (Map.Entry<String, java.util.concurrent.Future<?>> e : sent.entrySet()) {
                    try {
                        e.getValue().get();
                    } catch (java.util.concurrent.ExecutionException ex) {
                        failed.put(e.getKey(), pending.get(e.getKey()));
                        last = ex;
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(ex);
                    }
                }
            }
            if (!failed.isEmpty() && attempt == 3) {
                throw new IllegalStateException(failed.size() + " records to " + topic + " not delivered in "
                        + attempt + " attempts", last);
            }
            pending = failed;
        }
    }

    KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(4 << 20));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static byte[] key(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }

    /** Records and distinct keys in one topic, read_committed. */
    record Counts(int records, int distinct) {
        int duplicates() {
            return records - distinct;
        }
    }

    /**
     * Reads every topic with read_committed until each holds at least {@code expected} distinct
     * keys, or no new key has come for {@code stall}, then to the end, and counts records and
     * distinct keys.
     */
    Map<String, Counts> committed(List<String> topics, int expected, Duration stall) {
        Map<String, Counts> out = new TreeMap<>();
        for (String topic : topics) {
            List<ConsumerRecord<byte[], byte[]>> records = readCommitted(topic, expected, stall);
            Set<String> keys = records.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8))
                    .collect(Collectors.toSet());
            out.put(topic, new Counts(records.size(), keys.size()));
        }
        return out;
    }

    /** Reads {@code topic} until it holds {@code expectedDistinct} keys or none has come for {@code stall}. */
    List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, int expectedDistinct, Duration stall) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(8 << 20));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(64 << 20));
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long lastProgress = System.nanoTime();
            while (keys.size() < expectedDistinct && System.nanoTime() - lastProgress < stall.toNanos()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    records.add(r);
                    if (keys.add(new String(r.key(), StandardCharsets.UTF_8))) {
                        lastProgress = System.nanoTime();
                    }
                }
            }
            // then to the last stable offset, so late duplicates are counted too
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
            long drainDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                    && System.nanoTime() < drainDeadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static byte[] png(java.awt.image.BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
