package io.saliencystream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server's REST surface, checked with raw HTTP against the shapes Confluent's API documents. */
class InProcessSchemaRegistryServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Schema V1 = SchemaBuilder.record("Reading").namespace("test")
            .fields().requiredInt("value").endRecord();
    private static final Schema V2 = SchemaBuilder.record("Reading").namespace("test")
            .fields().requiredInt("value").name("unit").type().stringType().stringDefault("C").endRecord();

    private InProcessSchemaRegistryServer server;

    @BeforeEach
    void start() {
        server = InProcessSchemaRegistryServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void servesSubjectsVersionsAndSchemas() throws Exception {
        assertThat(server.url()).startsWith("http://127.0.0.1:");
        Answer first = post("/subjects/readings-value/versions", body(V1.toString()));
        assertThat(first.status).isEqualTo(200);
        assertThat(first.contentType).isEqualTo("application/vnd.schemaregistry.v1+json");
        int id1 = first.json.get("id").intValue();
        int id2 = post("/subjects/readings-value/versions", body(V2.toString())).json.get("id").intValue();
        assertThat(post("/subjects/readings-value/versions", body(V1.toString())).json.get("id").intValue())
                .as("re-registering is idempotent").isEqualTo(id1);

        assertThat(get("/subjects").json.toString()).isEqualTo("[\"readings-value\"]");
        assertThat(get("/subjects/readings-value/versions").json.toString()).isEqualTo("[1,2]");

        JsonNode latest = get("/subjects/readings-value/versions/latest").json;
        assertThat(latest.get("subject").asText()).isEqualTo("readings-value");
        assertThat(latest.get("version").intValue()).isEqualTo(2);
        assertThat(latest.get("id").intValue()).isEqualTo(id2);
        assertThat(new Schema.Parser().parse(latest.get("schema").asText())).isEqualTo(V2);

        assertThat(get("/subjects/readings-value/versions/1").json.get("id").intValue()).isEqualTo(id1);
        assertThat(new Schema.Parser().parse(get("/subjects/readings-value/versions/1/schema").json.toString()))
                .isEqualTo(V1);
        assertThat(new Schema.Parser().parse(get("/schemas/ids/" + id2).json.get("schema").asText())).isEqualTo(V2);
        assertThat(post("/subjects/readings-value", body(V1.toString())).json.get("version").intValue()).isEqualTo(1);
        assertThat(post("/compatibility/subjects/readings-value/versions/latest", body(V1.toString()))
                .json.get("is_compatible").booleanValue()).isTrue();
    }

    @Test
    void errorsHaveConfluentShape() throws Exception {
        post("/subjects/readings-value/versions", body(V1.toString()));

        assertError(get("/schemas/ids/99"), 404, 40403, "99");
        assertError(get("/subjects/nothing-here/versions"), 404, 40401, "nothing-here");
        assertError(get("/subjects/readings-value/versions/7"), 404, 40402, "7");
        assertError(get("/subjects/readings-value/versions/first"), 422, 42202, "first");
        assertError(post("/subjects/readings-value/versions", body("{\"type\":\"record\",\"name\":\"R\"}")),
                422, 42201, "Invalid schema");
        assertError(post("/subjects/readings-value/versions",
                "{\"schema\":\"syntax = \\\"proto3\\\";\",\"schemaType\":\"PROTOBUF\"}"), 422, 42201, "PROTOBUF");
        assertError(post("/subjects/readings-value/versions", "not json"), 400, 400, "not JSON");
        assertError(post("/subjects/readings-value", body(V2.toString())), 404, 40403, "readings-value");
        String incompatible = SchemaBuilder.record("Reading").namespace("test").fields()
                .requiredInt("value").requiredString("unit").endRecord().toString();
        assertError(post("/subjects/readings-value/versions", body(incompatible)), 409, 409, "incompatible");
        assertError(get("/no/such/path"), 404, 404, "Not Found");
        assertThat(server.registry().versions("readings-value")).hasSize(1);
    }

    @Test
    void countsRequests() throws Exception {
        get("/subjects");
        get("/schemas/ids/1");
        assertThat(server.requestCount()).isEqualTo(2);
    }

    private static void assertError(Answer answer, int status, int errorCode, String inMessage) {
        assertThat(answer.status).as(answer.json.toString()).isEqualTo(status);
        assertThat(answer.json.get("error_code").intValue()).isEqualTo(errorCode);
        assertThat(answer.json.get("message").asText()).contains(inMessage);
    }

    private static String body(String schema) {
        return JSON.createObjectNode().put("schema", schema).put("schemaType", "AVRO").toString();
    }

    private record Answer(int status, String contentType, JsonNode json) {
    }

    private Answer get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(server.url() + path)).GET());
    }

    private Answer post(String path, String json) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static Answer send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                JSON.readTree(response.body()));
    }
}
