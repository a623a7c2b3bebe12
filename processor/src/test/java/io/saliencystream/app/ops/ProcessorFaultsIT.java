package io.saliencystream.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processor processes killed with SIGKILL mid-stream: no shutdown hook runs, transactions are
 * left open. Exactly-once must hold anyway: every output topic, read_committed, holds every
 * event id exactly once.
 *
 * <p>How long the rest waits: a restart with the same state directory fences its predecessor's
 * transactions at once. Another instance taking over waits for the consumer session (6 s here,
 * 45 s by default) and then for the killed instance's open transaction to time out (20 s here,
 * commit interval + max.poll.interval.ms = 300.1 s by default): until the broker aborts it, the
 * partitions' committed offsets are unstable and read_committed readers of every topic it wrote
 * see nothing past its first record. With the default timeout that pause outlasted the read
 * this test made before.
 */
@Tag("integration")
class ProcessorFaultsIT {

    static final int EVENTS = 200;

    @TempDir
    Path dir;

    private Traffic traffic;

    @BeforeEach
    void freshCase() throws Exception {
        traffic = OpsCluster.shared().freshCase(dir, 4);
    }

    @Test
    void killedMidStreamAndRestartedLosesAndDuplicatesNothing() throws Exception {
        Path config = traffic.config("a", Map.of());
        try (ProducerLoad load = ProducerLoad.start(traffic, EVENTS, 25)) {
            try (ProcessorProcess first = ProcessorProcess.started(config, "kill9-first")) {
                awaitSummaries(EVENTS / 3);
                first.kill();
            }
            try (ProcessorProcess second = ProcessorProcess.started(config, "kill9-second")) {
                load.await();
                assertEveryEventOnceInEveryOutput(traffic, second);
            }
        }
    }

    @Test
    void twoInstancesShareThePartitionsAndTheSurvivorTakesOverFromAKilledOne() throws Exception {
        try (ProcessorProcess a = ProcessorProcess.start(traffic.config("a", Map.of()), "pair-a");
             ProcessorProcess b = ProcessorProcess.start(traffic.config("b", Map.of()), "pair-b")) {
            a.awaitLog(ProcessorProcess.STARTED, ProcessorProcess.STARTUP);
            b.awaitLog(ProcessorProcess.STARTED, ProcessorProcess.STARTUP);
            try (ProducerLoad load = ProducerLoad.start(traffic, EVENTS, 25)) {
                awaitSummaries(EVENTS / 3);
                a.kill();
                long killed = System.nanoTime();
                load.await();
                assertEveryEventOnceInEveryOutput(traffic, b);
                System.out.printf("survivor had every event %d s after the kill%n",
                        (System.nanoTime() - killed) / 1_000_000_000L);
            }
        }
    }

    private void awaitSummaries(int atLeast) {
        Map<String, Traffic.Counts> counts = traffic.committed(List.of(Traffic.TOPICS.saliencySummaries()), atLeast,
                Traffic.STALL);
        assertThat(counts.get(Traffic.TOPICS.saliencySummaries()).distinct()).isGreaterThanOrEqualTo(atLeast);
    }

    static void assertEveryEventOnceInEveryOutput(Traffic traffic, ProcessorProcess survivor) {
        Map<String, Traffic.Counts> counts = traffic.committed(Traffic.EXPLAINED_OUTPUTS, EVENTS, Traffic.STALL);
        System.out.println("read_committed counts after the fault: " + counts);
        assertThat(counts).as(survivor.log()).allSatisfy((topic, c) ->
                assertThat(c).as(topic).isEqualTo(new Traffic.Counts(EVENTS, EVENTS)));
        assertThat(traffic.committed(List.of(Traffic.TOPICS.deadLetters()), 0, java.time.Duration.ZERO))
                .containsEntry(Traffic.TOPICS.deadLetters(), new Traffic.Counts(0, 0));
        assertThat(survivor.isAlive()).isTrue();
    }
}
