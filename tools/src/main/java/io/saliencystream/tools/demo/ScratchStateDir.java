package io.saliencystream.tools.demo;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Kafka Streams state directory of a tool command that runs the processor in its own process
 * ({@code bench}, {@code demo}), deleted when closed. It lies under {@code ~/.saliency-stream/tmp},
 * beside {@code run}'s default state directory, not under the OS temp directory: Kafka Streams
 * warns about state there (the OS may clean it under a long-running application), a warning the
 * user of a throwaway run cannot act on.
 */
public final class ScratchStateDir implements AutoCloseable {

    private final Path path;

    private ScratchStateDir(Path path) {
        this.path = path;
    }

    /** A new, empty directory named {@code <prefix><random>}. */
    public static ScratchStateDir create(String prefix) throws IOException {
        return new ScratchStateDir(Files.createTempDirectory(Files.createDirectories(parent()), prefix));
    }

    /** Where every scratch state directory is made. */
    static Path parent() {
        return Path.of(System.getProperty("user.home"), ".saliency-stream", "tmp");
    }

    public Path path() {
        return path;
    }

    /** Deletes the directory, and its parent once no other command's is left in it. */
    @Override
    public void close() throws IOException {
        DemoRunner.deleteRecursively(path);
        try {
            Files.deleteIfExists(parent());
        } catch (DirectoryNotEmptyException anotherCommandRuns) {
            // its own close removes the parent
        }
    }
}
