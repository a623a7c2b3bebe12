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
 * RUNNING; the explanation stage's models are loaded before any application starts and this
 * server only starts after them, so ready also means the models are loaded; the select role
 * loads none) and {@code /metrics} (Prometheus text:
 * Kafka Streams' metrics with the processing counters, and {@link io.saliencystream.stream.StreamMetrics}).
 */
public final class OpsServer implements AutoCloseable {

    private final HttpServer server;
    private final PrometheusMeterRegistry prometheus;
    private final Map<String, KafkaStreams> applications;
    private final Map<String, KafkaStreamsMetrics> bound = new LinkedHashMap<>();
    private final ScheduledExecutorService binder;

    private OpsServer(HttpServer server, PrometheusMeterRegistry prometheus, Map<String, KafkaStreams> applications) {
        this.server = server;
        this.prometheus = prometheus;
        this.applications = applications;
        this.binder = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "saliency-stream-ops-metrics");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Serves on {@code port} (0: any free port) for {@code applications}, keyed by application id.
     * Kafka Streams registers most of its metrics when tasks are assigned, so each application's
     * metrics are bound once it first runs.
     */
    public static OpsServer start(int port, Map<String, KafkaStreams> applications) {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Metrics.addRegistry(prometheus);
        new JvmMemoryMetrics().bindTo(prometheus);
        Map<String, KafkaStreams> apps = new LinkedHashMap<>(applications);
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the ops endpoints on port " + port + " (ops.port): "
                    + e.getMessage(), e);
        }
        OpsServer ops = new OpsServer(http, prometheus, apps);
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
        ops.binder.scheduleWithFixedDelay(ops::bindRunning, 0, 1, TimeUnit.SECONDS);
        return ops;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private synchronized void bindRunning() {
        applications.forEach((id, app) -> {
            if (!bound.containsKey(id) && app.state() == KafkaStreams.State.RUNNING) {
                KafkaStreamsMetrics metrics = new KafkaStreamsMetrics(app, Tags.of("application", id));
                metrics.bindTo(prometheus);
                bound.put(id, metrics);
            }
        });
        if (bound.size() == applications.size()) {
            binder.shutdown();
        }
    }

    private void ready(HttpExchange exchange) throws IOException {
        Map<String, KafkaStreams.State> states = new LinkedHashMap<>();
        applications.forEach((id, app) -> states.put(id, app.state()));
        boolean ready = states.values().stream().allMatch(s -> s == KafkaStreams.State.RUNNING);
        String body = states.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining("\n", ready ? "ready\n" : "not ready\n", "\n"));
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
