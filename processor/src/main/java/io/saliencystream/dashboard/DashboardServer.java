package io.saliencystream.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.saliencystream.app.audit.AuditVerdict;
import io.saliencystream.schema.ExplanationAudit;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The page and its JSON API on the JDK's HTTP server. The page is static (HTML, one script, one
 * stylesheet, served from the jar); everything from records reaches it as JSON and is put into
 * the page as text, never as markup. The content security policy allows scripts from this origin
 * only, so even a mistake there could not run a script a record carried.
 */
final class DashboardServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ASSETS = "/io/saliencystream/dashboard/";
    private static final Map<String, String> STATIC = Map.of(
            "/", "index.html", "/assets/app.js", "app.js", "/assets/style.css", "style.css", "/assets/icon.svg", "icon.svg");
    /** Header the page sends with a verification: a cross-site form cannot, so other sites cannot start one. */
    static final String VERIFY_HEADER = "X-Saliency-Stream";
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final HttpServer server;
    private final ExecutorService executor;
    private final DashboardState state;
    private final OverlayFetcher overlays;
    private final AuditLookup audits;

    DashboardServer(InetSocketAddress address, DashboardState state, OverlayFetcher overlays, AuditLookup audits)
            throws IOException {
        this.state = state;
        this.overlays = overlays;
        this.audits = audits;
        this.server = HttpServer.create(address, 0);
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "saliency-stream-dashboard-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                route(exchange);
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                // the server is closing and interrupted a fetch: nothing to report
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warn("Dashboard request {} failed: {}", exchange.getRequestURI().getPath(), e.toString());
                json(exchange, 500, Map.of("error", String.valueOf(e.getMessage())));
            }
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        {
            Headers h = exchange.getResponseHeaders();
            h.set("Content-Security-Policy", CSP);
            h.set("X-Content-Type-Options", "nosniff");
            h.set("Referrer-Policy", "no-referrer");
            h.set("Cache-Control", "no-store");
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/api/verify")) {
                if (!method.equals("POST")) {
                    send(exchange, 405, "text/plain", "POST only".getBytes(StandardCharsets.UTF_8));
                } else if (exchange.getRequestHeaders().getFirst(VERIFY_HEADER) == null) {
                    send(exchange, 403, "text/plain", ("missing header " + VERIFY_HEADER).getBytes(StandardCharsets.UTF_8));
                } else {
                    verify(exchange);
                }
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                send(exchange, 405, "text/plain", "GET only".getBytes(StandardCharsets.UTF_8));
                return;
            }
            Map<String, String> q = query(exchange.getRequestURI());
            switch (path) {
                case "/api/version" -> json(exchange, 200, Map.of("version", state.version()));
                case "/api/overview" -> json(exchange, 200, state.overview(Instant.now()));
                case "/api/gallery" -> json(exchange, 200, state.gallery(new DashboardState.GalleryFilter(
                        q.get("model"), q.get("version"), q.get("class"), q.get("reason"), q.get("method"),
                        q.get("bucket")), limit(q.get("limit"))));
                case "/api/event" -> found(exchange, state.event(q.getOrDefault("id", "")), "no event ");
                case "/api/drift" -> json(exchange, 200, state.driftList());
                case "/api/drift/series" -> found(exchange, state.driftSeries(q.getOrDefault("key", "")), "no series ");
                case "/api/audit" -> audit(exchange, q.getOrDefault("id", ""));
                case "/overlay" -> overlay(exchange, q.getOrDefault("id", ""));
                default -> asset(exchange, path);
            }
        }
    }

    private void found(HttpExchange exchange, Optional<Map<String, Object>> view, String missing) throws IOException {
        if (view.isPresent()) {
            json(exchange, 200, view.get());
        } else {
            json(exchange, 404, Map.of("error", missing + "held by the dashboard"));
        }
    }

    private void audit(HttpExchange exchange, String id) throws IOException {
        if (id.isBlank()) {
            json(exchange, 400, Map.of("error", "give an event id"));
            return;
        }
        Optional<ExplanationAudit> audit = audits.find(id);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("eventId", id);
        out.put("audit", audit.map(RecordJson::of).orElse(null));
        out.put("canVerify", audits.canVerify());
        json(exchange, audit.isPresent() ? 200 : 404, out);
    }

    private void verify(HttpExchange exchange) throws IOException {
        String id = query(exchange.getRequestURI()).getOrDefault("id", "");
        if (!audits.canVerify()) {
            json(exchange, 409, Map.of("error", "this dashboard was started without a model catalog to verify with"));
            return;
        }
        Optional<ExplanationAudit> audit = audits.find(id);
        if (audit.isEmpty()) {
            json(exchange, 404, Map.of("error", "no audit record for this event id"));
            return;
        }
        long start = System.nanoTime();
        AuditVerdict verdict = audits.verify(audit.get());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("eventId", verdict.eventId());
        out.put("match", verdict.match());
        out.put("verdict", verdict.match() ? "MATCH" : "MISMATCH");
        out.put("reason", verdict.reason());
        out.put("line", verdict.line());
        out.put("seconds", (System.nanoTime() - start) / 1e9);
        json(exchange, 200, out);
    }

    private void overlay(HttpExchange exchange, String id) throws IOException {
        Optional<byte[]> png = overlays.png(id);
        if (png.isEmpty()) {
            send(exchange, 404, "text/plain", "no overlay held for this event".getBytes(StandardCharsets.UTF_8));
        } else {
            exchange.getResponseHeaders().set("Cache-Control", "private, max-age=3600");
            send(exchange, 200, "image/png", png.get());
        }
    }

    private void asset(HttpExchange exchange, String path) throws IOException {
        String name = STATIC.get(path);
        if (name == null) {
            send(exchange, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
            return;
        }
        try (InputStream in = DashboardServer.class.getResourceAsStream(ASSETS + name)) {
            if (in == null) {
                throw new IllegalStateException("asset " + name + " missing from the jar");
            }
            String type = name.endsWith(".js") ? "text/javascript" : name.endsWith(".css") ? "text/css"
                    : name.endsWith(".svg") ? "image/svg+xml" : "text/html";
            send(exchange, 200, type + "; charset=utf-8", in.readAllBytes());
        }
    }

    private static int limit(String value) {
        try {
            return value == null ? 60 : Math.max(1, Math.min(500, Integer.parseInt(value)));
        } catch (NumberFormatException e) {
            return 60;
        }
    }

    private static void json(HttpExchange exchange, int status, Object body) throws IOException {
        send(exchange, status, "application/json; charset=utf-8", JSON.writeValueAsBytes(body));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    static Map<String, String> query(URI uri) {
        Map<String, String> out = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        Function<String, String> decode = s -> URLDecoder.decode(s, StandardCharsets.UTF_8);
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode.apply(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode.apply(pair.substring(eq + 1));
            if (!value.isEmpty()) {
                out.put(key, value);
            }
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
