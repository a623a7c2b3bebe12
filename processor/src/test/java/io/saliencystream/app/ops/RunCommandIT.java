package io.saliencystream.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar saliency-stream.jar run -c <file>} as a user (or the Docker image) starts it,
 * against a real broker and registry: its ops port answers liveness from the start, it explains
 * what it reads, keeps every application (both stages and drift) watched, and closes cleanly on
 * SIGTERM.
 */
@Tag("integration")
class RunCommandIT {

    /** SIGTERM's exit status (128 + 15): the JVM ran its shutdown hook, which closed every application. */
    static final int SIGTERM_EXIT = 143;

    /** What start-up says it is doing, in the order it does it (the select role reads the catalog instead). */
    private static final List<String> PHASES = List.of("loading models",
            "checking the Kafka cluster and schema registry", "warming up", "starting streams");

    @TempDir
    Path dir;

    private Traffic traffic;

    @BeforeEach
    void freshCase() throws Exception {
        traffic = OpsCluster.shared().freshCase(dir, 3);
    }

    @Test
    void answersLivenessDuringStartUpExplainsEventsDeadLettersBadOnesAndClosesCleanlyOnSigterm() throws Exception {
        traffic.produce(0, 40);
        traffic.produceRaw(Traffic.TOPICS.inferenceEvents(), Map.of(
                "bad-not-avro", "not avro".getBytes(StandardCharsets.UTF_8),
                "bad-unknown-schema", new byte[] {0, 0, 0, 0x7f, 0x7f, 1, 2}));
        // state outside the OS temp directory, where a user's belongs (Kafka Streams rightly warns about /tmp)
        Path state = ProcessorProcess.LOGS.resolveSibling("ops-state").resolve("run-sigterm-" + System.nanoTime());
        try (ProcessorProcess processor = ProcessorProcess.start(traffic.config("a", Map.of(
                "state.dir", state.toString())), "run-sigterm")) {
            // an orchestrator's probes from the moment the port opens, before the models load
            List<String> answers = probeUntilReady(processor);
            System.out.println("readiness answers, in order: " + answers);
            assertThat(answers.get(0)).as(processor.log()).startsWith("live while 503 not ready: ");
            List<String> reasons = answers.stream().filter(a -> a.startsWith("503 not ready: "))
                    .map(a -> a.substring("503 not ready: ".length()).split("\\|")[0]).distinct().toList();
            assertThat(reasons).as("the start-up phases, in order: " + answers).isSubsetOf(PHASES)
                    .isSortedAccordingTo(Comparator.comparingInt(PHASES::indexOf))
                    .contains("starting streams").hasSizeGreaterThan(1);
            assertThat(answers.get(answers.size() - 1)).startsWith("200 ready|");
            processor.awaitLog(ProcessorProcess.STARTED, ProcessorProcess.STARTUP);

            Map<String, Traffic.Counts> explained = traffic.committed(Traffic.EXPLAINED_OUTPUTS, 40, Traffic.STALL);
            assertThat(explained).as(processor.log()).allSatisfy((topic, counts) ->
                    assertThat(counts).isEqualTo(new Traffic.Counts(40, 40)));
            assertThat(traffic.committed(List.of(Traffic.TOPICS.deadLetters()), 2, Traffic.STALL))
                    .containsEntry(Traffic.TOPICS.deadLetters(), new Traffic.Counts(2, 2));

            // start-up and steady processing of every application: no warning a user would have to act on
            assertThat(processor.log().lines().filter(line -> line.contains(" WARN ")))
                    .as(processor.log()).isEmpty();

            long sent = System.nanoTime();
            assertThat(processor.terminate(Duration.ofSeconds(60))).as(processor.log()).isEqualTo(SIGTERM_EXIT);
            System.out.printf("run closed %d ms after SIGTERM%n", (System.nanoTime() - sent) / 1_000_000);
            assertThat(processor.log()).contains("processor stopped: every application closed cleanly")
                    .doesNotContain("Exception");
        }
    }

    @Test
    void exitsNonZeroNamingTheDriftApplicationWhenItDies() throws Exception {
        try (ProcessorProcess processor = ProcessorProcess.started(traffic.config("a", Map.of()), "run-drift-dies")) {
            // a pinned reference that is not Avro: the drift application's global store cannot load it
            traffic.produceRaw(Traffic.DRIFT.references(), Map.of("shapes|v1|0", "garbage".getBytes(StandardCharsets.UTF_8)));

            assertThat(processor.awaitExit(Duration.ofSeconds(90))).as(processor.log()).isEqualTo(1);
            assertThat(processor.log()).contains("saliency-stream run: the drift application stopped");
        }
    }

    /**
     * A restart after {@code kill -9} under exactly-once: the drift application's window store has
     * no checkpoint. Kafka Streams would log that as corrupted tasks, with stack traces; run says
     * in one line that it rebuilds the state, and logs no warning.
     */
    @Test
    void restartAfterKillMinusNineLogsNoWarning() throws Exception {
        Path state = ProcessorProcess.LOGS.resolveSibling("ops-state").resolve("run-kill9-" + System.nanoTime());
        Path config = traffic.config("a", Map.of("state.dir", state.toString()));
        traffic.produce(0, 10);
        try (ProcessorProcess first = ProcessorProcess.started(config, "run-kill9-first")) {
            traffic.committed(List.of(Traffic.TOPICS.saliencySummaries()), 10, Traffic.STALL);
            awaitDriftRead(Duration.ofMinutes(2));
            first.kill();
        }
        traffic.produce(10, 20);
        try (ProcessorProcess second = ProcessorProcess.started(config, "run-kill9-second")) {
            assertThat(traffic.committed(Traffic.EXPLAINED_OUTPUTS, 20, Traffic.STALL)).as(second.log())
                    .allSatisfy((topic, counts) -> assertThat(counts.distinct()).isEqualTo(20));
            assertThat(second.terminate(Duration.ofSeconds(60))).as(second.log()).isEqualTo(SIGTERM_EXIT);
            assertThat(second.log()).contains("were not closed cleanly (no checkpoint under exactly-once); "
                    + "rebuilding their state from the changelog");
            assertThat(second.log().lines().filter(line -> line.contains(" WARN ") || line.contains(" ERROR ")))
                    .as(second.log()).isEmpty();
        }
    }

    /**
     * Polls {@code /health/live} and {@code /health/ready} from the moment the log names the ops
     * port until ready answers 200. The answers in order, each once when it changes: the first is
     * {@code live while <ready's answer>} (liveness answered while start-up was under way), then
     * readiness answers as {@code <status> <body lines joined by |>}.
     */
    private static List<String> probeUntilReady(ProcessorProcess processor) throws Exception {
        Pattern port = Pattern.compile("ops endpoints on port (\\d+)");
        long deadline = System.nanoTime() + ProcessorProcess.STARTUP.toNanos();
        Matcher found = port.matcher("");
        while (!found.find()) {
            assertThat(processor.isAlive()).as(processor.log()).isTrue();
            assertThat(System.nanoTime()).as("ops port named: " + processor.log()).isLessThan(deadline);
            Thread.sleep(10);
            found = port.matcher(processor.log());
        }
        String base = "http://127.0.0.1:" + found.group(1);
        HttpClient http = HttpClient.newHttpClient();
        List<String> answers = new ArrayList<>();
        while (answers.isEmpty() || !answers.get(answers.size() - 1).startsWith("200")) {
            assertThat(processor.isAlive()).as(processor.log()).isTrue();
            assertThat(System.nanoTime()).as("ready: " + answers + "\n" + processor.log()).isLessThan(deadline);
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
                    URI.create(base + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            String answer = ready.statusCode() + " " + ready.body().strip().replace('\n', '|');
            if (answers.isEmpty()) {
                HttpResponse<String> live = http.send(HttpRequest.newBuilder(
                        URI.create(base + "/health/live")).build(),
                        HttpResponse.BodyHandlers.ofString());
                answers.add(live.statusCode() == 200 ? "live while " + answer : "not live: " + live.statusCode());
            }
            if (!answers.get(answers.size() - 1).equals(answer)) {
                answers.add(answer);
            }
            Thread.sleep(10);
        }
        return answers;
    }

    /** Waits until the drift application has committed summaries it read (so its window store has rows). */
    private void awaitDriftRead(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (OpsCluster.shared().broker().admin().listConsumerGroupOffsets(traffic.applicationId() + "-drift")
                .partitionsToOffsetAndMetadata()
                .get().values().stream().noneMatch(o -> o != null && o.offset() > 0)) {
            assertThat(System.nanoTime()).as("drift read summaries").isLessThan(deadline);
            Thread.sleep(200);
        }
    }
}
