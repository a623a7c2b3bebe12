package io.saliencystream.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /health/ready} of applications that do not run: one not started yet, one stopped (as
 * the drift application is after it died, until {@code run} exits). Ready only when every one
 * runs; the body names each application's state. {@code SecuredClusterIT} sees 503 then 200 from
 * the shipped jar as it starts.
 */
class OpsServerTest {

    @TempDir
    Path dir;

    private KafkaStreams streams(String applicationId) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in").to("out");
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        p.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        return new KafkaStreams(builder.build(), p);
    }

    @Test
    void notReadyWhileAnApplicationIsNotRunningWithEachStateInTheBody() throws Exception {
        try (KafkaStreams processor = streams("app"); KafkaStreams drift = streams("app-drift")) {
            drift.close();
            Map<String, KafkaStreams> applications = new LinkedHashMap<>();
            applications.put("app", processor);
            applications.put("app-drift", drift);
            try (OpsServer ops = OpsServer.start(0, applications)) {
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + ops.port() + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).isEqualTo("not ready\napp CREATED\napp-drift NOT_RUNNING\n");
                HttpResponse<String> live = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + ops.port() + "/health/live")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(live.statusCode()).isEqualTo(200);
            }
        }
    }
}
