package io.saliencystream.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Confluent-API schema registry for integration tests: Apicurio Registry 2.4.2.Final with
 * in-memory storage, run as a child process from the jar that the {@code registry-server} module
 * builds. Each instance listens on its own free loopback port and starts empty.
 *
 * <pre>{@code
 * try (ApicurioRegistryServer registry = ApicurioRegistryServer.start()) {
 *     String url = registry.confluentApiUrl(); // http://127.0.0.1:PORT/apis/ccompat/v7
 * }
 * }</pre>
 */
public final class ApicurioRegistryServer implements AutoCloseable {

    /** System property naming the server jar; failsafe sets it (see processor/pom.xml). */
    public static final String JAR_PROPERTY = "apicurio.server.jar";
    /** Where the jar is when the property is unset and tests run from the processor module. */
    private static final Path DEFAULT_JAR = Path.of("..", "registry-server", "target", "quarkus-app", "quarkus-run.jar");
    private static final String HOST = "127.0.0.1";
    private static final String CONFLUENT_API_PATH = "/apis/ccompat/v7";
    /** Generous: the machine running the tests may be busy; the server needs about 2 s alone. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    private static final int START_ATTEMPTS = 2;
    private static final int LOG_TAIL_LINES = 40;

    private final Process process;
    private final Path logFile;
    private final int port;
    private final Thread killOnExit;
    private boolean closed;

    private ApicurioRegistryServer(Process process, Path logFile, int port) {
        this.process = process;
        this.logFile = logFile;
        this.port = port;
        // a test JVM that dies without closing must not leave a registry process behind
        this.killOnExit = new Thread(process::destroyForcibly, "apicurio-registry-kill-on-exit");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Starts the server and waits until its Confluent API answers.
     *
     * @throws IllegalStateException if the jar is missing, or the server exits or does not become
     *                               ready in time (the message holds the end of its output)
     */
    public static ApicurioRegistryServer start() {
        Path jar = serverJar();
        IllegalStateException lastFailure = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            try {
                return startOnce(jar);
            } catch (PortTakenException e) {
                lastFailure = e;
            }
        }
        throw lastFailure;
    }

    /** Base URL of the Confluent Schema Registry API, without a trailing slash. */
    public String confluentApiUrl() {
        return "http://" + HOST + ":" + port + CONFLUENT_API_PATH;
    }

    /** The loopback port the server listens on. */
    public int port() {
        return port;
    }

    /** Stops the server (gracefully, then forcibly) and waits until the process has exited. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop(process);
        } finally {
            removeShutdownHook();
            deleteQuietly(logFile);
        }
    }

    private static ApicurioRegistryServer startOnce(Path jar) {
        int port = freePort();
        Path logFile = createLogFile();
        Process process = launch(jar, port, logFile);
        try {
            awaitReady(process, port, logFile);
        } catch (RuntimeException e) {
            stop(process);
            throw e;
        }
        return new ApicurioRegistryServer(process, logFile, port);
    }

    private static Path serverJar() {
        String configured = System.getProperty(JAR_PROPERTY);
        Path jar = configured == null || configured.isBlank() ? DEFAULT_JAR : Path.of(configured);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("Apicurio Registry server jar not found at " + jar.toAbsolutePath()
                    + " (system property " + JAR_PROPERTY + "). Build it with: mvn -B -pl registry-server package");
        }
        return jar.toAbsolutePath();
    }

    private static Process launch(Path jar, int port, Path logFile) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java,
                "-Xmx256m",
                // a short-lived test server: quick start matters more than peak throughput
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Dquarkus.http.host=" + HOST,
                "-Dquarkus.http.port=" + port,
                "-jar", jar.toString());
        try {
            return new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not launch " + String.join(" ", command), e);
        }
    }

    /** Ready when the health check says UP and the Confluent API answers a read. */
    private static void awaitReady(Process process, int port, Path logFile) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI health = URI.create("http://" + HOST + ":" + port + "/health/ready");
        URI subjects = URI.create("http://" + HOST + ":" + port + CONFLUENT_API_PATH + "/subjects");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String message = "Apicurio Registry exited with code " + process.exitValue()
                        + " before becoming ready on port " + port + ". Last output:\n" + tail(logFile);
                if (output(logFile).contains("seems to be in use by another process")) {
                    throw new PortTakenException(message);
                }
                throw new IllegalStateException(message);
            }
            if (answers200(http, health) && answers200(http, subjects)) {
                return;
            }
            sleep(Duration.ofMillis(200));
        }
        throw new IllegalStateException("Apicurio Registry did not become ready on port " + port + " within "
                + START_TIMEOUT.toSeconds() + " s. Last output:\n" + tail(logFile));
    }

    private static boolean answers200(HttpClient http, URI uri) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (ConnectException e) {
            return false; // not listening yet
        } catch (IOException e) {
            return false; // listening but not answering yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Apicurio Registry", e);
        }
    }

    private static void stop(Process process) {
        process.destroy(); // SIGTERM: Quarkus shuts down cleanly in well under a second
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void removeShutdownHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down; the hook will run and find the process gone
        }
    }

    private static String tail(Path logFile) {
        List<String> lines = output(logFile).lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    }

    private static String output(Path logFile) {
        try {
            // the JVM's and Quarkus's output: decode leniently, it is only shown to people
            return new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unavailable: " + e + ")";
        }
    }

    private static Path createLogFile() {
        try {
            return Files.createTempFile("apicurio-registry-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a log file for Apicurio Registry", e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a stray temp log file is harmless
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not find a free port on " + HOST, e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Apicurio Registry", e);
        }
    }

    /** The chosen port was taken by someone else between choosing and binding it. */
    private static final class PortTakenException extends IllegalStateException {
        PortTakenException(String message) {
            super(message);
        }
    }
}
