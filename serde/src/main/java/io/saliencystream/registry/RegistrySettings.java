package io.saliencystream.registry;

import io.saliencystream.serde.SerdeSettings;
import io.saliencystream.serde.SubjectNameStrategy;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The schema registry client's settings, under the names Confluent's serializers use, so that an
 * existing client configuration works unchanged. {@link #DEFINITION} defines every key once.
 *
 * @param urls              registry API roots, tried in turn; user info is removed (see {@code URL} credentials)
 * @param authorization     the {@code Authorization} header value, if any (never logged)
 * @param tls               trust and key stores for {@code https} registries, if given
 * @param serde             how serializers use the registry
 */
public record RegistrySettings(
        List<String> urls,
        Optional<Password> authorization,
        Optional<TlsStores> tls,
        SerdeSettings serde) {

    public static final String URL = "schema.registry.url";
    public static final String BASIC_AUTH_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String BEARER_AUTH_SOURCE = "bearer.auth.credentials.source";
    public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";
    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    public static final String KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    public static final String KEY_PASSWORD = "schema.registry.ssl.key.password";
    public static final String AUTO_REGISTER = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String KEY_STRATEGY = "key.subject.name.strategy";
    public static final String VALUE_STRATEGY = "value.subject.name.strategy";

    /** Trust and key stores for TLS to the registry; a key store only for client certificates. */
    public record TlsStores(Optional<String> truststore, Optional<Password> truststorePassword, String truststoreType,
                            Optional<String> keystore, Optional<Password> keystorePassword, String keystoreType,
                            Optional<Password> keyPassword) {
    }

    private static final ConfigDef.Validator STRATEGY = (name, value) -> {
        if (value != null) {
            SubjectNameStrategy.parse(name, value.toString());
        }
    };

    /** Every registry client key: name, type, default, validator and documentation. */
    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(URL, Type.LIST, null, Importance.HIGH,
                    "Confluent-API schema registry (Confluent, Apicurio `/apis/ccompat/v7`, ...); several URLs "
                            + "comma-separated are tried in turn. Required by `run`.")
            .define(BASIC_AUTH_SOURCE, Type.STRING, "URL",
                    ConfigDef.CaseInsensitiveValidString.in("URL", "USER_INFO"), Importance.MEDIUM,
                    "where basic-auth credentials come from: `USER_INFO` (`" + BASIC_AUTH_USER_INFO + "`) or `URL` "
                            + "(`https://user:password@host`)")
            .define(BASIC_AUTH_USER_INFO, Type.PASSWORD, null, Importance.MEDIUM,
                    "`user:password` for the registry, with `" + BASIC_AUTH_SOURCE + "=USER_INFO` (secret)")
            .define(BEARER_AUTH_SOURCE, Type.STRING, "STATIC_TOKEN",
                    ConfigDef.CaseInsensitiveValidString.in("STATIC_TOKEN"), Importance.LOW,
                    "where the bearer token comes from: `STATIC_TOKEN` (`" + BEARER_AUTH_TOKEN + "`)")
            .define(BEARER_AUTH_TOKEN, Type.PASSWORD, null, Importance.MEDIUM,
                    "bearer token sent to the registry instead of basic auth (secret)")
            .define(TRUSTSTORE_LOCATION, Type.STRING, null, Importance.MEDIUM,
                    "trust store for an `https` registry (default: the JVM's trusted CAs)")
            .define(TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, "its password (secret)")
            .define(TRUSTSTORE_TYPE, Type.STRING, "JKS", ConfigDef.CaseInsensitiveValidString.in("JKS", "PKCS12"),
                    Importance.LOW, "its type")
            .define(KEYSTORE_LOCATION, Type.STRING, null, Importance.LOW,
                    "key store with a client certificate, for registries that require one")
            .define(KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.LOW, "its password (secret)")
            .define(KEYSTORE_TYPE, Type.STRING, "JKS", ConfigDef.CaseInsensitiveValidString.in("JKS", "PKCS12"),
                    Importance.LOW, "its type")
            .define(KEY_PASSWORD, Type.PASSWORD, null, Importance.LOW,
                    "password of the key in the key store, if not the store's (secret)")
            .define(AUTO_REGISTER, Type.BOOLEAN, true, Importance.MEDIUM,
                    "register the schemas of written records; `false` looks their ids up instead (schemas "
                            + "registered ahead by the platform team)")
            .define(USE_LATEST_VERSION, Type.BOOLEAN, false, Importance.LOW,
                    "write records with the subject's latest schema (with `" + AUTO_REGISTER + "=false`)")
            .define(KEY_STRATEGY, Type.STRING, SubjectNameStrategy.TOPIC.confluentName(), STRATEGY, Importance.LOW,
                    "subject names of Avro keys: `TopicNameStrategy`, `RecordNameStrategy`, "
                            + "`TopicRecordNameStrategy` (or Confluent's class names)")
            .define(VALUE_STRATEGY, Type.STRING, SubjectNameStrategy.TOPIC.confluentName(), STRATEGY, Importance.LOW,
                    "subject names of values, as `" + KEY_STRATEGY + "`");

    public RegistrySettings {
        urls = List.copyOf(urls);
        if (urls.isEmpty()) {
            throw new ConfigException(URL, "", "at least one URL is required");
        }
    }

    /** Settings for one plain registry URL, everything else by default. */
    public static RegistrySettings of(String url) {
        return parse(Map.of(URL, url));
    }

    /** Parses and validates {@code values} (keys of {@link #DEFINITION}; others are ignored). */
    public static RegistrySettings parse(Map<String, ?> values) {
        Map<String, Object> v = DEFINITION.parse(values);
        @SuppressWarnings("unchecked")
        List<String> given = (List<String>) v.get(URL);
        if (given == null || given.isEmpty()) {
            throw new ConfigException("Missing setting '" + URL + "': the schema registry's URL");
        }
        List<String> urls = new ArrayList<>();
        String urlUserInfo = null;
        for (String url : given) {
            URI uri = URI.create(url.strip());
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new ConfigException(URL, redact(url), "must be an http or https URL");
            }
            if (uri.getRawUserInfo() != null) {
                urlUserInfo = java.net.URLDecoder.decode(uri.getRawUserInfo(), StandardCharsets.UTF_8);
            }
            urls.add(withoutUserInfo(uri));
        }
        Password userInfo = (Password) v.get(BASIC_AUTH_USER_INFO);
        Password bearer = (Password) v.get(BEARER_AUTH_TOKEN);
        String source = v.get(BASIC_AUTH_SOURCE).toString().toUpperCase(java.util.Locale.ROOT);
        String basic = "USER_INFO".equals(source) ? (userInfo == null ? null : userInfo.value()) : urlUserInfo;
        if ("USER_INFO".equals(source) && basic == null) {
            throw new ConfigException(BASIC_AUTH_USER_INFO, null,
                    "required with " + BASIC_AUTH_SOURCE + "=USER_INFO (user:password)");
        }
        if (basic != null && bearer != null) {
            throw new ConfigException(BEARER_AUTH_TOKEN, bearer,
                    "set either basic auth or a bearer token, not both");
        }
        Optional<Password> authorization = Optional.empty();
        if (bearer != null) {
            authorization = Optional.of(new Password("Bearer " + bearer.value()));
        } else if (basic != null) {
            if (!basic.contains(":")) {
                throw new ConfigException(BASIC_AUTH_USER_INFO, new Password(basic), "must be user:password");
            }
            authorization = Optional.of(new Password("Basic "
                    + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8))));
        }
        Optional<TlsStores> tls = Optional.empty();
        if (v.get(TRUSTSTORE_LOCATION) != null || v.get(KEYSTORE_LOCATION) != null) {
            tls = Optional.of(new TlsStores(
                    Optional.ofNullable((String) v.get(TRUSTSTORE_LOCATION)),
                    Optional.ofNullable((Password) v.get(TRUSTSTORE_PASSWORD)),
                    v.get(TRUSTSTORE_TYPE).toString().toUpperCase(java.util.Locale.ROOT),
                    Optional.ofNullable((String) v.get(KEYSTORE_LOCATION)),
                    Optional.ofNullable((Password) v.get(KEYSTORE_PASSWORD)),
                    v.get(KEYSTORE_TYPE).toString().toUpperCase(java.util.Locale.ROOT),
                    Optional.ofNullable((Password) v.get(KEY_PASSWORD))));
        }
        return new RegistrySettings(urls, authorization, tls, new SerdeSettings((Boolean) v.get(AUTO_REGISTER),
                (Boolean) v.get(USE_LATEST_VERSION),
                SubjectNameStrategy.parse(KEY_STRATEGY, (String) v.get(KEY_STRATEGY)),
                SubjectNameStrategy.parse(VALUE_STRATEGY, (String) v.get(VALUE_STRATEGY))));
    }

    /** {@code url} with any {@code user:password@} replaced, for messages and logs. */
    public static String redact(String url) {
        return url.replaceAll("(?<=://)[^/@]*@", "***@");
    }

    private static String withoutUserInfo(URI uri) {
        String text = uri.toString();
        String stripped = uri.getRawUserInfo() == null ? text : text.replace(uri.getRawUserInfo() + "@", "");
        return stripped.endsWith("/") ? stripped.substring(0, stripped.length() - 1) : stripped;
    }
}
