package io.saliencystream.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A tool's state directory is outside the OS temp directory (Kafka Streams warns about state
 * there) and leaves nothing behind: neither itself nor, once the last one closes, its parent.
 */
class ScratchStateDirTest {

    @Test
    void outsideTheTempDirectoryAndGoneWhenClosed() throws Exception {
        boolean parentWasThere = Files.exists(ScratchStateDir.parent());
        Path first;
        try (ScratchStateDir a = ScratchStateDir.create("scratch-test-");
             ScratchStateDir b = ScratchStateDir.create("scratch-test-")) {
            first = a.path();
            assertThat(a.path()).isDirectory().isEmptyDirectory().isNotEqualTo(b.path());
            assertThat(a.path().getFileName().toString()).startsWith("scratch-test-");
            // Kafka Streams compares the state.dir setting's text with java.io.tmpdir
            assertThat(a.path().toString()).doesNotStartWith(System.getProperty("java.io.tmpdir"));
            Files.writeString(Files.createDirectories(a.path().resolve("app/0_0")).resolve(".checkpoint"), "x");
            a.close();
            assertThat(a.path()).doesNotExist();
            assertThat(b.path()).isDirectory();
        }
        assertThat(first).doesNotExist();
        if (!parentWasThere) {
            assertThat(ScratchStateDir.parent()).doesNotExist();
        }
    }
}
