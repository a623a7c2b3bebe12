package io.saliencystream.registry;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP server that plays a fixed script of answers, one per request, repeating the
 * last one; each answer may be delayed. Counts the requests it saw. For testing retries.
 */
final class ScriptedHttpServer implements AutoCloseable {

    record Answer(int status, String body, Duration delay) {

        static Answer of(int status, String body) {
            return new Answer(status, body, Duration.ZERO);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "scripted-http");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicInteger hits = new AtomicInteger();

    ScriptedHttpServer(List<Answer> script) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            int index = hits.getAndIncrement();
            Answer answer = script.get(Math.min(index, script.size() - 1));
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                Thread.sleep(answer.delay().toMillis());
                byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
                exchange.sendResponseHeaders(answer.status(), body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException clientWentAway) {
                // the client timed out and closed the connection: expected in timeout tests
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    int hits() {
        return hits.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
