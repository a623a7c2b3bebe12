package io.saliencystream.registry;

import io.saliencystream.testing.InProcessSchemaRegistryServer;
import io.saliencystream.registry.HttpSchemaRegistryClient;
import io.saliencystream.registry.SchemaRegistryException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saliencystream.registry.HttpSchemaRegistryClient.Settings;
import io.saliencystream.registry.ScriptedHttpServer.Answer;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpSchemaRegistryClientTest {

    private static final Settings FAST = new Settings(Duration.ofSeconds(2), Duration.ofSeconds(5), 3,
            Duration.ofMillis(10), Duration.ofMillis(40));

    private static final Schema V1 = SchemaBuilder.record("Reading").namespace("test")
            .fields().requiredInt("value").endRecord();
    private static final Schema V2_WITH_DEFAULT = SchemaBuilder.record("Reading").namespace("test")
            .fields().requiredInt("value").name("unit").type().stringType().stringDefault("C").endRecord();
    private static final Schema V2_WITHOUT_DEFAULT = SchemaBuilder.record("Reading").namespace("test")
            .fields().requiredInt("value").requiredString("unit").endRecord();

    private InProcessSchemaRegistryServer server;

    @BeforeEach
    void startServer() {
        server = InProcessSchemaRegistryServer.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void registersAndFetchesThroughTheRestApi() {
        HttpSchemaRegistryClient writer = new HttpSchemaRegistryClient(server.url(), FAST);
        int id = writer.register("readings-value", V1);

        HttpSchemaRegistryClient reader = new HttpSchemaRegistryClient(server.url() + "/", FAST);
        assertThat(reader.schemaById(id)).isEqualTo(V1);
        // ids are global: the same schema under another subject keeps its id, a new schema gets a new one
        assertThat(writer.register("other-value", V1)).isEqualTo(id);
        assertThat(writer.register("readings-value", V2_WITH_DEFAULT)).isNotEqualTo(id);
        assertThat(server.registry().versions("readings-value")).hasSize(2);
        assertThat(server.registry().subjects()).containsExactlyInAnyOrder("readings-value", "other-value");
    }

    @Test
    void repeatedCallsHitTheNetworkOnce() {
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(server.url(), FAST);
        int id = client.register("readings-value", V1);
        long afterFirst = server.requestCount();
        assertThat(afterFirst).isEqualTo(1);

        assertThat(client.register("readings-value", V1)).isEqualTo(id);
        assertThat(client.schemaById(id)).isEqualTo(V1); // known from the registration
        assertThat(server.requestCount()).isEqualTo(afterFirst);

        HttpSchemaRegistryClient fresh = new HttpSchemaRegistryClient(server.url(), FAST);
        fresh.schemaById(id);
        fresh.schemaById(id);
        assertThat(server.requestCount()).isEqualTo(afterFirst + 1);
        // the subject is part of the key: registering under another subject is a new call
        fresh.register("other-value", V1);
        assertThat(server.requestCount()).isEqualTo(afterFirst + 2);
    }

    @Test
    void unknownIdNamesTheIdErrorCodeAndUrlAndIsNotRetried() {
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(server.url(), FAST);
        assertThatThrownBy(() -> client.schemaById(4242))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(404);
                    assertThat(e.errorCode()).isEqualTo(40403);
                })
                .hasMessageContaining("4242")
                .hasMessageContaining("40403")
                .hasMessageContaining(server.url() + "/schemas/ids/4242");
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void incompatibleSchemaIsRefusedWith409AndCompatibilityCanBeAskedFirst() {
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(server.url(), FAST);
        assertThat(client.isCompatible("readings-value", V2_WITHOUT_DEFAULT)).as("new subject").isTrue();
        client.register("readings-value", V1);

        assertThat(client.isCompatible("readings-value", V2_WITH_DEFAULT)).isTrue();
        assertThat(client.isCompatible("readings-value", V2_WITHOUT_DEFAULT)).isFalse();
        assertThatThrownBy(() -> client.register("readings-value", V2_WITHOUT_DEFAULT))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(409);
                    assertThat(e.errorCode()).isEqualTo(409);
                })
                .hasMessageContaining("incompatible")
                .hasMessageContaining("unit");
        assertThat(server.registry().versions("readings-value")).hasSize(1);
    }

    @Test
    void aRegistrationRefusedBecauseAnotherClientWasFirstTakesTheRegisteredId() throws Exception {
        try (ScriptedHttpServer raced = new ScriptedHttpServer(List.of(
                Answer.of(409, "{\"error_code\":409,\"message\":\"An artifact with ID 'readings-value' already exists.\"}"),
                Answer.of(200, "{\"subject\":\"readings-value\",\"id\":12,\"version\":1,\"schema\":\"\"}")))) {
            HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(raced.url(), FAST);
            assertThat(client.register("readings-value", V1)).isEqualTo(12);
            assertThat(raced.hits()).isEqualTo(2);
        }
    }

    @Test
    void subjectsArePercentEncodedInThePath() {
        String subject = "odd subject/with+plus?and#hash%-value";
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(server.url(), FAST);
        int id = client.register(subject, V1);
        assertThat(server.registry().subjects()).containsExactly(subject);
        assertThat(server.registry().versions(subject)).containsExactly(id);
        assertThat(HttpSchemaRegistryClient.pathSegment("a b/c+d")).isEqualTo("a%20b%2Fc%2Bd");
    }

    @Test
    void retriesServerErrorsThenSucceeds() throws Exception {
        try (ScriptedHttpServer flaky = new ScriptedHttpServer(List.of(
                Answer.of(503, "{\"error_code\":50301,\"message\":\"leader not known\"}"),
                Answer.of(500, "{\"error_code\":50001,\"message\":\"store error\"}"),
                Answer.of(200, "{\"id\":7}")))) {
            HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(flaky.url(), FAST);
            assertThat(client.register("readings-value", V1)).isEqualTo(7);
            assertThat(flaky.hits()).isEqualTo(3);
        }
    }

    @Test
    void givesUpOnPersistentServerErrorsAfterMaxAttempts() throws Exception {
        try (ScriptedHttpServer broken = new ScriptedHttpServer(List.of(
                Answer.of(502, "<html><body>Bad gateway</body></html>")))) {
            HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(broken.url(), FAST);
            assertThatThrownBy(() -> client.schemaById(1))
                    .isInstanceOfSatisfying(SchemaRegistryException.class,
                            e -> assertThat(e.httpStatus()).isEqualTo(502))
                    .hasMessageContaining(broken.url() + "/schemas/ids/1")
                    .hasMessageContaining("after 3 attempt")
                    .hasMessageContaining("Bad gateway");
            assertThat(broken.hits()).isEqualTo(3);
        }
    }

    @Test
    void clientErrorsAreNotRetried() throws Exception {
        try (ScriptedHttpServer strict = new ScriptedHttpServer(List.of(
                Answer.of(422, "{\"error_code\":42201,\"message\":\"Invalid schema\"}"),
                Answer.of(200, "{\"id\":1}")))) {
            HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(strict.url(), FAST);
            assertThatThrownBy(() -> client.register("readings-value", V1))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(422);
                        assertThat(e.errorCode()).isEqualTo(42201);
                    })
                    .hasMessageContaining("Invalid schema");
            assertThat(strict.hits()).isEqualTo(1);
        }
    }

    @Test
    void unreachableServerFailsClearlyAfterBoundedAttempts() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort;
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(url, FAST);
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.register("readings-value", V1))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.httpStatus()).isZero();
                    assertThat(e.getCause()).isInstanceOf(ConnectException.class);
                })
                .hasMessageContaining("Cannot reach schema registry")
                .hasMessageContaining(url + "/subjects/readings-value/versions")
                .hasMessageContaining("after 3 attempt");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void slowServerTimesOutAndIsRetried() throws Exception {
        try (ScriptedHttpServer slow = new ScriptedHttpServer(List.of(
                new Answer(200, "{\"id\":1}", Duration.ofSeconds(3))))) {
            Settings impatient = new Settings(Duration.ofSeconds(1), Duration.ofMillis(200), 2,
                    Duration.ofMillis(10), Duration.ofMillis(10));
            HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(slow.url(), impatient);
            assertThatThrownBy(() -> client.register("readings-value", V1))
                    .isInstanceOf(SchemaRegistryException.class)
                    .hasCauseInstanceOf(HttpTimeoutException.class)
                    .hasMessageContaining("after 2 attempt");
            assertThat(slow.hits()).isEqualTo(2);
        }
    }

    @Test
    void rejectsBadSettingsAndUrls() {
        assertThatThrownBy(() -> new Settings(Duration.ofSeconds(1), Duration.ofSeconds(1), 0,
                Duration.ZERO, Duration.ZERO)).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> new HttpSchemaRegistryClient("localhost:8081"))
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class).hasMessageContaining("localhost:8081");
    }
}
