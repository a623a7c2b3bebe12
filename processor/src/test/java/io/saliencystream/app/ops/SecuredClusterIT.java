package io.saliencystream.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.app.ProcessorApp;
import io.saliencystream.app.ProcessorConfig;
import io.saliencystream.app.Settings;
import io.saliencystream.cli.Main;
import io.saliencystream.registry.HttpSchemaRegistryClient;
import io.saliencystream.registry.RegistrySettings;
import io.saliencystream.schema.ClassScore;
import io.saliencystream.schema.EncodedImage;
import io.saliencystream.schema.ImageFormat;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.testing.EmbeddedKafkaBroker;
import io.saliencystream.testing.InMemorySchemaRegistry;
import io.saliencystream.testing.InProcessSchemaRegistryServer;
import io.saliencystream.testing.TestCertificates;
import io.saliencystream.testing.samples.GroundTruthSamples;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The processor against a secured cluster: the in-JVM broker with a SASL_SSL listener (SCRAM-SHA-512
 * over TLS, certificates made by the test with keytool) and ACLs, and registries over HTTPS (the
 * in-process registry: Apicurio's authentication needs Keycloak), one requiring basic auth, one a
 * bearer token and a client certificate, both over the same schemas. With the right credentials
 * the processor, the drift application and {@code verify} work; with a wrong password, without the
 * trust store, without the ACL of one output topic, with a wrong registry token or without the
 * client certificate, {@code run} stops with one line saying what is wrong and commits no input
 * offset. The README's secured example runs as written, by the shipped jar.
 */
@Tag("integration")
class SecuredClusterIT {

    private static final String USER = "saliency";
    private static final String PASSWORD = "kafka-secret";
    private static final String REGISTRY_USER_INFO = "saliency:registry-secret";
    private static final String REGISTRY_TOKEN = "registry-token-secret";
    private static final int EVENTS = 6;

    @TempDir
    static Path dir;

    private static TestCertificates certs;
    private static EmbeddedKafkaBroker broker;
    private static InProcessSchemaRegistryServer registry;
    /** The same schemas behind a bearer token and mutual TLS. */
    private static InProcessSchemaRegistryServer tokenRegistry;
    private static Path clientCertificate;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCertificates.generate(dir, "changeit");
        broker = EmbeddedKafkaBroker.startSecured(certs);
        InMemorySchemaRegistry schemas = new InMemorySchemaRegistry();
        registry = InProcessSchemaRegistryServer.start(schemas, certs.serverContext(), REGISTRY_USER_INFO);
        clientCertificate = certs.clientCertificate("saliency-client");
        tokenRegistry = InProcessSchemaRegistryServer.start(schemas, certs.serverContextTrusting(clientCertificate),
                true, InProcessSchemaRegistryServer.bearerAuth(REGISTRY_TOKEN));
        Traffic.createTopics(broker, 1);
        broker.admin().alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER,
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), PASSWORD))).all().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (tokenRegistry != null) {
            tokenRegistry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void processorDriftAndVerifyWorkWithTheRightCredentials() throws Exception {
        allow("secure-ok", List.of());
        // the registry behind a bearer token and mutual TLS (our client's basic auth against the
        // same server: ConfluentClientSettingsTest)
        Path config = config("secure-ok", tokenRegistry());
        produceEvents();
        try (ProcessorApp app = ProcessorApp.start(ProcessorConfig.from(Settings.load(Optional.of(config))),
                System.out)) {
            Traffic reader = new Traffic(broker.bootstrapServers(), registry.url(), dir);
            assertThat(reader.committed(Traffic.EXPLAINED_OUTPUTS, EVENTS, Duration.ofMinutes(3)).values())
                    .allSatisfy(counts -> assertThat(counts.distinct()).isEqualTo(EVENTS));
            assertThat(reader.readCommitted(Traffic.DRIFT.metrics(), 1, Duration.ofMinutes(2))).isNotEmpty();
            assertThat(app.applications()).extracting(ProcessorApp.Application::id).containsExactly(
                    "secure-ok-select", "secure-ok-drift", "secure-ok-explain-flagged", "secure-ok-explain-sampled");
            assertThat(app.applications()).allSatisfy(a ->
                    assertThat(a.streams().state().isRunningOrRebalancing()).as(a.id()).isTrue());
        }
        StringWriter out = new StringWriter();
        int verified = command(out, new StringWriter()).execute("verify", "-c", config.toString(), "--timeout", "PT1M");
        // every audit record so far (other tests wrote the same events under other application ids)
        assertThat(out.toString()).contains(" 0 mismatch").doesNotContain("MISMATCH");
        assertThat(verified).as(out.toString()).isZero();
    }

    @Test
    void wrongPasswordStopsRunWithOneClearLine() throws Exception {
        allow("secure-wrong-password", List.of());
        Path config = config("secure-wrong-password", Map.of("kafka.sasl.jaas.config", jaas("not-the-password")));
        String err = runExpectingFailure(config);
        assertThat(err).containsIgnoringCase("authentication failed");
        assertNoOffsetCommitted("secure-wrong-password");
    }

    @Test
    void missingTrustStoreStopsRunWithOneClearLine() throws Exception {
        allow("secure-no-truststore", List.of());
        Map<String, String> noTrust = new HashMap<>();
        noTrust.put("kafka.ssl.truststore.location", "");
        noTrust.put("kafka.ssl.truststore.password", "");
        noTrust.put("kafka.ssl.truststore.type", "");
        Path config = config("secure-no-truststore", noTrust);
        String err = runExpectingFailure(config);
        // the JVM's default trust store does not know the broker's certificate
        assertThat(err).contains("unable to find valid certification path");
        assertNoOffsetCommitted("secure-no-truststore");
    }

    @Test
    void missingAclOnOneOutputTopicStopsRunAndCommitsNothingPastIt() throws Exception {
        allow("secure-no-acl", List.of(Traffic.TOPICS.saliencyOverlays()));
        Path config = config("secure-no-acl", Map.of());
        produceEvents();
        String err = runExpectingFailure(config);
        assertThat(err).contains(Traffic.TOPICS.saliencyOverlays()).containsIgnoringCase("authoriz");
        assertNoOffsetCommitted("secure-no-acl");
    }

    @Test
    void wrongRegistryTokenOrNoClientCertificateStopsRunWithOneClearLine() throws Exception {
        allow("secure-registry-token", List.of());
        Map<String, String> wrongToken = tokenRegistry();
        wrongToken.put("bearer.auth.token", "not-the-token");
        String err = runExpectingFailure(config("secure-registry-token", wrongToken));
        assertThat(err).contains("HTTP 401", "bearer.auth.token").doesNotContain("not-the-token", REGISTRY_TOKEN);

        Map<String, String> noCertificate = tokenRegistry();
        noCertificate.put("schema.registry.ssl.keystore.location", "");
        noCertificate.put("schema.registry.ssl.keystore.password", "");
        noCertificate.put("schema.registry.ssl.keystore.type", "");
        err = runExpectingFailure(config("secure-registry-token", noCertificate));
        assertThat(err).contains("client certificate", "schema.registry.ssl.keystore.location");
        assertNoOffsetCommitted("secure-registry-token");
    }

    /**
     * The README's secured example as a user would copy it: the properties block of "A secured
     * cluster and registry", read from README.md, with only its hosts, ports, paths and elided
     * passwords filled in (the first registry URL a dead one, so the second is tried), run by the
     * shipped jar. The test's model and state directory come from {@code --set}. Readiness is
     * polled from the process's first moment: 503 with the start-up phase, then with each
     * application's state until both run, then 200; every input record is committed; the log has
     * no warning and no secret.
     */
    @Test
    void theReadmesSecuredExampleRunsAsWritten() throws Exception {
        String block = readmeSecuredExample();
        int opsPort = freePort();
        int deadRegistryPort = freePort();
        Map<String, String> fill = new LinkedHashMap<>();
        fill.put("broker-1.example.com:9094,broker-2.example.com:9094", broker.securedBootstrapServers());
        fill.put("password=\"…\"", "password=\"" + PASSWORD + "\"");
        fill.put("/etc/saliency-stream/truststore.p12", certs.truststore().toString());
        fill.put("truststore.password=…", "truststore.password=" + certs.password());
        fill.put("https://registry-a.example.com", "https://127.0.0.1:" + deadRegistryPort);
        fill.put("https://registry-b.example.com", registry.url());
        fill.put("basic.auth.user.info=saliency:…", "basic.auth.user.info=" + REGISTRY_USER_INFO);
        fill.put("ops.port=8080", "ops.port=" + opsPort);
        String filled = block;
        for (Map.Entry<String, String> e : fill.entrySet()) {
            assertThat(filled).as("README placeholder " + e.getKey()).contains(e.getKey());
            filled = filled.replace(e.getKey(), e.getValue());
        }
        assertThat(filled).as("every placeholder filled").doesNotContain("…", "example.com");
        Path config = dir.resolve("readme-secured.properties");
        Files.writeString(config, filled);
        Properties example = new Properties();
        example.load(new StringReader(filled));
        String applicationId = example.getProperty("application.id");
        allow(applicationId, List.of());
        produceEvents();

        Path testConfig = new Traffic(broker.bootstrapServers(), registry.url(), dir).config("readme-model", Map.of());
        Properties model = new Properties();
        try (Reader in = Files.newBufferedReader(testConfig)) {
            model.load(in);
        }
        Path state = ProcessorProcess.LOGS.resolveSibling("ops-state").resolve("readme-secured-" + System.nanoTime());
        HttpClient http = HttpClient.newHttpClient();
        try (ProcessorProcess processor = ProcessorProcess.start("readme-secured", "run", "-c", config.toString(),
                "--set", "catalog.path=" + model.getProperty("catalog.path"),
                "--set", "model.dir=" + model.getProperty("model.dir"),
                "--set", "state.dir=" + state,
                "--set", "sampling.rate=1.0")) {
            List<String> answers = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            while (answers.isEmpty() || !answers.get(answers.size() - 1).startsWith("200")) {
                assertThat(processor.isAlive()).as(processor.log()).isTrue();
                assertThat(System.nanoTime()).as("ready within 4 minutes: " + answers + "\n" + processor.log())
                        .isLessThan(deadline);
                try {
                    HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + opsPort + "/health/ready")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    String answer = ready.statusCode() + " " + ready.body().strip().replace('\n', '|');
                    if (answers.isEmpty() || !answers.get(answers.size() - 1).equals(answer)) {
                        answers.add(answer);
                    }
                } catch (IOException notServingYet) {
                    // the JVM has not opened the port yet
                }
                Thread.sleep(10);
            }
            System.out.println("readiness answers, in order: " + answers);
            // not ready while the models load (the reason says so), then the applications start in
            // REBALANCING: not ready, and the body says which state each is in; then ready, every
            // application RUNNING (whichever applications the run has)
            assertThat(answers.get(0)).startsWith("503 not ready: ");
            List<String> first = List.of(answers.stream().filter(a -> a.contains("|")).findFirst().orElseThrow()
                    .split("\\|"));
            List<String> last = List.of(answers.get(answers.size() - 1).split("\\|"));
            assertThat(first.get(0)).isEqualTo("503 not ready: starting streams");
            assertThat(first.subList(1, first.size())).allMatch(line -> line.startsWith(applicationId))
                    .anyMatch(line -> !line.endsWith(" RUNNING"));
            assertThat(last.get(0)).isEqualTo("200 ready");
            assertThat(last.subList(1, last.size())).hasSize(first.size() - 1).contains(applicationId + "-drift RUNNING")
                    .allMatch(line -> line.startsWith(applicationId) && line.endsWith(" RUNNING"));

            awaitAllInputCommitted(applicationId, Duration.ofMinutes(3));
            assertThat(processor.terminate(Duration.ofSeconds(60))).as(processor.log())
                    .isEqualTo(RunCommandIT.SIGTERM_EXIT);
            // start, steady processing and the SIGTERM stop: no warning, no secret
            assertThat(processor.log().lines().filter(line -> line.contains(" WARN "))).as(processor.log()).isEmpty();
            assertThat(processor.log()).doesNotContain(PASSWORD, "registry-secret");
        }
    }

    /** The first properties block after the heading "A secured cluster and registry" in README.md. */
    private static String readmeSecuredExample() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int section = readme.indexOf("### A secured cluster and registry");
        assertThat(section).as("README section").isNotNegative();
        int start = readme.indexOf("```properties\n", section) + "```properties\n".length();
        return readme.substring(start, readme.indexOf("```", start));
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Waits until the selection stage's committed offset on the input is its end offset. */
    private static void awaitAllInputCommitted(String applicationId, Duration timeout) throws Exception {
        TopicPartition input = new TopicPartition(Traffic.TOPICS.inferenceEvents(), 0);
        long end = broker.admin().listOffsets(Map.of(input, OffsetSpec.latest()))
                .partitionResult(input).get(30, TimeUnit.SECONDS).offset();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            OffsetAndMetadata committed = broker.admin().listConsumerGroupOffsets(applicationId + "-select")
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).get(input);
            if (committed != null && committed.offset() >= end) {
                return;
            }
            assertThat(System.nanoTime()).as("input committed to " + end + ", is " + committed).isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    /** Settings replacing basic auth with the token registry's bearer token and client certificate. */
    private static Map<String, String> tokenRegistry() {
        Map<String, String> p = new HashMap<>();
        p.put("schema.registry.url", tokenRegistry.url());
        p.put("basic.auth.credentials.source", "");
        p.put("basic.auth.user.info", "");
        p.put("bearer.auth.credentials.source", "STATIC_TOKEN");
        p.put("bearer.auth.token", REGISTRY_TOKEN);
        p.put("schema.registry.ssl.keystore.location", clientCertificate.toString());
        p.put("schema.registry.ssl.keystore.password", certs.password());
        p.put("schema.registry.ssl.keystore.type", "PKCS12");
        return p;
    }

    private static String jaas(String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + USER
                + "\" password=\"" + password + "\";";
    }

    /** A configuration file for application {@code id} with Confluent-style registry keys and SASL_SSL. */
    private static Path config(String id, Map<String, String> replace) throws Exception {
        Map<String, String> p = new HashMap<>();
        p.put("application.id", id);
        p.put("bootstrap.servers", broker.securedBootstrapServers());
        p.put("kafka.security.protocol", "SASL_SSL");
        p.put("kafka.sasl.mechanism", "SCRAM-SHA-512");
        p.put("kafka.sasl.jaas.config", jaas(PASSWORD));
        p.put("kafka.ssl.truststore.location", certs.truststore().toString());
        p.put("kafka.ssl.truststore.password", certs.password());
        p.put("kafka.ssl.truststore.type", "PKCS12");
        p.put("schema.registry.url", registry.url());
        p.put("basic.auth.credentials.source", "USER_INFO");
        p.put("basic.auth.user.info", REGISTRY_USER_INFO);
        p.put("schema.registry.ssl.truststore.location", certs.truststore().toString());
        p.put("schema.registry.ssl.truststore.password", certs.password());
        p.put("schema.registry.ssl.truststore.type", "PKCS12");
        p.put("ops.port", "0");
        p.put("startup.timeout-ms", "20000");
        p.put("drift.window", "PT2S");
        p.put("drift.grace", "PT0S");
        p.put("drift.min-count", "1");
        p.put("drift.learn-windows", "1");
        p.putAll(replace);
        p.values().removeIf(String::isEmpty);
        return new Traffic(broker.bootstrapServers(), registry.url(), dir).config(id, p);
    }

    /** ACLs for the user: its topics (but {@code withheld}), and the application's group, internal topics and transactions. */
    private static void allow(String applicationId, List<String> withheld) throws Exception {
        List<AclBinding> acls = new ArrayList<>();
        List<String> topics = new ArrayList<>(List.of(Traffic.TOPICS.inferenceEvents(), Traffic.TOPICS.saliencySummaries(),
                Traffic.TOPICS.saliencyOverlays(), Traffic.TOPICS.explanationAudit(), Traffic.TOPICS.deadLetters(),
                Traffic.DRIFT.references(), Traffic.DRIFT.metrics(), Traffic.DRIFT.alerts(),
                Traffic.REQUESTS.flagged(), Traffic.REQUESTS.sampled()));
        topics.removeAll(withheld);
        topics.forEach(t -> acls.add(acl(ResourceType.TOPIC, t, PatternType.LITERAL, AclOperation.ALL)));
        acls.add(acl(ResourceType.TOPIC, applicationId, PatternType.PREFIXED, AclOperation.ALL));
        acls.add(acl(ResourceType.GROUP, applicationId, PatternType.PREFIXED, AclOperation.ALL));
        acls.add(acl(ResourceType.TRANSACTIONAL_ID, applicationId, PatternType.PREFIXED, AclOperation.ALL));
        acls.add(acl(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, AclOperation.IDEMPOTENT_WRITE));
        acls.add(acl(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, AclOperation.DESCRIBE_CONFIGS));
        broker.admin().createAcls(acls).all().get(30, TimeUnit.SECONDS);
    }

    private static AclBinding acl(ResourceType type, String name, PatternType pattern, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + USER, "*", operation, AclPermissionType.ALLOW));
    }

    /** Events written by the test (a super user on the plaintext listener) with the registry's credentials. */
    private static void produceEvents() throws Exception {
        AvroSerdes serdes = new AvroSerdes(new HttpSchemaRegistryClient(RegistrySettings.parse(Map.of(
                "schema.registry.url", registry.url(), "basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", REGISTRY_USER_INFO,
                "schema.registry.ssl.truststore.location", certs.truststore().toString(),
                "schema.registry.ssl.truststore.password", certs.password(),
                "schema.registry.ssl.truststore.type", "PKCS12")), HttpSchemaRegistryClient.Settings.defaults()));
        List<GroundTruthSamples.Sample> samples = GroundTruthSamples.clean();
        Map<String, Object> props = Map.of("bootstrap.servers", broker.bootstrapServers(), "acks", "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < EVENTS; i++) {
                GroundTruthSamples.Sample sample = samples.get(i);
                ByteArrayOutputStream png = new ByteArrayOutputStream();
                ImageIO.write(sample.image(), "png", png);
                InferenceEvent event = InferenceEvent.newBuilder().setEventId("s-" + i)
                        .setEventTime(Instant.now().minusSeconds(60).plusSeconds(i))
                        .setModelName("shapes").setModelVersion("v1")
                        .setInput(new EncodedImage(ImageFormat.PNG, ByteBuffer.wrap(png.toByteArray())))
                        .setTopK(List.of(new ClassScore(sample.labelIndex(), null, 0.9f))).build();
                producer.send(new ProducerRecord<>(Traffic.TOPICS.inferenceEvents(), Traffic.key("s-" + i),
                        serdes.specific(InferenceEvent.class).serializer().serialize(Traffic.TOPICS.inferenceEvents(),
                                event)));
            }
            producer.flush();
        }
    }

    private record RunResult(Thread thread, StringWriter err, int[] status) {
    }

    /** {@code run -c config} in this JVM, as the shipped jar's main runs it, on its own thread. */
    private static RunResult runInBackground(Path config) {
        StringWriter err = new StringWriter();
        int[] status = {-1};
        Thread thread = new Thread(() -> status[0] = command(new StringWriter(), err)
                .execute("run", "-c", config.toString()), "run-" + config.getFileName());
        thread.setDaemon(true);
        thread.start();
        return new RunResult(thread, err, status);
    }

    /** Runs {@code run} to its end (at most 3 minutes) and returns its error output, which must be one line plus the hint. */
    private static String runExpectingFailure(Path config) throws Exception {
        RunResult run = runInBackground(config);
        run.thread.join(TimeUnit.MINUTES.toMillis(3));
        assertThat(run.thread.isAlive()).as("run stopped on its own").isFalse();
        assertThat(run.status[0]).isEqualTo(1);
        String err = run.err.toString();
        System.out.println("run -c " + config.getFileName() + " said: " + err.strip());
        assertThat(err.lines().filter(l -> l.startsWith("saliency-stream run: ")).count()).as(err).isEqualTo(1);
        assertThat(err).doesNotContain(PASSWORD, "not-the-password", "registry-secret", "\tat ");
        return err;
    }

    private static void assertNoOffsetCommitted(String applicationId) throws Exception {
        Admin admin = broker.admin();
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(applicationId + "-select")
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        assertThat(offsets.get(new TopicPartition(Traffic.TOPICS.inferenceEvents(), 0))).as(offsets.toString())
                .isNull();
    }

    private static CommandLine command(StringWriter out, StringWriter err) {
        CommandLine commandLine = Main.withErrorHandling(new CommandLine(new Main()));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine;
    }
}
