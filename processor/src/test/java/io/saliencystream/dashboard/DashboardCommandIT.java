package io.saliencystream.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.registry.HttpSchemaRegistryClient;
import io.saliencystream.schema.AlertState;
import io.saliencystream.schema.AttentionDriftAlert;
import io.saliencystream.schema.AttentionDriftMetrics;
import io.saliencystream.schema.ReferenceKind;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.serde.AvroTrust;
import io.saliencystream.stream.TopicNames;
import io.saliencystream.stream.drift.DriftTopics;
import io.saliencystream.testing.EmbeddedKafkaBroker;
import io.saliencystream.testing.InProcessSchemaRegistryServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's {@code dashboard} command as it ships: the production jar started as a process with
 * a properties file, against a real broker and registry, reading records a producer writes while it
 * runs (and one aborted transaction it must not show), serving them as JSON and overlays as PNG.
 */
@Tag("integration")
class DashboardCommandIT {

    private static final Path JAR = Path.of("target/saliency-stream.jar");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 1, 2, 3};

    @TempDir
    Path dir;

    @BeforeAll
    static void trustTheSchemaClasses() {
        AvroTrust.install();
    }

    @Test
    void servesWhatIsCommittedOnTheOutputTopics() throws Exception {
        assertThat(JAR).as("built by the package phase").exists();
        TopicNames topics = TopicNames.defaults();
        DriftTopics drift = DriftTopics.defaults();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             InProcessSchemaRegistryServer registry = InProcessSchemaRegistryServer.start()) {
            Map<String, Integer> partitions = new LinkedHashMap<>();
            for (String t : List.of(topics.inferenceEvents(), topics.saliencySummaries(), topics.saliencyOverlays(),
                    topics.explanationAudit(), topics.deadLetters(), drift.metrics(), drift.alerts(), drift.references())) {
                partitions.put(t, 2);
            }
            broker.createTopics(partitions);
            Path config = dir.resolve("saliency-stream.properties");
            Files.writeString(config, "bootstrap.servers=" + broker.bootstrapServers() + "\n"
                    + "schema.registry.url=" + registry.url() + "\n");

            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process process = new ProcessBuilder(java, "-jar", JAR.toString(), "dashboard", "-c", config.toString(),
                    "--port", "0").redirectErrorStream(true).start();
            List<String> output = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<String> url = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    Pattern started = Pattern.compile("dashboard on (http://\\S+/)");
                    for (String line; (line = r.readLine()) != null; ) {
                        output.add(line);
                        Matcher m = started.matcher(line);
                        if (m.find()) {
                            url.complete(m.group(1));
                        }
                    }
                } catch (java.io.IOException e) {
                    url.completeExceptionally(e);
                }
            });
            reader.start();
            try {
                String base = url.get(60, TimeUnit.SECONDS);
                produce(broker.bootstrapServers(), registry.url(), topics, drift);

                String gallery = awaitBody(base + "api/gallery", "\"eventId\":\"e-1\"");
                assertThat(gallery).contains("\"label\":\"circle\"").doesNotContain("aborted");
                HttpResponse<byte[]> png = HTTP.send(HttpRequest.newBuilder(URI.create(base + "overlay?id=e-1")).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(png.statusCode()).isEqualTo(200);
                assertThat(png.headers().firstValue("Content-Type")).contains("image/png");
                assertThat(png.body()).isEqualTo(PNG);
                String series = awaitBody(base + "api/drift/series?key=shapes%7Cv1%7C0", "\"alerts\":[{");
                assertThat(series).contains("\"label\":\"circle\"", "\"state\":\"OPEN\"", "\"jensen-shannon\":0.3",
                        "\"threshold\":0.1");
                assertThat(awaitBody(base + "api/overview", "openAlerts")).contains("\"key\":\"shapes|v1|0\"");
            } finally {
                process.destroy();
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
                reader.join(5000);
            }
            assertThat(String.join("\n", output)).doesNotContain("Exception");
        }
    }

    /** One explained event with its overlay, a closed drift window with its alert, and an aborted summary. */
    private static void produce(String bootstrap, String registryUrl, TopicNames topics, DriftTopics drift) {
        AvroSerdes serdes = new AvroSerdes(new HttpSchemaRegistryClient(registryUrl));
        Instant now = Instant.now();
        SaliencySummary summary = DashboardStateTest.summary("e-1", "shapes", "v1", 0, "circle", List.of("sampled"));
        SaliencyOverlay overlay = SaliencyOverlay.newBuilder().setEventId("e-1").setModelName("shapes")
                .setModelVersion("v1").setPredictedClass(0).setPredictedLabel("circle").setMethod("occlusion")
                .setColorMap("pink_green").setWidth(1).setHeight(1).setPng(ByteBuffer.wrap(PNG)).build();
        AttentionDriftMetrics window = AttentionDriftMetrics.newBuilder().setModelName("shapes").setModelVersion("v1")
                .setPredictedClass(0).setWindowStart(now.minusSeconds(60)).setWindowEnd(now).setCount(10).setGridRows(2)
                .setGridCols(2).setMeanGrid(List.of(0.1, 0.2, 0.3, 0.4)).setJensenShannon(0.3)
                .setReferenceKind(ReferenceKind.LEARNED).setReferenceWindows(3).setAlertOpen(true).build();
        AttentionDriftAlert alert = AttentionDriftAlert.newBuilder().setModelName("shapes").setModelVersion("v1")
                .setPredictedClass(0).setWindowStart(now.minusSeconds(60)).setWindowEnd(now).setState(AlertState.OPEN)
                .setMetric("jensen-shannon").setDistance(0.3).setThreshold(0.1).setMessage("moved").build();
        String key = "shapes|v1|0";
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "dashboard-it");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topics.saliencySummaries(), "aborted", serdes.specific(SaliencySummary.class)
                    .serializer().serialize(topics.saliencySummaries(), SaliencySummary.newBuilder(summary)
                            .setEventId("aborted").build())));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topics.saliencyOverlays(), "e-1", serdes.specific(SaliencyOverlay.class)
                    .serializer().serialize(topics.saliencyOverlays(), overlay)));
            producer.send(new ProducerRecord<>(topics.saliencySummaries(), "e-1", serdes.specific(SaliencySummary.class)
                    .serializer().serialize(topics.saliencySummaries(), summary)));
            producer.send(new ProducerRecord<>(drift.metrics(), key, serdes.specific(AttentionDriftMetrics.class)
                    .serializer().serialize(drift.metrics(), window)));
            producer.send(new ProducerRecord<>(drift.alerts(), key, serdes.specific(AttentionDriftAlert.class)
                    .serializer().serialize(drift.alerts(), alert)));
            producer.commitTransaction();
        }
    }

    private static String awaitBody(String url, String expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            body = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
            if (body.contains(expected)) {
                return body;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no " + expected + " from " + url + " within 60 s; last: " + body);
    }
}
