package io.saliencystream.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker stops under load for longer than the producer's 60 s metadata wait (which ended
 * the processor before), then comes back: the processor rides it out and carries on, and
 * exactly-once holds across the outage.
 */
@Tag("integration")
@Tag("slow")
class BrokerOutageIT {

    static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("outage.seconds", 75));

    @TempDir
    Path dir;

    @Test
    void ridesOutABrokerOutageLongerThanAMinuteWithExactlyOnceIntact() throws Exception {
        OpsCluster cluster = OpsCluster.shared();
        Traffic traffic = cluster.freshCase(dir, 4);
        try (ProcessorProcess processor = ProcessorProcess.started(traffic.config("a", Map.of()), "outage")) {
            int half = ProcessorFaultsIT.EVENTS / 2;
            traffic.produce(0, half);
            traffic.committed(List.of(Traffic.TOPICS.saliencySummaries()), half / 3, Traffic.STALL);

            cluster.broker().stop();
            long stopped = System.nanoTime();
            Thread.sleep(OUTAGE.toMillis());
            assertThat(processor.isAlive()).as(processor.log()).isTrue();
            cluster.broker().restart();
            System.out.printf("broker back after %d s%n", (System.nanoTime() - stopped) / 1_000_000_000L);

            traffic.produce(half, ProcessorFaultsIT.EVENTS);
            ProcessorFaultsIT.assertEveryEventOnceInEveryOutput(traffic, processor);
            assertThat(processor.terminate(Duration.ofMinutes(1))).as(processor.log())
                    .isEqualTo(RunCommandIT.SIGTERM_EXIT);
        }
    }
}
