package io.saliencystream.tools.cli;

import io.saliencystream.tools.bench.ThroughputBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Print throughput figures on this machine: end-to-end events/s through the"
        + " embedded broker at two sampling rates, and one occlusion explanation against plain ONNX Runtime calls.")
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--low-rate", defaultValue = "0.01", description = "Sampling rate of the first run (default: ${DEFAULT-VALUE}).")
    double lowRate;

    @Option(names = "--low-rate-events", defaultValue = "2000", description = "Events for that run (default: ${DEFAULT-VALUE}).")
    int lowRateEvents;

    @Option(names = "--full-events", defaultValue = "60", description = "Events for the run at 100% (default: ${DEFAULT-VALUE}).")
    int fullEvents;

    @Option(names = "--repeats", defaultValue = "5", description = "Occlusion explanations timed (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Override
    public Integer call() throws Exception {
        new ThroughputBenchmark(System.out).run(new ThroughputBenchmark.Options(lowRate, lowRateEvents, fullEvents, repeats));
        return 0;
    }
}
