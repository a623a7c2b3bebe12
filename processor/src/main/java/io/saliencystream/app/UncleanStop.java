package io.saliencystream.app;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.streams.StreamsConfig;

/**
 * State left by a stop without close ({@code kill -9}, OOM kill, a crashed machine) under
 * exactly-once. Kafka Streams writes a task's {@code .checkpoint} only when it closes the task
 * cleanly, and deletes it while the task runs; a task directory with store files but no
 * checkpoint may hold uncommitted writes. Kafka Streams would find that at start-up, log each such
 * task as corrupted (several warnings with stack traces) and rebuild it from its changelog; this
 * deletes such a task's state before the application starts, so Kafka Streams rebuilds it the same
 * way, and says so in one line: there is nothing for the user to act on.
 */
final class UncleanStop {

    private UncleanStop() {
    }

    /**
     * Deletes the local state of an application's tasks that were not closed cleanly, before the
     * application starts; {@code properties} are its settings, with the state directory {@code run}
     * always sets.
     */
    static void wipeIfUnclean(Properties properties, PrintStream log) {
        if (StreamsConfig.AT_LEAST_ONCE.equals(properties.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))) {
            return;
        }
        String stateDir = properties.getProperty(StreamsConfig.STATE_DIR_CONFIG);
        if (stateDir == null) {
            return;
        }
        String applicationId = properties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        Path applicationState = Path.of(stateDir).resolve(applicationId);
        if (uncleanTasks(applicationState).isEmpty()) {
            return;
        }
        // Kafka Streams' own lock on the application's directory: held by a running instance on the
        // same state.dir, whose tasks run without checkpoints; that instance's state is left alone
        try (FileChannel channel = FileChannel.open(applicationState.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = channel.tryLock()) {
            if (lock == null) {
                return;
            }
            List<String> unclean = uncleanTasks(applicationState);
            log.println(applicationId + ": tasks " + unclean + " were not closed cleanly (no checkpoint under "
                    + "exactly-once); rebuilding their state from the changelog");
            unclean.forEach(task -> delete(applicationState.resolve(task)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock the state directory " + applicationState, e);
        }
    }

    private static void delete(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the unclean task state " + directory
                    + " (another instance using this state.dir?)", e);
        }
    }

    /** Task directories ({@code <subtopology>_<partition>}) with files in them but no {@code .checkpoint}. */
    static List<String> uncleanTasks(Path applicationState) {
        if (!Files.isDirectory(applicationState)) {
            return List.of();
        }
        try (Stream<Path> tasks = Files.list(applicationState)) {
            return tasks.filter(Files::isDirectory)
                    .filter(task -> task.getFileName().toString().matches("\\d+_\\d+"))
                    .filter(task -> !Files.exists(task.resolve(".checkpoint")) && hasStoreFiles(task))
                    .map(task -> task.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the state directory " + applicationState, e);
        }
    }

    private static boolean hasStoreFiles(Path task) {
        try (Stream<Path> entries = Files.list(task)) {
            return entries.anyMatch(entry -> !entry.getFileName().toString().startsWith("."));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the state directory " + task, e);
        }
    }
}
