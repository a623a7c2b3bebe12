package io.saliencystream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UncleanStopTest {

    @TempDir
    Path dir;

    private Properties settings(String guarantee) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
        p.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        return p;
    }

    /** A task directory as Kafka Streams leaves it: a store, and a checkpoint only after a clean close. */
    private Path task(String name, boolean checkpoint) throws Exception {
        Path task = Files.createDirectories(dir.resolve("app").resolve(name));
        Files.createDirectories(task.resolve("rocksdb").resolve("drift-windows"));
        Files.writeString(task.resolve("rocksdb").resolve("drift-windows").resolve("000001.sst"), "rows");
        if (checkpoint) {
            Files.writeString(task.resolve(".checkpoint"), "0\n1\nchangelog 0 42\n");
        }
        return task;
    }

    @Test
    void deletesOnlyTasksWithoutCheckpointUnderExactlyOnceAndSaysSo() throws Exception {
        Path clean = task("0_0", true);
        Path unclean = task("2_0", false);
        Path global = Files.createDirectories(dir.resolve("app").resolve("global").resolve("rocksdb"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        UncleanStop.wipeIfUnclean(settings(StreamsConfig.EXACTLY_ONCE_V2), new PrintStream(out, true));

        assertThat(unclean).doesNotExist();
        assertThat(clean.resolve("rocksdb")).exists();
        assertThat(global).exists();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("app: tasks [2_0] were not closed cleanly "
                + "(no checkpoint under exactly-once); rebuilding their state from the changelog\n");
    }

    @Test
    void leavesStateAloneUnderAtLeastOnceOrWhileAnotherInstanceHoldsTheDirectory() throws Exception {
        Path unclean = task("1_3", false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        UncleanStop.wipeIfUnclean(settings(StreamsConfig.AT_LEAST_ONCE), new PrintStream(out, true));
        assertThat(unclean.resolve("rocksdb")).exists();

        // a running instance (another process) holds Kafka Streams' lock; in this JVM a second channel's
        // tryLock would throw, so the holder is a child JVM
        Path lockFile = dir.resolve("app").resolve(".lock");
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), lockFile.toString())
                .redirectErrorStream(true).start();
        try {
            assertThat(new String(holder.getInputStream().readNBytes(7), StandardCharsets.UTF_8)).isEqualTo("locked\n");
            UncleanStop.wipeIfUnclean(settings(StreamsConfig.EXACTLY_ONCE_V2), new PrintStream(out, true));
            assertThat(unclean.resolve("rocksdb")).exists();
            assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        } finally {
            holder.destroyForcibly().waitFor();
        }
    }

    /** Holds a file lock until killed. */
    public static final class LockHolder {
        public static void main(String[] args) throws Exception {
            try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
                System.out.println("locked");
                Thread.sleep(Long.MAX_VALUE);
            }
        }
    }
}
