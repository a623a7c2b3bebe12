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
 * {@code /health/ready} during start-up, before the applications exist (the phase is the reason),
 * and of applications that do not run: one not started yet, one stopped (as the drift application
 * is after it died, until {@code run} exits). Ready only when every one runs; the body names each
 * application's state. Liveness answers throughout. {@code RunCommandIT} and
 * {@code SecuredClusterIT} see the same from the shipped jar as it starts.
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

    private static String get(OpsServer ops, String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + ops.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    @Test
    void notReadyDuringStartUpWithItsPhaseThenWhileAnApplicationIsNotRunningWithEachState() throws Exception {
        try (KafkaStreams processor = streams("app"); KafkaStreams drift = streams("app-drift")) {
            drift.close();
            Map<String, KafkaStreams> applications = new LinkedHashMap<>();
            applications.put("app", processor);
            applications.put("app-drift", drift);
            try (OpsServer ops = OpsServer.start(0)) {
                assertThat(get(ops, "/health/ready")).isEqualTo("503 not ready: starting\n");
                assertThat(get(ops, "/health/live")).isEqualTo("200 live\n");
                ops.starting("warming up");
                assertThat(get(ops, "/health/ready")).isEqualTo("503 not ready: warming up\n");

                ops.serve(applications);
                assertThat(get(ops, "/health/ready"))
                        .isEqualTo("503 not ready: starting streams\napp CREATED\napp-drift NOT_RUNNING\n");
                assertThat(get(ops, "/health/live")).isEqualTo("200 live\n");
            }
        }
    }
}
