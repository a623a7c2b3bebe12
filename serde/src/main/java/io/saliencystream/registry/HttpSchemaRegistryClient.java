package io.saliencystream.registry;


import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.common.config.types.Password;

/**
 * A client of the Confluent Schema Registry REST API (Confluent itself, Apicurio's
 * {@code /apis/ccompat/v7}, or the in-process server of the test support) over {@code java.net.http}.
 *
 * <p>Caches both directions, so a schema is registered and an id fetched once per client.
 * Server errors (5xx) and transport failures (refused connection, timeouts) are retried a bounded
 * number of times with exponential backoff; client errors (4xx) are not, and surface as
 * {@link SchemaRegistryException} with the registry's {@code error_code} and message.
 * Thread-safe.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistry {

    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Timeouts and retry policy. */
    public record Settings(Duration connectTimeout, Duration requestTimeout, int maxAttempts,
                           Duration initialBackoff, Duration maxBackoff) {

        public Settings {
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            Objects.requireNonNull(initialBackoff, "initialBackoff");
            Objects.requireNonNull(maxBackoff, "maxBackoff");
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
            }
        }

        /** 5 s to connect, 10 s per request, 4 attempts, backoff 100 ms doubling up to 2 s. */
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(5), Duration.ofSeconds(10), 4,
                    Duration.ofMillis(100), Duration.ofSeconds(2));
        }
    }

    private final List<String> urls;
    private final Optional<Password> authorization;
    private final boolean clientCertificate;
    private final Settings settings;
    private final HttpClient http;
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    /** The URL that answered last: the next request starts there. */
    private final AtomicInteger current = new AtomicInteger();

    public HttpSchemaRegistryClient(String baseUrl) {
        this(baseUrl, Settings.defaults());
    }

    /** {@code baseUrl} is the API root, e.g. {@code http://registry:8081} or {@code http://host/apis/ccompat/v7}. */
    public HttpSchemaRegistryClient(String baseUrl, Settings settings) {
        this(RegistrySettings.of(Objects.requireNonNull(baseUrl, "baseUrl")), settings);
    }

    /** A client with Confluent's client settings: several URLs, credentials, TLS stores. */
    public HttpSchemaRegistryClient(RegistrySettings registry, Settings settings) {
        this.urls = registry.urls();
        this.authorization = registry.authorization();
        this.clientCertificate = registry.tls().flatMap(RegistrySettings.TlsStores::keystore).isPresent();
        this.settings = Objects.requireNonNull(settings, "settings");
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout());
        registry.tls().ifPresent(tls -> builder.sslContext(RegistryTls.context(tls)));
        this.http = builder.build();
    }

    /** The first URL (without credentials). */
    public String baseUrl() {
        return urls.get(0);
    }

    @Override
    public int register(String subject, Schema schema) {
        Map<Schema, Integer> ids = idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer cached = ids.get(schema);
        if (cached != null) {
            return cached;
        }
        JsonNode answer;
        try {
            answer = send("POST", "/subjects/" + pathSegment(subject) + "/versions", schemaBody(schema));
        } catch (SchemaRegistryException e) {
            return registeredMeanwhile(subject, schema, e);
        }
        JsonNode id = answer.get("id");
        if (id == null || !id.canConvertToInt()) {
            throw new SchemaRegistryException("Schema registry at " + baseUrl() + " answered registration under '"
                    + subject + "' without an id: " + answer);
        }
        ids.put(schema, id.intValue());
        schemasById.putIfAbsent(id.intValue(), schema);
        return id.intValue();
    }

    /**
     * A 409 may only mean that another client registered the same schema a moment earlier: Apicurio
     * answers two concurrent first registrations of a subject (two Kafka Streams applications of one
     * process starting together) with 409 "artifact already exists". Then the schema is there and
     * looking it up gives its id; a real incompatibility (Confluent's 409) is not found and the
     * registration's refusal stands.
     */
    private int registeredMeanwhile(String subject, Schema schema, SchemaRegistryException refusal) {
        if (refusal.httpStatus() != 409) {
            throw refusal;
        }
        try {
            return lookUp(subject, schema);
        } catch (SchemaRegistryException notThere) {
            refusal.addSuppressed(notThere);
            throw refusal;
        }
    }

    @Override
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        Schema schema = parseSchema(send("GET", "/schemas/ids/" + id, null), id);
        Schema raced = schemasById.putIfAbsent(id, schema);
        return raced != null ? raced : schema;
    }

    @Override
    public int lookUp(String subject, Schema schema) {
        Map<Schema, Integer> ids = idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer cached = ids.get(schema);
        if (cached != null) {
            return cached;
        }
        int id = versionId(send("POST", "/subjects/" + pathSegment(subject), schemaBody(schema)), subject);
        ids.put(schema, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public Registered latest(String subject) {
        JsonNode answer = send("GET", "/subjects/" + pathSegment(subject) + "/versions/latest", null);
        int id = versionId(answer, subject);
        Schema schema = schemasById.get(id);
        if (schema == null) {
            schema = parseSchema(answer, id);
            schemasById.putIfAbsent(id, schema);
        }
        return new Registered(id, schema);
    }

    private int versionId(JsonNode answer, String subject) {
        JsonNode id = answer.get("id");
        if (id == null || !id.canConvertToInt()) {
            throw new SchemaRegistryException("Schema registry at " + baseUrl() + " answered about subject '"
                    + subject + "' without an id: " + answer);
        }
        return id.intValue();
    }

    /**
     * Lists the subjects once, so that a wrong URL, credential or certificate is found at start-up
     * rather than at the first record.
     */
    public void checkAccess() {
        send("GET", "/subjects", null);
    }

    /**
     * Whether {@code schema} may be registered under {@code subject} by the subject's compatibility
     * rules, checked against its latest version (not cached: the latest version moves).
     * A subject with no versions yet accepts anything.
     */
    public boolean isCompatible(String subject, Schema schema) {
        JsonNode answer;
        try {
            answer = send("POST", "/compatibility/subjects/" + pathSegment(subject) + "/versions/latest",
                    schemaBody(schema));
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == 40401 || e.errorCode() == 40402) {
                return true;
            }
            throw e;
        }
        JsonNode verdict = answer.get("is_compatible");
        if (verdict == null || !verdict.isBoolean()) {
            throw new SchemaRegistryException("Schema registry at " + baseUrl()
                    + " answered a compatibility check without is_compatible: " + answer);
        }
        return verdict.booleanValue();
    }

    private Schema parseSchema(JsonNode answer, int id) {
        String type = answer.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(type)) {
            throw new SchemaRegistryException("Schema " + id + " at " + baseUrl() + " is " + type + ", not Avro");
        }
        JsonNode text = answer.get("schema");
        if (text == null || !text.isTextual()) {
            throw new SchemaRegistryException("Schema registry at " + baseUrl() + " answered schema " + id
                    + " without a schema: " + answer);
        }
        try {
            return new Schema.Parser().parse(text.asText());
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException("Schema " + id + " from " + baseUrl() + " is not valid Avro: "
                    + e.getMessage(), 0, 0, e);
        }
    }

    private static String schemaBody(Schema schema) {
        ObjectNode body = JSON.createObjectNode();
        body.put("schema", schema.toString());
        body.put("schemaType", "AVRO");
        return body.toString();
    }

    /** Percent-encodes one path segment ({@link URLEncoder} is for forms: it writes spaces as '+'). */
    static String pathSegment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * One request, retried on transport failures and server errors; each retry goes to the next
     * URL, so with several URLs a dead one costs one attempt (and a pause only once all were tried).
     */
    private JsonNode send(String method, String path, String body) {
        String what = method + " " + (urls.size() == 1 ? urls.get(0) + path : path + " on " + urls);
        String lastFailure = null;
        Throwable lastCause = null;
        int lastStatus = 0;
        int lastErrorCode = 0;
        int attempts = Math.max(settings.maxAttempts(), urls.size());
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (attempt > 1 && (attempt - 1) % urls.size() == 0) {
                pause((attempt - 1) / urls.size() + 1, what);
            }
            int index = current.get() % urls.size();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(urls.get(index) + path))
                    .timeout(settings.requestTimeout())
                    .header("Accept", CONTENT_TYPE + ", application/json");
            authorization.ifPresent(value -> request.header("Authorization", value.value()));
            if (body == null) {
                request.GET();
            } else {
                request.header("Content-Type", CONTENT_TYPE).POST(HttpRequest.BodyPublishers.ofString(body));
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                lastFailure = describe(e) + tlsHint(e, urls.get(index));
                lastCause = e;
                lastStatus = 0;
                lastErrorCode = 0;
                current.compareAndSet(index, index + 1);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("Interrupted during " + what, 0, 0, e);
            }
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return parse(response.body(), what);
            }
            RegistryError error = RegistryError.of(status, response.body());
            if (status < 500) {
                throw new SchemaRegistryException("Schema registry refused " + what + ": HTTP " + status
                        + error.describe() + credentialsHint(status), status, error.code(), null);
            }
            lastFailure = "HTTP " + status + error.describe();
            current.compareAndSet(index, index + 1);
            lastCause = null;
            lastStatus = status;
            lastErrorCode = error.code();
        }
        String prefix = lastStatus == 0 ? "Cannot reach schema registry: " : "Schema registry failed: ";
        throw new SchemaRegistryException(prefix + what + " gave up after " + attempts
                + " attempt(s); last failure: " + lastFailure, lastStatus, lastErrorCode, lastCause);
    }

    /** What to check when the registry refuses our credentials (401) or their rights (403). */
    private String credentialsHint(int status) {
        if (status != 401 && status != 403) {
            return "";
        }
        String given = authorization.map(a -> a.value().startsWith("Bearer ") ? RegistrySettings.BEARER_AUTH_TOKEN
                : RegistrySettings.BASIC_AUTH_USER_INFO + " (or the user info in " + RegistrySettings.URL + ")")
                .orElse(null);
        if (status == 403) {
            return "; the credentials were accepted but lack the right: ask for it or check " + given;
        }
        return given == null
                ? "; the registry requires credentials: set " + RegistrySettings.BASIC_AUTH_USER_INFO + " or "
                        + RegistrySettings.BEARER_AUTH_TOKEN
                : "; check " + given;
    }

    /**
     * A registry that requires a client certificate and gets none, or one it does not trust,
     * ends the TLS connection: under TLS 1.3 after the handshake, so java.net.http sees the
     * connection closed before any answer rather than the server's alert.
     */
    private String tlsHint(IOException e, String url) {
        if (!url.startsWith("https:")) {
            return "";
        }
        boolean closedOrRefused = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            closedOrRefused |= t instanceof java.io.EOFException || message.contains("received no bytes")
                    || t instanceof javax.net.ssl.SSLException && !message.contains("certification path");
        }
        if (!closedOrRefused) {
            return "";
        }
        return clientCertificate
                ? " (the registry ended the TLS connection: it may not trust the client certificate in "
                        + RegistrySettings.KEYSTORE_LOCATION + ")"
                : " (the registry ended the TLS connection: if it requires a client certificate, set "
                        + RegistrySettings.KEYSTORE_LOCATION + ")";
    }

    /** java.net.http leaves some messages empty (a refused connection is a chain of bare ConnectExceptions). */
    private static String describe(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return e.getClass().getSimpleName() + ": " + t.getMessage();
            }
        }
        return e.getClass().getSimpleName() + " (connection refused or reset)";
    }

    private void pause(int attempt, String what) {
        long initial = settings.initialBackoff().toMillis();
        long millis = Math.min(settings.maxBackoff().toMillis(), initial << Math.min(attempt - 2, 20));
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("Interrupted while retrying " + what, 0, 0, e);
        }
    }

    private static JsonNode parse(String body, String what) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new SchemaRegistryException("Schema registry answered " + what + " with invalid JSON: "
                    + RegistryError.excerpt(body), 0, 0, e);
        }
    }

    /** The Confluent error body {@code {"error_code": 40403, "message": "..."}}, or whatever came instead. */
    private record RegistryError(int code, String message) {

        static RegistryError of(int status, String body) {
            try {
                JsonNode node = JSON.readTree(body);
                if (node != null && node.has("error_code")) {
                    return new RegistryError(node.path("error_code").asInt(), node.path("message").asText(""));
                }
            } catch (JsonProcessingException notJson) {
                // fall through: show the raw body
            }
            return new RegistryError(0, excerpt(body));
        }

        String describe() {
            String codePart = code == 0 ? "" : " error_code " + code;
            String messagePart = message.isEmpty() ? "" : ": " + message;
            return codePart.isEmpty() && messagePart.isEmpty() ? "" : " (" + (codePart + messagePart).strip() + ")";
        }

        static String excerpt(String body) {
            String oneLine = body == null ? "" : body.strip().replaceAll("\\s+", " ");
            return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
        }
    }
}
