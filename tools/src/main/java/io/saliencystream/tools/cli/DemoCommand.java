package io.saliencystream.tools.cli;

import io.saliencystream.tools.demo.DemoRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run the processor on the embedded default: a real single-node Kafka broker,"
        + " an in-process schema registry, the PaddleOCR text-orientation model and rendered sample events;"
        + " write summaries, overlays, audit records and dead letters to a folder.")
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

    @Override
    public Integer call() throws Exception {
        new DemoRunner(System.out).run(new DemoRunner.Options(out, events, samplingRate, seed, timeout));
        return 0;
    }
}
