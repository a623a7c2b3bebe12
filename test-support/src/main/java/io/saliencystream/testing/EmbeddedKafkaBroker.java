package io.saliencystream.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) running inside this
 * JVM, on loopback ports, with its logs in a temporary directory that {@link #close()} deletes.
 *
 * <p>It is configured for exactly-once processing on one node: the transaction state log and the
 * offsets topic have replication factor 1 and min ISR 1. Topics are never auto-created, so a
 * missing topic is an error rather than a silently created one with the wrong partition count.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String HOST = "127.0.0.1";
    /** Another process may take a port between choosing it and binding it: try again with new ones. */
    private static final int BIND_ATTEMPTS = 3;
    /** Listening ports are drawn from here up to the start of the ephemeral range. */
    private static final int LISTEN_PORTS_FROM = 10_000;
    private static final int LINUX_EPHEMERAL_START = 32_768;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private static final String SECURED_LISTENER = "SECURED";

    private final Properties config;
    private KafkaRaftServer server;
    private final Path logDir;
    private final String bootstrapServers;
    private final String securedBootstrapServers;
    private final Admin admin;
    private boolean closed;

    private EmbeddedKafkaBroker(Properties config, KafkaRaftServer server, Path logDir, String bootstrapServers,
                                String securedBootstrapServers, Admin admin) {
        this.config = config;
        this.server = server;
        this.logDir = logDir;
        this.bootstrapServers = bootstrapServers;
        this.securedBootstrapServers = securedBootstrapServers;
        this.admin = admin;
    }

    /** Starts a broker with the default single-node settings and waits until it serves clients. */
    public static EmbeddedKafkaBroker start() {
        return start(Map.of());
    }

    /**
     * Starts a broker and waits until it serves clients.
     *
     * @param overrides broker settings that replace the defaults (for example
     *                  {@code num.partitions}); listener, port and directory settings are chosen
     *                  here and cannot be overridden
     */
    public static EmbeddedKafkaBroker start(Map<String, String> overrides) {
        return start(overrides, null);
    }

    /**
     * Starts a broker with a second listener, {@code SASL_SSL} with SCRAM-SHA-512 over TLS with
     * {@code certificates}, and ACLs enforced there ({@code StandardAuthorizer}, nothing allowed
     * without an ACL). The plaintext listener stays for the test's own set-up: its anonymous user is
     * a super user. Users and ACLs are created through {@link #admin()}.
     */
    public static EmbeddedKafkaBroker startSecured(TestCertificates certificates) {
        return start(Map.of(), Objects.requireNonNull(certificates, "certificates"));
    }

    private static EmbeddedKafkaBroker start(Map<String, String> overrides, TestCertificates secured) {
        Objects.requireNonNull(overrides, "overrides");
        RuntimeException lastBindFailure = null;
        for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
            try {
                return startOnce(overrides, secured);
            } catch (RuntimeException e) {
                if (!causedByBindFailure(e)) {
                    throw e;
                }
                lastBindFailure = e;
            }
        }
        throw new IllegalStateException("Embedded Kafka broker could not bind its ports after "
                + BIND_ATTEMPTS + " attempts", lastBindFailure);
    }

    private static EmbeddedKafkaBroker startOnce(Map<String, String> overrides, TestCertificates secured) {
        Path logDir = createTempDir();
        KafkaRaftServer server = null;
        Admin admin = null;
        try {
            int brokerPort = freePort();
            int controllerPort = freePort(brokerPort);
            Properties props = brokerProperties(logDir, brokerPort, controllerPort, overrides);
            String securedBootstrap = null;
            if (secured != null) {
                int securedPort = freePort(brokerPort, controllerPort);
                securedBootstrap = HOST + ":" + securedPort;
                secure(props, securedPort, secured);
            }
            format(logDir);
            server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
            server.startup();
            String bootstrapServers = HOST + ":" + brokerPort;
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
            awaitReady(admin, bootstrapServers);
            return new EmbeddedKafkaBroker(props, server, logDir, bootstrapServers, securedBootstrap, admin);
        } catch (RuntimeException | Error e) {
            try {
                stopQuietly(server, admin, logDir);
            } catch (RuntimeException cleanupFailure) {
                e.addSuppressed(cleanupFailure);
            }
            throw e;
        }
    }

    static Properties brokerProperties(Path logDir, int brokerPort, int controllerPort,
                                       Map<String, String> overrides) {
        Properties props = new Properties();
        // defaults tuned for one node and fast start: few internal partitions, no rebalance delay
        props.put("num.partitions", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "5");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");
        props.putAll(overrides);
        // identity, listeners and storage are fixed: the broker's address and cleanup depend on them
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        props.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        props.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
        props.put("listener.security.protocol.map",
                BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("inter.broker.listener.name", BROKER_LISTENER);
        props.put("log.dirs", logDir.toString());
        props.put("metadata.log.dir", logDir.toString());
        return props;
    }

    /** Adds the SASL_SSL listener, SCRAM-SHA-512, TLS with the certificates, and the authorizer. */
    private static void secure(Properties props, int securedPort, TestCertificates certs) {
        String listener = "listener.name." + SECURED_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".";
        props.put("listeners", props.get("listeners") + "," + SECURED_LISTENER + "://" + HOST + ":" + securedPort);
        props.put("advertised.listeners", props.get("advertised.listeners") + "," + SECURED_LISTENER + "://" + HOST
                + ":" + securedPort);
        props.put("listener.security.protocol.map", props.get("listener.security.protocol.map") + ","
                + SECURED_LISTENER + ":SASL_SSL");
        props.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        props.put(listener + "scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        props.put(listener + "ssl.keystore.location", certs.keystore().toString());
        props.put(listener + "ssl.keystore.password", certs.password());
        props.put(listener + "ssl.key.password", certs.password());
        props.put(listener + "ssl.keystore.type", "PKCS12");
        props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        props.put("super.users", "User:ANONYMOUS");
        props.put("allow.everyone.if.no.acl.found", "false");
    }

    /** What {@code kafka-storage.sh format} does for a node with a static controller quorum. */
    private static void format(Path logDir) {
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(NODE_ID)
                .setClusterId(Uuid.randomUuid().toString())
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setMetadataLogDirectory(logDir.toString())
                .addDirectory(logDir.toString())
                .setHasDynamicQuorum(false);
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("Could not format Kafka log directory " + logDir, e);
        }
    }

    private static void awaitReady(Admin admin, String bootstrapServers) {
        try {
            int nodes = admin.describeCluster().nodes()
                    .get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
            if (nodes != 1) {
                throw new IllegalStateException("Embedded Kafka broker at " + bootstrapServers
                        + " reports " + nodes + " nodes, expected 1");
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Embedded Kafka broker at " + bootstrapServers
                    + " did not become ready within " + READY_TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the embedded Kafka broker", e);
        }
    }

    /** The {@code bootstrap.servers} value for clients of this broker. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The {@code SASL_SSL} listener's address, for a broker started with {@link #startSecured}. */
    public String securedBootstrapServers() {
        if (securedBootstrapServers == null) {
            throw new IllegalStateException("this broker has no secured listener: start it with startSecured");
        }
        return securedBootstrapServers;
    }

    /** An admin client of the plaintext listener, a super user (SCRAM users, ACLs). */
    public Admin admin() {
        return admin;
    }

    /** The temporary directory holding this broker's logs and metadata; deleted on close. */
    public Path logDir() {
        return logDir;
    }

    /**
     * Creates topics with replication factor 1 and waits until the controller has created them.
     * A topic that already exists with the requested partition count is accepted as is.
     *
     * @param namePartitions topic name to partition count, in creation order
     * @throws IllegalArgumentException if a partition count is not positive
     * @throws IllegalStateException    if a topic exists with a different partition count or
     *                                  creation fails
     */
    public void createTopics(Map<String, Integer> namePartitions) {
        Objects.requireNonNull(namePartitions, "namePartitions");
        List<NewTopic> topics = new ArrayList<>();
        namePartitions.forEach((name, partitions) -> {
            if (partitions == null || partitions < 1) {
                throw new IllegalArgumentException("Topic " + name + ": partition count must be at least 1, got "
                        + partitions);
            }
            topics.add(new NewTopic(name, partitions, (short) 1));
        });
        Map<String, Throwable> failures = new LinkedHashMap<>();
        admin.createTopics(topics).values().forEach((name, future) -> {
            try {
                future.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    failures.put(name, e.getCause());
                }
            } catch (TimeoutException e) {
                failures.put(name, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.put(name, e);
            }
        });
        if (!failures.isEmpty()) {
            IllegalStateException error = new IllegalStateException("Could not create topics " + failures.keySet()
                    + " on " + bootstrapServers + ": " + failures.values().iterator().next());
            failures.values().forEach(error::addSuppressed);
            throw error;
        }
        verifyPartitionCounts(namePartitions);
    }

    private void verifyPartitionCounts(Map<String, Integer> namePartitions) {
        Map<String, TopicDescription> descriptions = null;
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        try {
            while (descriptions == null) {
                try {
                    descriptions = admin.describeTopics(namePartitions.keySet()).allTopicNames()
                            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    // a topic created a moment ago may not be in the broker's metadata yet
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                        throw new IllegalStateException("Could not describe topics " + namePartitions.keySet(), e);
                    }
                    Thread.sleep(100);
                }
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("Could not describe topics " + namePartitions.keySet(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while describing topics", e);
        }
        Map<String, TopicDescription> described = descriptions;
        namePartitions.forEach((name, expected) -> {
            int actual = described.get(name).partitions().size();
            if (actual != expected) {
                throw new IllegalStateException("Topic " + name + " already exists with " + actual
                        + " partitions, but " + expected + " were requested");
            }
        });
    }

    /**
     * Stops the broker as an outage would, keeping its logs and ports: clients see it vanish
     * until {@link #restart()}.
     */
    public synchronized void stop() {
        if (server == null) {
            throw new IllegalStateException("broker is stopped already");
        }
        server.shutdown();
        server.awaitShutdown();
        server = null;
    }

    /** Starts a {@link #stop() stopped} broker again on the same ports and logs, and waits until it serves clients. */
    public synchronized void restart() {
        if (server != null) {
            throw new IllegalStateException("broker is running");
        }
        KafkaRaftServer restarted = new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
        restarted.startup();
        server = restarted;
        awaitReady(admin, bootstrapServers);
    }

    /** Stops the broker and deletes its log directory. Calling it again does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopQuietly(server, admin, logDir);
    }

    private static void stopQuietly(KafkaRaftServer server, Admin admin, Path logDir) {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
        }
        try {
            Utils.delete(logDir.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete Kafka log directory " + logDir, e);
        }
    }

    private static Path createTempDir() {
        try {
            return Files.createTempDirectory("saliency-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a temporary Kafka log directory", e);
        }
    }

    /**
     * A port nothing listens on, chosen below the kernel's ephemeral range: the kernel hands
     * ephemeral ports to every outgoing connection on the machine, and one took the controller's
     * port between choosing and binding it on a busy machine. The broker can retry a lost broker
     * port, but Kafka halts the JVM when its controller cannot bind.
     */
    static int freePort(int... chosen) {
        int below = ephemeralRangeStart();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = random.nextInt(LISTEN_PORTS_FROM, below);
            if (IntStream.of(chosen).anyMatch(c -> c == port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
                return port;
            } catch (IOException taken) {
                // another listener has it: draw again
            }
        }
        throw new IllegalStateException("Could not find a free port on " + HOST + " between "
                + LISTEN_PORTS_FROM + " and " + below);
    }

    /** The first ephemeral port ({@code net.ipv4.ip_local_port_range}), Linux's default where unreadable. */
    static int ephemeralRangeStart() {
        try {
            String range = Files.readString(EPHEMERAL_RANGE).trim();
            int start = Integer.parseInt(range.split("\\s+")[0]);
            return start > LISTEN_PORTS_FROM + 1000 ? start : LINUX_EPHEMERAL_START;
        } catch (IOException | RuntimeException unreadable) {
            return LINUX_EPHEMERAL_START;
        }
    }

    private static boolean causedByBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }
}
