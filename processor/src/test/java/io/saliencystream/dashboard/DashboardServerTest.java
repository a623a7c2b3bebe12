package io.saliencystream.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.serde.AvroTrust;
import io.saliencystream.stream.TopicNames;
import io.saliencystream.stream.drift.DriftTopics;
import io.saliencystream.testing.InMemorySchemaRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP side on a state filled by hand: no broker (the consumers are created, never polled). */
class DashboardServerTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private DashboardServer server;
    private OverlayFetcher overlays;
    private String base;

    @BeforeAll
    static void trustTheSchemaClasses() {
        AvroTrust.install();
    }

    @BeforeEach
    void start() throws Exception {
        var registry = new InMemorySchemaRegistry();
        DashboardSources sources = new DashboardSources(Map.of("bootstrap.servers", "127.0.0.1:1"), registry,
                new StringDeserializer(), TopicNames.defaults(), DriftTopics.defaults(), Map.of());
        DashboardState state = new DashboardState(DashboardLimits.defaults(), Map.of());
        state.summary(DashboardStateTest.summary("e<1>", "shapes", "v1", 0, "<script>alert(1)</script>",
                List.of("sampled")), System.currentTimeMillis());
        overlays = new OverlayFetcher(sources, registry, state, 2);
        server = new DashboardServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), state, overlays,
                new AuditLookup(sources, registry, state, Optional.empty()));
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
        overlays.close();
    }

    @Test
    void servesThePageFromTheJarUnderAPolicyThatAllowsOnlyItsOwnScript() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script src=\"/assets/app.js\" defer></script>").doesNotContain("http://", "https://");
        assertThat(page.headers().firstValue("Content-Security-Policy")).contains(DashboardServer.CSP);
        assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        HttpResponse<String> script = get("/assets/app.js");
        assertThat(script.headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
        // the script never parses record data as markup
        assertThat(script.body()).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(");
        assertThat(get("/assets/style.css").statusCode()).isEqualTo(200);
        // the page names its icon: browsers ask for no /favicon.ico (a 404 in every console)
        assertThat(page.body()).contains("<link rel=\"icon\" href=\"/assets/icon.svg\"");
        assertThat(get("/assets/icon.svg").headers().firstValue("Content-Type")).contains("image/svg+xml; charset=utf-8");
        assertThat(get("/assets/../../etc/passwd").statusCode()).isEqualTo(404);
        assertThat(get("/nothing").statusCode()).isEqualTo(404);
    }

    @Test
    void recordDataReachesThePageAsJsonStrings() throws Exception {
        HttpResponse<String> gallery = get("/api/gallery?model=shapes&class=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
        assertThat(gallery.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
        assertThat(gallery.body()).contains("\"label\":\"<script>alert(1)</script>\"", "\"eventId\":\"e<1>\"");
        HttpResponse<String> event = get("/api/event?id=e%3C1%3E");
        assertThat(event.statusCode()).isEqualTo(200);
        assertThat(event.body()).contains("\"summary\":{\"eventId\":\"e<1>\"");
        assertThat(get("/api/event?id=unknown").statusCode()).isEqualTo(404);
        assertThat(get("/overlay?id=unknown").statusCode()).isEqualTo(404);
    }

    @Test
    void aVerificationNeedsAPostWithThePagesHeaderAndACatalog() throws Exception {
        assertThat(get("/api/verify?id=e").statusCode()).isEqualTo(405);
        HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(base + "/api/verify?id=e"))
                .POST(HttpRequest.BodyPublishers.noBody());
        // a form on another site cannot set the header
        assertThat(HTTP.send(post.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
        HttpResponse<String> noCatalog = HTTP.send(post.header(DashboardServer.VERIFY_HEADER, "verify").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noCatalog.statusCode()).isEqualTo(409);
        assertThat(noCatalog.body()).contains("without a model catalog");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
