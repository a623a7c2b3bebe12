package io.saliencystream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saliencystream.serde.AvroSerializer;
import io.saliencystream.serde.ConfluentWireFormat;
import io.saliencystream.serde.KeyFormat;
import io.saliencystream.serde.SerdeSettings;
import io.saliencystream.serde.SubjectNameStrategy;
import io.saliencystream.testing.InMemorySchemaRegistry;
import io.saliencystream.testing.InProcessSchemaRegistryServer;
import io.saliencystream.testing.TestCertificates;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry client with Confluent's client settings, against the in-process registry over HTTPS and basic auth. */
class ConfluentClientSettingsTest {

    private static final HttpSchemaRegistryClient.Settings FAST = new HttpSchemaRegistryClient.Settings(
            Duration.ofSeconds(2), Duration.ofSeconds(5), 2, Duration.ofMillis(10), Duration.ofMillis(20));

    private static final Schema V1 = SchemaBuilder.record("Reading").namespace("test").fields()
            .requiredString("id").endRecord();
    private static final Schema V2 = SchemaBuilder.record("Reading").namespace("test").fields()
            .requiredString("id").name("unit").type().stringType().stringDefault("mm").endRecord();

    @TempDir
    Path dir;

    private static HttpSchemaRegistryClient client(Map<String, String> settings) {
        return new HttpSchemaRegistryClient(RegistrySettings.parse(settings), FAST);
    }

    @Test
    void basicAuthOverHttpsWithTheTrustStoreFromUserInfoOrUrl() {
        TestCertificates certs = TestCertificates.generate(dir, "changeit");
        try (InProcessSchemaRegistryServer server = InProcessSchemaRegistryServer.start(new InMemorySchemaRegistry(),
                certs.serverContext(), "alice:s3cret")) {
            assertThat(server.url()).startsWith("https://");
            Map<String, String> settings = new HashMap<>(Map.of(
                    RegistrySettings.URL, server.url(),
                    RegistrySettings.BASIC_AUTH_SOURCE, "USER_INFO",
                    RegistrySettings.BASIC_AUTH_USER_INFO, "alice:s3cret",
                    RegistrySettings.TRUSTSTORE_LOCATION, certs.truststore().toString(),
                    RegistrySettings.TRUSTSTORE_PASSWORD, "changeit",
                    RegistrySettings.TRUSTSTORE_TYPE, "PKCS12"));
            int id = client(settings).register("readings-value", V1);
            assertThat(client(settings).schemaById(id)).isEqualTo(V1);

            Map<String, String> inUrl = new HashMap<>(settings);
            inUrl.remove(RegistrySettings.BASIC_AUTH_USER_INFO);
            inUrl.put(RegistrySettings.BASIC_AUTH_SOURCE, "URL");
            inUrl.put(RegistrySettings.URL, server.url().replace("https://", "https://alice:s3cret@"));
            assertThat(client(inUrl).schemaById(id)).isEqualTo(V1);

            Map<String, String> wrong = new HashMap<>(settings);
            wrong.put(RegistrySettings.BASIC_AUTH_USER_INFO, "alice:wrong");
            assertThatThrownBy(() -> client(wrong).schemaById(id)).isInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("HTTP 401").satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong"));

            Map<String, String> untrusted = new HashMap<>(settings);
            untrusted.remove(RegistrySettings.TRUSTSTORE_LOCATION);
            assertThatThrownBy(() -> client(untrusted).schemaById(id)).isInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("Cannot reach schema registry");

            Map<String, String> missingStore = new HashMap<>(settings);
            missingStore.put(RegistrySettings.TRUSTSTORE_LOCATION, dir.resolve("nope.p12").toString());
            assertThatThrownBy(() -> client(missingStore)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("schema.registry.ssl.truststore.location").hasMessageContaining("no such file");
        }
    }

    @Test
    void severalUrlsAreTriedInTurn() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        try (InProcessSchemaRegistryServer server = InProcessSchemaRegistryServer.start()) {
            HttpSchemaRegistryClient client = client(Map.of(RegistrySettings.URL,
                    "http://127.0.0.1:" + closed + "," + server.url()));
            int id = client.register("readings-value", V1);
            assertThat(server.registry().schemaById(id)).isEqualTo(V1);
            assertThat(client.lookUp("readings-value", V1)).isEqualTo(id);
        }
    }

    @Test
    void subjectStrategiesAutoRegistrationAndLatestVersionAsConfluentsSerializer() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        GenericRecord v1 = new GenericData.Record(V1);
        v1.put("id", "r-1");
        new AvroSerializer<GenericRecord>(registry, false, new SerdeSettings(true, false, SubjectNameStrategy.TOPIC,
                SubjectNameStrategy.RECORD)).serialize("readings", v1);
        new AvroSerializer<GenericRecord>(registry, false, new SerdeSettings(true, false, SubjectNameStrategy.TOPIC,
                SubjectNameStrategy.TOPIC_RECORD)).serialize("readings", v1);
        assertThat(registry.subjects()).containsExactlyInAnyOrder("test.Reading", "readings-test.Reading");

        // schemas registered ahead: without auto-registration the id is looked up, and an unknown schema refused
        int v2Id = registry.register("readings-value", V2);
        SerdeSettings lookUpOnly = new SerdeSettings(false, false, SubjectNameStrategy.TOPIC, SubjectNameStrategy.TOPIC);
        GenericRecord r2 = new GenericData.Record(V2);
        r2.put("id", "r-2");
        r2.put("unit", "cm");
        assertThat(ConfluentWireFormat.schemaId(new AvroSerializer<GenericRecord>(registry, false, lookUpOnly)
                .serialize("readings", r2))).isEqualTo(v2Id);
        assertThatThrownBy(() -> new AvroSerializer<GenericRecord>(registry, false, lookUpOnly).serialize("readings", v1))
                .isInstanceOf(SchemaRegistryException.class).hasMessageContaining("not found");
        assertThat(registry.versions("readings-value")).containsExactly(v2Id);

        // use.latest.version: a V1 record is written with V2, the latest, its new field by default
        byte[] latest = new AvroSerializer<GenericRecord>(registry, false, new SerdeSettings(false, true,
                SubjectNameStrategy.TOPIC, SubjectNameStrategy.TOPIC)).serialize("readings", v1);
        assertThat(ConfluentWireFormat.schemaId(latest)).isEqualTo(v2Id);
        GenericRecord read = io.saliencystream.serde.AvroDeserializer.<GenericRecord>generic(registry)
                .deserialize("readings", latest);
        assertThat(read.get("unit").toString()).isEqualTo("mm");
        assertThat(read.get("id").toString()).isEqualTo("r-1");
    }

    @Test
    void avroKeysAreConfluentWireFormatStringsUnderTheKeySubject() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        Serde<String> keys = KeyFormat.AVRO.serde(registry, SerdeSettings.defaults());
        byte[] bytes = keys.serializer().serialize("saliency-summaries", "evt-ä-1");
        int id = ConfluentWireFormat.schemaId(bytes);
        assertThat(registry.schemaById(id).getType()).isEqualTo(Schema.Type.STRING);
        assertThat(registry.subjects()).containsExactly("saliency-summaries-key");
        // Avro's binary string after the 5-byte header: zig-zag length 8 bytes -> 0x10, then UTF-8
        assertThat(bytes[5]).isEqualTo((byte) 0x10);
        assertThat(keys.deserializer().deserialize("saliency-summaries", bytes)).isEqualTo("evt-ä-1");
        assertThat(KeyFormat.STRING.serde(registry, SerdeSettings.defaults()).serializer()
                .serialize("t", "evt-1")).isEqualTo("evt-1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
