package io.saliencystream.app.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KafkaStreams;

/**
 * {@code run}'s operations endpoints on one port: {@code /health/live} (200 while the process
 * serves), {@code /health/ready} (200 only while every Kafka Streams application of the role is
 * RUNNING, else 503 with the reason) and {@code /metrics} (Prometheus text: Kafka Streams' metrics
 * with the processing counters, and {@link io.saliencystream.stream.StreamMetrics}).
 *
 * <p>It serves from the start of {@code run}, before the models load and warm up (seconds to
 * minutes), so that an orchestrator's liveness probe passes while readiness says what start-up
 * is doing ({@link #starting}); {@link #serve} hands it the applications once they exist.
 */
public final class OpsServer implements AutoCloseable {

    private final HttpServer server;
    private final PrometheusMeterRegistry prometheus;
    private final Map<String, KafkaStreamsMetrics> bound = new LinkedHashMap<>();
    private final ScheduledExecutorService binder;
    /** Empty until {@link #serve}: start-up has not built the applications yet. */
    private volatile Map<String, KafkaStreams> applications = Map.of();
    private volatile String phase = "starting";
    /** Whether every application has been RUNNING at once: not ready before that is still start-up. */
    private volatile boolean wasReady;

    private OpsServer(HttpServer server, PrometheusMeterRegistry prometheus) {
        this.server = server;
        this.prometheus = prometheus;
        this.binder = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "saliency-stream-ops-metrics");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Serves on {@code port} (0: any free port), not ready ("starting") until {@link #serve}. */
    public static OpsServer start(int port) {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Metrics.addRegistry(prometheus);
        new JvmMemoryMetrics().bindTo(prometheus);
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the ops endpoints on port " + port + " (ops.port): "
                    + e.getMessage(), e);
        }
        OpsServer ops = new OpsServer(http, prometheus);
        http.createContext("/health/live", exchange -> reply(exchange, 200, "text/plain", "live\n"));
        http.createContext("/health/ready", ops::ready);
        http.createContext("/metrics", exchange -> reply(exchange, 200,
                "text/plain; version=0.0.4; charset=utf-8", prometheus.scrape()));
        http.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "saliency-stream-ops-http");
            thread.setDaemon(true);
            return thread;
        }));
        http.start();
        return ops;
    }

    /** What start-up is doing, the reason readiness gives until {@link #serve} ("loading models", ...). */
    public void starting(String phase) {
        this.phase = phase;
    }

    /**
     * From now on readiness follows {@code applications}, keyed by application id. Kafka Streams
     * registers most of its metrics when tasks are assigned, so each application's metrics are
     * bound once it first runs.
     */
    public void serve(Map<String, KafkaStreams> applications) {
        phase = "starting streams";
        this.applications = Collections.unmodifiableMap(new LinkedHashMap<>(applications));
        binder.scheduleWithFixedDelay(this::bindRunning, 0, 1, TimeUnit.SECONDS);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private synchronized void bindRunning() {
        boolean allRunning = true;
        for (Map.Entry<String, KafkaStreams> e : applications.entrySet()) {
            boolean running = e.getValue().state() == KafkaStreams.State.RUNNING;
            if (!bound.containsKey(e.getKey()) && running) {
                KafkaStreamsMetrics metrics = new KafkaStreamsMetrics(e.getValue(), Tags.of("application", e.getKey()));
                metrics.bindTo(prometheus);
                bound.put(e.getKey(), metrics);
            }
            allRunning &= running;
        }
        if (allRunning) {
            wasReady = true;
        }
        if (wasReady && bound.size() == applications.size()) {
            binder.shutdown();
        }
    }

    /**
     * {@code ready} and each application's state; else {@code not ready: <reason>}: the start-up
     * phase, {@code starting streams} until every application has run, then {@code an application
     * is not running} (its state below says which).
     */
    private void ready(HttpExchange exchange) throws IOException {
        Map<String, KafkaStreams> apps = applications;
        Map<String, KafkaStreams.State> states = new LinkedHashMap<>();
        apps.forEach((id, app) -> states.put(id, app.state()));
        boolean ready = !apps.isEmpty() && states.values().stream().allMatch(s -> s == KafkaStreams.State.RUNNING);
        if (ready) {
            wasReady = true;
        }
        String head = ready ? "ready\n" : "not ready: " + (apps.isEmpty() || !wasReady ? phase
                : "an application is not running") + "\n";
        String body = states.entrySet().stream().map(e -> e.getKey() + " " + e.getValue() + "\n")
                .collect(Collectors.joining("", head, ""));
        reply(exchange, ready ? 200 : 503, "text/plain", body);
    }

    private static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public synchronized void close() {
        binder.shutdownNow();
        server.stop(0);
        bound.values().forEach(KafkaStreamsMetrics::close);
        Metrics.removeRegistry(prometheus);
        prometheus.close();
    }
}
