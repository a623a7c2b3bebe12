package io.saliencystream.tools.cli;

import io.saliencystream.tools.demo.DemoRunner;
import io.saliencystream.tools.demo.DriftScenario;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run the processor on the embedded default: a real single-node Kafka broker,"
        + " an in-process schema registry, the PaddleOCR text-orientation model and rendered sample events;"
        + " write summaries, overlays, audit records and dead letters to a folder, and serve the dashboard on them"
        + " (its URL is printed; --serve keeps it up until Ctrl-C).")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--out", defaultValue = "demo-output", description = "Results folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--events", defaultValue = "200", description = "Text-line events to produce (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--sampling-rate", defaultValue = "0.15",
            description = "Share of unflagged events to explain (default: ${DEFAULT-VALUE}).")
    double samplingRate;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the rendered samples (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--timeout", defaultValue = "PT10M", description = "Give up after this long (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--serve", description = "Once the results are in, keep the broker, processor and dashboard"
            + " running until Ctrl-C.")
    boolean serve;

    @Option(names = "--dashboard-port", defaultValue = "0", paramLabel = "PORT",
            description = "Port of the dashboard on loopback (default: any free port; the URL is printed).")
    int dashboardPort;

    @Override
    public Integer call() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        try {
            new DemoRunner(System.out).run(new DemoRunner.Options(out, events, samplingRate, seed, timeout,
                    DriftScenario.demo(), dashboardPort), (stack, topics, result) -> {
                if (serve) {
                    // Ctrl-C: let the demo shut the stack down before the JVM exits
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        stop.countDown();
                        awaitQuietly(stopped);
                    }, "demo-stop"));
                    System.out.printf("  serving the dashboard on %s until Ctrl-C%n", result.dashboardUrl());
                    stop.await();
                }
            });
        } finally {
            stopped.countDown();
        }
        return 0;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
