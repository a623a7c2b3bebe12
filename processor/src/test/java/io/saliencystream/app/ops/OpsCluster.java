package io.saliencystream.app.ops;

import io.saliencystream.testing.EmbeddedKafkaBroker;
import io.saliencystream.testing.InProcessSchemaRegistryServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;

/**
 * One broker and one schema registry shared by the process tests of the shipped jar in this JVM,
 * started on first use and stopped when the JVM ends (a start costs seconds on a busy 2-core
 * machine). Each case starts from a clean slate instead: the topics of earlier cases are deleted
 * and created afresh, and it runs under an application id of its own.
 */
final class OpsCluster {

    /**
     * The broker aborts the transactions of a killed processor after their timeout (20 s in
     * {@link Traffic#config}); it looks for them every second instead of every 10 s.
     */
    private static final Map<String, String> BROKER_SETTINGS = Map.of(
            "transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");

    private static OpsCluster shared;

    private final EmbeddedKafkaBroker broker;
    private final InProcessSchemaRegistryServer registry;
    private final AtomicInteger cases = new AtomicInteger();

    private OpsCluster(EmbeddedKafkaBroker broker, InProcessSchemaRegistryServer registry) {
        this.broker = broker;
        this.registry = registry;
    }

    static synchronized OpsCluster shared() {
        if (shared == null) {
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BROKER_SETTINGS);
            InProcessSchemaRegistryServer registry = InProcessSchemaRegistryServer.start();
            shared = new OpsCluster(broker, registry);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                registry.close();
                broker.close();
            }, "ops-cluster-stop"));
        }
        return shared;
    }

    EmbeddedKafkaBroker broker() {
        return broker;
    }

    String registryUrl() {
        return registry.url();
    }

    /**
     * A clean slate: every topic deleted, the processor's topics created ({@code inputPartitions}
     * partitions for the input; none at all when 0), and traffic under a new application id whose
     * files go to {@code dir}.
     */
    Traffic freshCase(Path dir, int inputPartitions) throws Exception {
        deleteAllTopics();
        if (inputPartitions > 0) {
            createTopics(Traffic.topics(inputPartitions));
        }
        return new Traffic(broker.bootstrapServers(), registry.url(), dir,
                "saliency-stream-" + cases.incrementAndGet());
    }

    /** Creates topics; names just deleted take a moment to be described again once created, so it retries. */
    void createTopics(Map<String, Integer> topics) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                broker.createTopics(topics);
                return;
            } catch (IllegalStateException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(200);
            }
        }
    }

    private void deleteAllTopics() throws Exception {
        Admin admin = broker.admin();
        Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        if (topics.isEmpty()) {
            return;
        }
        admin.deleteTopics(topics).all().get(30, TimeUnit.SECONDS);
        // deletion completes in the background: wait until the names are free again
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (admin.listTopics().names().get(30, TimeUnit.SECONDS).stream().anyMatch(topics::contains)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics not deleted within 30 s: " + topics);
            }
            Thread.sleep(100);
        }
    }
}
