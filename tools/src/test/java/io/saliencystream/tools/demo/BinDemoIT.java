package io.saliencystream.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The README's first command as a user types it: {@code ./bin/demo --events 20 --out DIR}, the script
 * started as a process from the repository root. Its build step is the one thing left out: a stand-in
 * {@code mvn} first on the PATH records the arguments the script passes (the real build is the one
 * that made the jar this test runs), so the script's argument handling, its jar path and the demo's
 * defaults (the drift scenario of the README, the bad inputs, the files it lists) are all as shipped.
 */
@Tag("integration")
class BinDemoIT {

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path work;

    @Test
    void theReadmesDemoCommandWritesTheFilesItPromises() throws Exception {
        Path stubs = Files.createDirectory(work.resolve("bin"));
        Path mvnArgs = work.resolve("mvn-args.txt");
        Path mvn = stubs.resolve("mvn");
        Files.writeString(mvn, "#!/bin/sh\necho \"$@\" > '" + mvnArgs + "'\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path out = work.resolve("run1");
        Path log = work.resolve("demo.log");

        ProcessBuilder builder = new ProcessBuilder("./bin/demo", "--events", "20", "--out", out.toString())
                .directory(REPOSITORY.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        String javaBin = Path.of(System.getProperty("java.home"), "bin").toString();
        builder.environment().put("PATH", stubs + File.pathSeparator + javaBin + File.pathSeparator
                + System.getenv("PATH"));
        Process demo = builder.start();
        // the demo gives up by itself after its --timeout (10 minutes by default)
        boolean ended = demo.waitFor(14, TimeUnit.MINUTES);
        if (!ended) {
            demo.destroyForcibly();
        }
        String printed = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(ended).as("bin/demo ended within 14 minutes; it printed:%n%s", printed).isTrue();
        assertThat(demo.exitValue()).as("exit code; it printed:%n%s", printed).isZero();

        assertThat(Files.readString(mvnArgs).trim()).isEqualTo("-B -q -pl tools -am package -DskipTests");
        assertThat(printed).contains("building").containsPattern("dashboard http://localhost:\\d+/");
        // its Kafka Streams state lives in a folder of its own, not under the OS temp directory Kafka Streams warns about
        assertThat(printed).doesNotContain("OS temp directory in the state.dir");

        // the files the README's table promises, in the folder given by --out
        List<String> summaries = Files.readAllLines(out.resolve("summaries.jsonl"));
        assertThat(summaries).isNotEmpty();
        try (var overlays = Files.list(out.resolve("overlays"))) {
            assertThat(overlays.count()).isEqualTo(summaries.size());
        }
        assertThat(Files.readAllLines(out.resolve("audit.jsonl"))).hasSameSizeAs(summaries);
        assertThat(Files.readAllLines(out.resolve("dead-letters.jsonl"))).isNotEmpty()
                .allSatisfy(line -> assertThat(line).contains("\"reason\""));
        assertThat(out.resolve("catalog.json")).isRegularFile();
        assertThat(out.resolve("drift.jsonl")).isRegularFile();
        assertThat(out.resolve("drift-shapes-v1-circle.png")).isRegularFile();
        // the README's drift story: the stamped windows open an alert for "circle" after the switch
        String report = Files.readString(out.resolve("report.txt"));
        assertThat(report).contains("ALERT OPEN shapes:v1 \"circle\"");
        assertThat(printed).as("the report is also printed").contains(report.lines().filter(l -> l.contains("ALERT OPEN"))
                .findFirst().orElseThrow());
        assertThat(Files.readAllLines(out.resolve("alerts.jsonl"))).isNotEmpty();
    }
}
