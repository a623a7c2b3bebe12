package io.saliencystream.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code run} says, as a process, when it cannot start: one clear line, in bounded time. */
@Tag("integration")
class StartupChecksIT {

    @TempDir
    Path dir;

    @Test
    void anUnreachableBrokerIsOneErrorLineWithinTheStartupTimeout() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Traffic traffic = new Traffic("127.0.0.1:" + closedPort, OpsCluster.shared().registryUrl(), dir);
        Path config = traffic.config("a", Map.of("startup.timeout-ms", "5000"));
        long started = System.nanoTime();
        try (ProcessorProcess run = ProcessorProcess.start(config, "startup-unreachable")) {
            assertThat(run.awaitExit(Duration.ofSeconds(90))).isEqualTo(1);
            System.out.printf("unreachable broker reported after %d ms%n", (System.nanoTime() - started) / 1_000_000);
            assertThat(run.log()).contains("saliency-stream run: cannot reach the Kafka brokers at 127.0.0.1:"
                    + closedPort + " within 5000 ms (startup.timeout-ms)");
            assertThat(run.log().lines().filter(line -> line.contains("WARN") || line.contains("ERROR")))
                    .as(run.log()).isEmpty();
        }
    }

    @Test
    void missingOutputTopicsAreListedAtStartUpOrCreatedWhenAsked() throws Exception {
        OpsCluster cluster = OpsCluster.shared();
        Traffic traffic = cluster.freshCase(dir, 0);
        cluster.createTopics(Map.of(Traffic.TOPICS.inferenceEvents(), 1, Traffic.TOPICS.saliencySummaries(), 1,
                Traffic.TOPICS.explanationAudit(), 1, Traffic.TOPICS.deadLetters(), 1, Traffic.DRIFT.references(), 1,
                Traffic.DRIFT.metrics(), 1));
        try (ProcessorProcess run = ProcessorProcess.start(traffic.config("a", Map.of()), "startup-missing")) {
            assertThat(run.awaitExit(Duration.ofSeconds(120))).isEqualTo(1);
            assertThat(run.log()).contains("saliency-stream run: missing topics: attention-alerts,"
                    + " explanation-requests-flagged, explanation-requests-sampled, saliency-overlays"
                    + " (or not authorized to describe them: check this principal's ACLs);"
                    + " create them (explanation-audit and attention-references compacted) or set topics.create=true");
        }

        try (ProcessorProcess run = ProcessorProcess.started(traffic.config("a", Map.of("topics.create", "true")),
                "startup-create")) {
            assertThat(run.log()).contains("created missing topics: attention-alerts, explanation-requests-flagged,"
                    + " explanation-requests-sampled, saliency-overlays");
            assertThat(cluster.broker().admin().listTopics().names().get())
                    .contains("attention-alerts", "saliency-overlays", Traffic.REQUESTS.flagged(), Traffic.REQUESTS.sampled());
            // a request carries its event whole: its topic accepts what the producer sends
            ConfigResource flagged = new ConfigResource(ConfigResource.Type.TOPIC, Traffic.REQUESTS.flagged());
            assertThat(cluster.broker().admin().describeConfigs(List.of(flagged)).all().get().get(flagged)
                    .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value()).isEqualTo(Integer.toString((1 << 20) + 12));
            assertThat(run.terminate(Duration.ofMinutes(1))).isEqualTo(RunCommandIT.SIGTERM_EXIT);
        }
    }

    @Test
    void cudaWithTheCpuBuildIsOneErrorLineBeforeAnyStreamStarts() throws Exception {
        OpsCluster cluster = OpsCluster.shared();
        Traffic traffic = cluster.freshCase(dir, 1);
        Path config = traffic.config("a", Map.of("onnx.execution-provider", "cuda"));
        try (ProcessorProcess run = ProcessorProcess.start(config, "startup-cuda")) {
            assertThat(run.awaitExit(Duration.ofSeconds(90))).isEqualTo(1);
            List<String> errors = run.log().lines().filter(line -> line.startsWith("saliency-stream run:")).toList();
            assertThat(errors).as(run.log()).hasSize(1);
            assertThat(errors.get(0)).startsWith("saliency-stream run: model shapes:v1 (onnx.execution-provider):"
                    + " execution provider cuda is not in this build of ONNX Runtime").contains("mvn -Pcuda package");
            assertThat(run.log()).doesNotContain(ProcessorProcess.STARTED);
            assertThat(run.log().lines().filter(line -> line.contains("WARN") || line.contains("ERROR")))
                    .as(run.log()).isEmpty();
        }
        // no application joined its group: the check comes before any stream starts
        assertThat(cluster.broker().admin().listGroups().all().get())
                .noneMatch(group -> group.groupId().startsWith(traffic.applicationId()));
    }

    @Test
    void aMissingConfigurationFileIsNamed() throws Exception {
        assertThat(ProcessorProcess.runToEnd("startup-no-config", Duration.ofSeconds(60), "run", "-c", "/missing.properties"))
                .isEqualTo(1);
        assertThat(Path.of(ProcessorProcess.LOGS.resolve("startup-no-config.log").toString()))
                .content().startsWith("saliency-stream run: configuration file /missing.properties does not exist");
    }
}
