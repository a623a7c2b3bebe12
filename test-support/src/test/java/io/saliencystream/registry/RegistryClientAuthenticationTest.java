package io.saliencystream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saliencystream.testing.InMemorySchemaRegistry;
import io.saliencystream.testing.InProcessSchemaRegistryServer;
import io.saliencystream.testing.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our registry client against a registry that requires a bearer token, and one that requires a
 * client certificate (mutual TLS), with Confluent's setting names: the right credentials work,
 * wrong or missing ones fail with one message that says what to check and shows no secret.
 */
class RegistryClientAuthenticationTest {

    private static final HttpSchemaRegistryClient.Settings FAST = new HttpSchemaRegistryClient.Settings(
            Duration.ofSeconds(2), Duration.ofSeconds(5), 2, Duration.ofMillis(10), Duration.ofMillis(20));
    private static final Schema SCHEMA = SchemaBuilder.record("Reading").namespace("test").fields()
            .requiredString("id").endRecord();
    private static final String TOKEN = "eyJhbGciOiJIUzI1NiJ9.c2FsaWVuY3k.token-secret";

    @TempDir
    static Path dir;

    private static TestCertificates certs;
    private static Path trustedClient;
    private static Path untrustedClient;

    @BeforeAll
    static void certificates() {
        certs = TestCertificates.generate(dir, "changeit");
        trustedClient = certs.clientCertificate("saliency-client");
        untrustedClient = certs.clientCertificate("stranger");
    }

    private static HttpSchemaRegistryClient client(Map<String, String> settings) {
        return new HttpSchemaRegistryClient(RegistrySettings.parse(settings), FAST);
    }

    private static Map<String, String> https(InProcessSchemaRegistryServer server) {
        return new HashMap<>(Map.of(
                RegistrySettings.URL, server.url(),
                RegistrySettings.TRUSTSTORE_LOCATION, certs.truststore().toString(),
                RegistrySettings.TRUSTSTORE_PASSWORD, certs.password(),
                RegistrySettings.TRUSTSTORE_TYPE, "PKCS12"));
    }

    @Test
    void bearerTokenIsSentAndAWrongOrMissingOneIsRefusedClearly() {
        try (InProcessSchemaRegistryServer server = InProcessSchemaRegistryServer.start(new InMemorySchemaRegistry(),
                certs.serverContext(), false, InProcessSchemaRegistryServer.bearerAuth(TOKEN))) {
            Map<String, String> settings = https(server);
            settings.put(RegistrySettings.BEARER_AUTH_SOURCE, "STATIC_TOKEN");
            settings.put(RegistrySettings.BEARER_AUTH_TOKEN, TOKEN);
            int id = client(settings).register("readings-value", SCHEMA);
            assertThat(client(settings).schemaById(id)).isEqualTo(SCHEMA);
            client(settings).checkAccess();

            Map<String, String> wrong = new HashMap<>(settings);
            wrong.put(RegistrySettings.BEARER_AUTH_TOKEN, "not-the-token");
            assertThatThrownBy(() -> client(wrong).checkAccess()).isInstanceOf(SchemaRegistryException.class)
                    .satisfies(e -> System.out.println("wrong token: " + e.getMessage()))
                    .hasMessageContaining("HTTP 401").hasMessageContaining(RegistrySettings.BEARER_AUTH_TOKEN)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not-the-token", TOKEN).doesNotContain("\n"));

            Map<String, String> none = new HashMap<>(settings);
            none.remove(RegistrySettings.BEARER_AUTH_TOKEN);
            assertThatThrownBy(() -> client(none).schemaById(id)).isInstanceOf(SchemaRegistryException.class)
                    .satisfies(e -> System.out.println("no token: " + e.getMessage()))
                    .hasMessageContaining("HTTP 401");

            Map<String, String> otherSource = new HashMap<>(settings);
            otherSource.put(RegistrySettings.BEARER_AUTH_SOURCE, "SASL_OAUTHBEARER_INHERIT");
            assertThatThrownBy(() -> client(otherSource)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(RegistrySettings.BEARER_AUTH_SOURCE).hasMessageContaining("STATIC_TOKEN");
        }
    }

    @Test
    void clientCertificateIsPresentedAndAMissingOrUntrustedOneIsRefusedClearly() {
        try (InProcessSchemaRegistryServer server = InProcessSchemaRegistryServer.start(new InMemorySchemaRegistry(),
                certs.serverContextTrusting(trustedClient), true, null)) {
            Map<String, String> settings = https(server);
            settings.put(RegistrySettings.KEYSTORE_LOCATION, trustedClient.toString());
            settings.put(RegistrySettings.KEYSTORE_PASSWORD, certs.password());
            settings.put(RegistrySettings.KEYSTORE_TYPE, "PKCS12");
            settings.put(RegistrySettings.KEY_PASSWORD, certs.password());
            int id = client(settings).register("readings-value", SCHEMA);
            assertThat(client(settings).schemaById(id)).isEqualTo(SCHEMA);
            client(settings).checkAccess();

            Map<String, String> none = https(server);
            assertThatThrownBy(() -> client(none).checkAccess()).isInstanceOf(SchemaRegistryException.class)
                    .satisfies(e -> System.out.println("no client certificate: " + e.getMessage()))
                    .hasMessageContaining(RegistrySettings.KEYSTORE_LOCATION)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));

            Map<String, String> stranger = new HashMap<>(settings);
            stranger.put(RegistrySettings.KEYSTORE_LOCATION, untrustedClient.toString());
            assertThatThrownBy(() -> client(stranger).checkAccess()).isInstanceOf(SchemaRegistryException.class)
                    .satisfies(e -> System.out.println("untrusted client certificate: " + e.getMessage()))
                    .hasMessageContaining(RegistrySettings.KEYSTORE_LOCATION)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));

            Map<String, String> wrongStorePassword = new HashMap<>(settings);
            wrongStorePassword.put(RegistrySettings.KEYSTORE_PASSWORD, "not-the-password");
            assertThatThrownBy(() -> client(wrongStorePassword)).isInstanceOf(ConfigException.class)
                    .satisfies(e -> System.out.println("wrong key store password: " + e.getMessage()))
                    .hasMessageContaining(RegistrySettings.KEYSTORE_LOCATION)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not-the-password"));

            Map<String, String> wrongKeyPassword = new HashMap<>(settings);
            wrongKeyPassword.put(RegistrySettings.KEY_PASSWORD, "not-the-key-password");
            assertThatThrownBy(() -> client(wrongKeyPassword)).isInstanceOf(ConfigException.class)
                    .satisfies(e -> System.out.println("wrong key password: " + e.getMessage()))
                    .hasMessageContaining(RegistrySettings.KEY_PASSWORD)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not-the-key-password"));
        }
    }
}
