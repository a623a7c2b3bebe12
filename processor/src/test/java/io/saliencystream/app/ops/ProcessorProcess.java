package io.saliencystream.app.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The shipped jar's {@code run} as a separate process, the way the Docker image starts it:
 * {@code java -jar saliency-stream.jar run -c <file>}, its output in a log file.
 */
final class ProcessorProcess implements AutoCloseable {

    /** Built by the package phase, before failsafe's integration-test phase. */
    static final Path JAR = Path.of("target/saliency-stream.jar").toAbsolutePath();
    static final String STARTED = "processor started:";
    /** Start-up (JVM, model load, topic checks) took up to 170 s on a 2-core machine shared by a dozen builds. */
    static final Duration STARTUP = Duration.ofMinutes(4);
    /** Where the processes' logs are kept for a look after a failure. */
    static final Path LOGS = Path.of("target/ops-logs").toAbsolutePath();

    private final Process process;
    private final Path log;

    private ProcessorProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code run -c config} with the documented 1 GiB heap, output to {@code <LOGS>/<name>.log}. */
    static ProcessorProcess start(Path config, String name) {
        return start(name, "run", "-c", config.toString());
    }

    static ProcessorProcess start(String name, String... args) {
        Path log = LOGS.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Djava.awt.headless=true", "-jar", JAR.toString()));
        command.addAll(List.of(args));
        try {
            Files.createDirectories(LOGS);
            Files.deleteIfExists(log);
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new ProcessorProcess(process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** {@link #start(Path, String)}, then waits (at most {@link #STARTUP}) until both applications have started. */
    static ProcessorProcess started(Path config, String name) throws InterruptedException {
        return start(config, name).awaitLog(STARTED, STARTUP);
    }

    /** Runs the jar to its end and returns its exit status; output in {@code <LOGS>/<name>.log}. */
    static int runToEnd(String name, Duration timeout, String... args) throws InterruptedException {
        try (ProcessorProcess p = start(name, args)) {
            if (!p.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("still running after " + timeout + ":\n" + p.log());
            }
            return p.process.exitValue();
        }
    }

    /** Waits until the log shows {@code text}; fails early if the process ends first. */
    ProcessorProcess awaitLog(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!log().contains(text)) {
            if (!process.isAlive()) {
                throw new AssertionError("processor exited with " + process.exitValue() + " before logging '"
                        + text + "':\n" + log());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("processor did not log '" + text + "' within " + timeout + ":\n" + log());
            }
            Thread.sleep(100);
        }
        return this;
    }

    /** SIGTERM, then waits for the exit; returns the exit status. */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return awaitExit(timeout);
    }

    /** Waits for the process to end on its own; returns the exit status. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("processor did not exit within " + timeout + ":\n" + log());
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no close, open transactions left to the broker. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Resident set size in MiB, from /proc (Linux). */
    long rssMib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + process.pid() + "/status");
    }

    /** Java heap {used, committed} in MiB, as {@code jcmd <pid> GC.heap_info} reports it. */
    long[] heapMib() throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()), "GC.heap_info").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("total (\\d+)K, used (\\d+)K").matcher(out);
        if (!m.find()) {
            throw new IOException("cannot read the heap from jcmd: " + out);
        }
        return new long[] {Long.parseLong(m.group(2)) / 1024, Long.parseLong(m.group(1)) / 1024};
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
    }
}
