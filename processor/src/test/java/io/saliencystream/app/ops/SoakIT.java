package io.saliencystream.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped processor for half an hour (system property {@code soak.minutes}): continuous
 * events with one bad input in twenty, restarted every {@code soak.restart-minutes} (SIGTERM and
 * kill -9 in turn). Prints heap, RSS, lag and output offsets every {@code soak.sample-seconds},
 * keeps them in {@code target/soak-report.txt}, and ends with read_committed counts: every good
 * event explained exactly once, every bad one dead-lettered exactly once. Run on request:
 * {@code mvn -B verify -pl processor -am -Dfailsafe.groups=soak -Dit.test=SoakIT}.
 */
@Tag("soak")
class SoakIT {

    private static final int BAD_EVERY = 20;

    @TempDir
    Path dir;

    @Test
    void runsThroughRestartsAndBadInputWithoutLossOrDuplicates() throws Exception {
        Duration length = Duration.ofMinutes(Long.getLong("soak.minutes", 30));
        Duration restartEvery = Duration.ofMinutes(Long.getLong("soak.restart-minutes", 5));
        Duration sampleEvery = Duration.ofSeconds(Long.getLong("soak.sample-seconds", 60));
        long eventsPerSecond = Long.getLong("soak.events-per-second", 5);
        Path reportFile = Path.of("target/soak-report.txt");
        OpsCluster cluster = OpsCluster.shared();
        Traffic traffic = cluster.freshCase(dir, 3);
        Admin admin = cluster.broker().admin();
        try (PrintStream report = new PrintStream(Files.newOutputStream(reportFile), true)) {
            Path config = traffic.config("soak", Map.of());
            line(report, "soak: %s, restart every %s, %d events/s, 1 in %d bad, heap -Xmx1g", length, restartEvery,
                    eventsPerSecond, BAD_EVERY);

            AtomicInteger good = new AtomicInteger();
            AtomicInteger bad = new AtomicInteger();
            AtomicBoolean producing = new AtomicBoolean(true);
            Thread producer = new Thread(() -> produce(traffic, eventsPerSecond, good, bad, producing), "soak-producer");
            producer.start();

            long start = System.nanoTime();
            long end = start + length.toNanos();
            int generation = 0;
            ProcessorProcess processor = ProcessorProcess.started(config, "soak-" + generation);
            long nextRestart = start + restartEvery.toNanos();
            long nextSample = start;
            List<String> restarts = new ArrayList<>();
            while (System.nanoTime() < end) {
                if (System.nanoTime() >= nextSample) {
                    sample(report, admin, processor, start, good.get(), bad.get());
                    nextSample += sampleEvery.toNanos();
                }
                if (System.nanoTime() >= nextRestart) {
                    long stopAt = System.nanoTime();
                    String how;
                    if (generation % 2 == 0) {
                        int exit = processor.terminate(Duration.ofMinutes(1));
                        assertThat(exit).as(processor.log()).isEqualTo(RunCommandIT.SIGTERM_EXIT);
                        how = "SIGTERM";
                    } else {
                        processor.kill();
                        how = "kill -9";
                    }
                    generation++;
                    processor = ProcessorProcess.started(config, "soak-" + generation);
                    String restart = String.format("restart %d (%s) at %s: running again after %d s", generation, how,
                            minutes(stopAt - start), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stopAt));
                    restarts.add(restart);
                    line(report, "%s", restart);
                    nextRestart += restartEvery.toNanos();
                }
                Thread.sleep(1000);
            }
            producing.set(false);
            producer.join();
            line(report, "producer stopped: %d good events, %d bad", good.get(), bad.get());
            // drain: wait for the lag to reach 0, as long as it keeps falling (kill -9 pauses up to a
            // session timeout plus a transaction timeout)
            long drainStart = System.nanoTime();
            long lastProgress = drainStart;
            for (long lag = lag(admin), least = lag; lag > 0 && System.nanoTime() - lastProgress < Traffic.STALL.toNanos();
                    lag = lag(admin)) {
                if (lag < least) {
                    least = lag;
                    lastProgress = System.nanoTime();
                }
                Thread.sleep(1000);
            }
            line(report, "drained in %d s", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - drainStart));
            sample(report, admin, processor, start, good.get(), bad.get());
            Map<String, Traffic.Counts> explained = traffic.committed(Traffic.EXPLAINED_OUTPUTS, good.get(),
                    Traffic.STALL);
            Map<String, Traffic.Counts> dead = traffic.committed(List.of(Traffic.TOPICS.deadLetters()), bad.get(),
                    Traffic.STALL);
            explained.forEach((topic, c) -> line(report, "%s: %d records, %d distinct event ids (%d good events sent)",
                    topic, c.records(), c.distinct(), good.get()));
            dead.forEach((topic, c) -> line(report, "%s: %d records, %d distinct keys (%d bad events sent)",
                    topic, c.records(), c.distinct(), bad.get()));
            int exit = processor.terminate(Duration.ofMinutes(1));
            line(report, "final SIGTERM: exit %d", exit);

            assertThat(explained).allSatisfy((topic, c) -> assertThat(c).isEqualTo(new Traffic.Counts(good.get(), good.get())));
            assertThat(dead).allSatisfy((topic, c) -> assertThat(c).isEqualTo(new Traffic.Counts(bad.get(), bad.get())));
            assertThat(exit).isEqualTo(RunCommandIT.SIGTERM_EXIT);
        }
    }

    private static void produce(Traffic traffic, long perSecond, AtomicInteger good, AtomicInteger bad,
            AtomicBoolean producing) {
        long intervalNanos = 1_000_000_000L / perSecond;
        long next = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = traffic.producer()) {
            for (int i = 0; producing.get(); i++) {
                if (i % BAD_EVERY == BAD_EVERY - 1) {
                    int b = bad.getAndIncrement();
                    producer.send(new ProducerRecord<>(Traffic.TOPICS.inferenceEvents(), Traffic.key(Traffic.badId(b)),
                            traffic.badEvent(b)));
                } else {
                    int g = good.getAndIncrement();
                    producer.send(new ProducerRecord<>(Traffic.TOPICS.inferenceEvents(), Traffic.key(Traffic.id(g)),
                            traffic.event(g)));
                }
                next += intervalNanos;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sample(PrintStream report, Admin admin, ProcessorProcess processor, long start, int good,
            int bad) throws Exception {
        long[] heap = processor.heapMib();
        line(report, "t=%s heap used %d MiB (committed %d), RSS %d MiB, lag %d, sent %d good %d bad,"
                        + " output offsets: summaries %d, overlays %d, audit %d, dead letters %d; load %s",
                minutes(System.nanoTime() - start), heap[0], heap[1], processor.rssMib(), lag(admin), good, bad,
                endOffset(admin, Traffic.TOPICS.saliencySummaries()), endOffset(admin, Traffic.TOPICS.saliencyOverlays()),
                endOffset(admin, Traffic.TOPICS.explanationAudit()), endOffset(admin, Traffic.TOPICS.deadLetters()),
                Files.readString(Path.of("/proc/loadavg")).strip());
    }

    /** Records not yet committed, summed over every consumer group (whatever application ids the processor uses). */
    private static long lag(Admin admin) throws Exception {
        long lag = 0;
        for (var group : admin.listGroups().all().get()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group.groupId())
                    .partitionsToOffsetAndMetadata().get();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> c : committed.entrySet()) {
                TopicPartition tp = c.getKey();
                long endOffset = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
                lag += Math.max(0, endOffset - (c.getValue() == null ? 0 : c.getValue().offset()));
            }
        }
        return lag;
    }

    /** Sum of end offsets (records plus transaction markers) of a topic's partitions. */
    private static long endOffset(Admin admin, String topic) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        ListOffsetsResult.ListOffsetsResultInfo info = admin.listOffsets(Map.of(tp, OffsetSpec.latest()))
                .partitionResult(tp).get();
        return info.offset();
    }

    private static String minutes(long nanos) {
        long s = TimeUnit.NANOSECONDS.toSeconds(nanos);
        return String.format("%d:%02d", s / 60, s % 60);
    }

    private static void line(PrintStream report, String format, Object... args) {
        String text = String.format(format, args);
        System.out.println(text);
        report.println(text);
    }
}
