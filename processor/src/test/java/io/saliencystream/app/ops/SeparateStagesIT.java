package io.saliencystream.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.testing.EmbeddedKafkaBroker;
import io.saliencystream.testing.InProcessSchemaRegistryServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two stages as separate processes of the shipped jar, the way explanation workers run on
 * other machines: {@code run --role explain} (models loaded, only the explanation lanes) and
 * {@code run --role select} (selection and drift, no model). Events produced to the input come
 * out explained (summary, overlay, audit, read_committed), each process is ready only with its
 * own applications running, and both close cleanly on SIGTERM.
 */
@Tag("integration")
class SeparateStagesIT {

    private static final int EVENTS = 6;
    private static final Pattern OPS_PORT = Pattern.compile("ops endpoints on port (\\d+)");

    @TempDir
    Path dir;

    @Test
    void eventsSelectedByOneProcessAreExplainedByAnother() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             InProcessSchemaRegistryServer registry = InProcessSchemaRegistryServer.start()) {
            Traffic.createTopics(broker, 2);
            Traffic traffic = new Traffic(broker.bootstrapServers(), registry.url(), dir);
            Map<String, String> shared = Map.of("application.id", "split");
            try (ProcessorProcess explain = ProcessorProcess.start("stages-explain", "run", "--role", "explain",
                    "-c", traffic.config("split-explain", shared).toString());
                 ProcessorProcess select = ProcessorProcess.start("stages-select", "run", "--role", "select",
                         "-c", traffic.config("split-select", shared).toString())) {
                explain.awaitLog(ProcessorProcess.STARTED, Duration.ofMinutes(4));
                select.awaitLog(ProcessorProcess.STARTED, Duration.ofMinutes(4));
                assertThat(explain.log()).contains("role explain (split-explain-flagged, split-explain-sampled),"
                        + " 1 model(s) loaded");
                assertThat(select.log()).contains("role select (split-select, split-drift), 1 model(s) known");
                traffic.produce(0, EVENTS);

                Map<String, Traffic.Counts> explained = traffic.committed(Traffic.EXPLAINED_OUTPUTS, EVENTS,
                        Duration.ofMinutes(3));
                assertThat(explained).as(explain.log() + select.log()).allSatisfy((topic, counts) ->
                        assertThat(counts).as(topic).isEqualTo(new Traffic.Counts(EVENTS, EVENTS)));
                assertThat(ready(explain)).contains("split-explain-flagged RUNNING", "split-explain-sampled RUNNING")
                        .doesNotContain("split-select");
                assertThat(ready(select)).contains("split-select RUNNING", "split-drift RUNNING")
                        .doesNotContain("explain");

                for (ProcessorProcess p : new ProcessorProcess[] {select, explain}) {
                    assertThat(p.terminate(Duration.ofSeconds(60))).as(p.log()).isEqualTo(RunCommandIT.SIGTERM_EXIT);
                    assertThat(p.log()).contains("processor stopped: every application closed cleanly");
                }
            }
        }
    }

    /** The body of {@code /health/ready} once it answers 200 (every application RUNNING). */
    private static String ready(ProcessorProcess process) throws Exception {
        Matcher port = OPS_PORT.matcher(process.log());
        assertThat(port.find()).as(process.log()).isTrue();
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port.group(1) + "/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        while (response.statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(500);
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }
}
