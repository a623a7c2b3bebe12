package io.saliencystream.testing;

import io.saliencystream.registry.HttpSchemaRegistryClient;
import io.saliencystream.registry.SchemaRegistryException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A Confluent Schema Registry REST server on loopback, backed by an {@link InMemorySchemaRegistry}.
 * The embedded default and the tests talk to it through {@link HttpSchemaRegistryClient}, so the
 * same HTTP path runs everywhere. Serves:
 * <pre>
 * GET  /                                          {}
 * GET  /subjects                                  ["s1", ...]
 * POST /subjects/{s}/versions                     {"schema": "...", "schemaType": "AVRO"} -> {"id": N}
 * POST /subjects/{s}                              look a schema up -> {"subject", "version", "id", "schema"}
 * GET  /subjects/{s}/versions                     [1, 2, ...]
 * GET  /subjects/{s}/versions/{v|latest}          {"subject", "version", "id", "schema"}
 * GET  /subjects/{s}/versions/{v|latest}/schema   the schema itself
 * GET  /schemas/ids/{id}                          {"schema": "..."}
 * POST /compatibility/subjects/{s}/versions/{v|latest}  {"is_compatible": true|false}
 * </pre>
 * Errors have Confluent's shape, {@code {"error_code": 40403, "message": "Schema 7 not found"}}.
 * Compatibility is checked against the latest version whatever version is named.
 */
public final class InProcessSchemaRegistryServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final InMemorySchemaRegistry registry;
    private final HttpServer server;
    /** The Authorization header every request must carry, or null for an open registry. */
    private final String authorization;
    private final ExecutorService executor;
    private final AtomicLong requests = new AtomicLong();

    private InProcessSchemaRegistryServer(InMemorySchemaRegistry registry, SSLContext tls,
                                          boolean clientCertificates, String authorization) throws IOException {
        this.registry = registry;
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls == null) {
            this.server = HttpServer.create(loopback, 0);
        } else {
            HttpsServer https = HttpsServer.create(loopback, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls) {
                @Override
                public void configure(HttpsParameters params) {
                    SSLParameters parameters = getSSLContext().getDefaultSSLParameters();
                    parameters.setNeedClientAuth(clientCertificates);
                    params.setSSLParameters(parameters);
                }
            });
            this.server = https;
        }
        this.authorization = authorization;
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "schema-registry-http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Starts a server with an empty registry on an ephemeral loopback port. */
    public static InProcessSchemaRegistryServer start() {
        return start(new InMemorySchemaRegistry());
    }

    /** Starts a server over {@code registry} on an ephemeral loopback port. */
    public static InProcessSchemaRegistryServer start(InMemorySchemaRegistry registry) {
        return start(registry, null, null);
    }

    /**
     * Starts a server that speaks HTTPS with {@code tls} (if given) and answers 401 to requests
     * without HTTP basic auth for {@code userInfo} ({@code user:password}, if given), as a
     * registry of a managed platform does.
     */
    public static InProcessSchemaRegistryServer start(InMemorySchemaRegistry registry, SSLContext tls,
                                                      String userInfo) {
        return start(registry, tls, false, userInfo == null ? null : basicAuth(userInfo));
    }

    /**
     * Starts a server that speaks HTTPS with {@code tls}, completes the TLS handshake only with a
     * client certificate that {@code tls} trusts if {@code clientCertificates}, and answers 401 to
     * requests whose {@code Authorization} header is not {@code authorization} (if given; see
     * {@link #basicAuth} and {@link #bearerAuth}).
     */
    public static InProcessSchemaRegistryServer start(InMemorySchemaRegistry registry, SSLContext tls,
                                                      boolean clientCertificates, String authorization) {
        if (clientCertificates && tls == null) {
            throw new IllegalArgumentException("client certificates need TLS");
        }
        try {
            return new InProcessSchemaRegistryServer(registry, tls, clientCertificates, authorization);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the in-process schema registry on loopback", e);
        }
    }

    /** The {@code Authorization} header of HTTP basic auth for {@code user:password}. */
    public static String basicAuth(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    /** The {@code Authorization} header of a bearer token. */
    public static String bearerAuth(String token) {
        return "Bearer " + token;
    }

    /** Base URL of the API, e.g. {@code http://127.0.0.1:40123} ({@code https://} with TLS). */
    public String url() {
        InetSocketAddress address = server.getAddress();
        return (server instanceof HttpsServer ? "https" : "http") + "://" + address.getAddress().getHostAddress()
                + ":" + address.getPort();
    }

    public InMemorySchemaRegistry registry() {
        return registry;
    }

    /** HTTP requests served so far (tests use it to see that clients cache). */
    public long requestCount() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            Reply reply;
            try {
                if (authorization != null
                        && !authorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                    throw new SchemaRegistryException("Unauthorized", 401, 401, null);
                }
                reply = route(exchange.getRequestMethod(), segments(exchange.getRequestURI().getRawPath()),
                        exchange.getRequestBody());
            } catch (SchemaRegistryException e) {
                reply = Reply.error(e.httpStatus() == 0 ? 500 : e.httpStatus(),
                        e.errorCode() == 0 ? 50001 : e.errorCode(), e.getMessage());
            } catch (RuntimeException e) {
                reply = Reply.error(500, 50001, "Error in the backend store: " + e);
            }
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.sendResponseHeaders(reply.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private Reply route(String method, List<String> path, InputStream body) throws IOException {
        int n = path.size();
        boolean get = "GET".equals(method);
        boolean post = "POST".equals(method);
        if (n == 0 && get) {
            return Reply.ok(JSON.createObjectNode());
        }
        if (n >= 1 && path.get(0).equals("subjects")) {
            if (n == 1 && get) {
                ArrayNode subjects = JSON.createArrayNode();
                registry.subjects().stream().sorted().forEach(subjects::add);
                return Reply.ok(subjects);
            }
            String subject = n >= 2 ? path.get(1) : null;
            if (n == 2 && post) {
                return lookUp(subject, parseSchema(body));
            }
            if (n == 3 && path.get(2).equals("versions")) {
                if (post) {
                    ObjectNode answer = JSON.createObjectNode();
                    answer.put("id", registry.register(subject, parseSchema(body)));
                    return Reply.ok(answer);
                }
                if (get) {
                    int count = versionCount(subject);
                    ArrayNode versions = JSON.createArrayNode();
                    for (int v = 1; v <= count; v++) {
                        versions.add(v);
                    }
                    return Reply.ok(versions);
                }
            }
            if ((n == 4 || n == 5 && path.get(4).equals("schema")) && path.get(2).equals("versions") && get) {
                int version = version(subject, path.get(3));
                int id = registry.idOfVersion(subject, version);
                if (n == 5) {
                    return Reply.ok(JSON.readTree(registry.schemaById(id).toString()));
                }
                return Reply.ok(versionNode(subject, version, id));
            }
        }
        if (n == 3 && path.get(0).equals("schemas") && path.get(1).equals("ids") && get) {
            ObjectNode answer = JSON.createObjectNode();
            answer.put("schema", registry.schemaById(schemaId(path.get(2))).toString());
            return Reply.ok(answer);
        }
        if (n == 5 && path.get(0).equals("compatibility") && path.get(1).equals("subjects")
                && path.get(3).equals("versions") && post) {
            String subject = path.get(2);
            version(subject, path.get(4));
            ObjectNode answer = JSON.createObjectNode();
            answer.put("is_compatible", registry.isCompatible(subject, parseSchema(body)));
            return Reply.ok(answer);
        }
        return Reply.error(404, 404, "HTTP 404 Not Found: " + method + " /" + String.join("/", path));
    }

    private Reply lookUp(String subject, Schema schema) {
        versionCount(subject);
        List<Integer> ids = registry.versions(subject);
        for (int v = 1; v <= ids.size(); v++) {
            if (registry.schemaById(ids.get(v - 1)).equals(schema)) {
                return Reply.ok(versionNode(subject, v, ids.get(v - 1)));
            }
        }
        throw new SchemaRegistryException("Schema not found under subject '" + subject + "'", 404,
                InMemorySchemaRegistry.SCHEMA_NOT_FOUND, null);
    }

    private ObjectNode versionNode(String subject, int version, int id) {
        ObjectNode node = JSON.createObjectNode();
        node.put("subject", subject);
        node.put("version", version);
        node.put("id", id);
        node.put("schema", registry.schemaById(id).toString());
        return node;
    }

    /** Number of versions of {@code subject}; 40401 if it has none. */
    private int versionCount(String subject) {
        int count = registry.versions(subject).size();
        if (count == 0) {
            throw new SchemaRegistryException("Subject '" + subject + "' not found.", 404,
                    InMemorySchemaRegistry.SUBJECT_NOT_FOUND, null);
        }
        return count;
    }

    private int version(String subject, String text) {
        if (text.equals("latest") || text.equals("-1")) {
            return versionCount(subject);
        }
        try {
            int version = Integer.parseInt(text);
            if (version >= 1) {
                return version;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw new SchemaRegistryException("The specified version '" + text + "' is not a valid version id. "
                + "Allowed values are between [1, 2^31-1] and the string \"latest\"", 422, 42202, null);
    }

    private static int schemaId(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new SchemaRegistryException("Schema " + text + " not found", 404,
                    InMemorySchemaRegistry.SCHEMA_NOT_FOUND, null);
        }
    }

    private static Schema parseSchema(InputStream body) throws IOException {
        JsonNode request;
        try {
            request = JSON.readTree(body.readAllBytes());
        } catch (JsonProcessingException e) {
            throw new SchemaRegistryException("Request body is not JSON: " + e.getOriginalMessage(), 400, 400, null);
        }
        if (request == null || !request.isObject()) {
            throw new SchemaRegistryException("Invalid schema: the request body must be a JSON object with a \"schema\" string",
                    422, 42201, null);
        }
        String type = request.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(type)) {
            throw new SchemaRegistryException("Invalid schema: schemaType " + type
                    + " is not supported, only AVRO", 422, 42201, null);
        }
        if (request.path("references").size() > 0) {
            throw new SchemaRegistryException("Invalid schema: schema references are not supported", 422, 42201, null);
        }
        JsonNode text = request.get("schema");
        if (text == null || !text.isTextual()) {
            throw new SchemaRegistryException("Invalid schema: the request has no \"schema\" string", 422, 42201, null);
        }
        try {
            return new Schema.Parser().parse(text.asText());
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException("Invalid schema: " + e.getMessage(), 422, 42201, null);
        }
    }

    /** Path segments, percent-decoded one by one (a '+' in a path is a plus, not a space). */
    private static List<String> segments(String rawPath) {
        return Arrays.stream(rawPath.split("/"))
                .filter(s -> !s.isEmpty())
                .map(s -> URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8))
                .toList();
    }

    private record Reply(int status, String body) {

        static Reply ok(JsonNode json) {
            return new Reply(200, json.toString());
        }

        static Reply error(int status, int code, String message) {
            ObjectNode node = JSON.createObjectNode();
            node.put("error_code", code);
            node.put("message", message);
            return new Reply(status, node.toString());
        }
    }
}
