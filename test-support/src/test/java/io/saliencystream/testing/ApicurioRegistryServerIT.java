package io.saliencystream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Smoke test of the real registry over raw HTTP: what the project's registry client relies on. */
@Tag("integration")
class ApicurioRegistryServerIT {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String SCHEMA = "{\"type\":\"record\",\"name\":\"Ping\",\"namespace\":\"it.smoke\","
            + "\"fields\":[{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"note\",\"type\":\"string\"}]}";

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void registersAndFetchesASchemaByIdOverTheConfluentApi() throws Exception {
        String baseUrl;
        try (ApicurioRegistryServer registry = ApicurioRegistryServer.start()) {
            baseUrl = registry.confluentApiUrl();
            assertThat(baseUrl).startsWith("http://127.0.0.1:").endsWith("/apis/ccompat/v7");

            String body = json.writeValueAsString(json.createObjectNode().put("schema", SCHEMA));
            HttpResponse<String> registered = post(baseUrl + "/subjects/smoke-value/versions", body);
            assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
            int id = json.readTree(registered.body()).get("id").asInt();

            HttpResponse<String> fetched = get(baseUrl + "/schemas/ids/" + id);
            assertThat(fetched.statusCode()).as(fetched.body()).isEqualTo(200);
            String schemaText = json.readTree(fetched.body()).get("schema").asText();
            assertThat(schemaText).isEqualTo(SCHEMA);
            assertThat(new Schema.Parser().parse(schemaText)).isEqualTo(new Schema.Parser().parse(SCHEMA));

            // registering the same schema again is idempotent: same id, no new version
            HttpResponse<String> again = post(baseUrl + "/subjects/smoke-value/versions", body);
            assertThat(json.readTree(again.body()).get("id").asInt()).isEqualTo(id);
            JsonNode versions = json.readTree(get(baseUrl + "/subjects/smoke-value/versions").body());
            assertThat(versions).hasSize(1);

            HttpResponse<String> unknown = get(baseUrl + "/schemas/ids/" + (id + 1000));
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(json.readTree(unknown.body()).get("error_code").asInt()).isEqualTo(40403);
        }
        assertThat(answers(baseUrl + "/subjects")).as("server stopped on close").isFalse();
    }

    private HttpResponse<String> post(String url, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private boolean answers(String url) throws InterruptedException {
        try {
            http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
