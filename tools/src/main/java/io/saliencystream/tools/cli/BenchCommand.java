package io.saliencystream.tools.cli;

import io.saliencystream.tools.bench.StageBenchmark;
import io.saliencystream.tools.bench.ThroughputBenchmark;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Print throughput figures on this machine: end-to-end events/s through the"
        + " embedded broker at two sampling rates, one occlusion explanation against plain ONNX Runtime calls, the"
        + " selection stage against a pass-through application, the explanation stage with 1 and 2 stream threads, and a"
        + " steady offered load with lag and flagged latency.")
final class BenchCommand implements Callable<Integer> {

    enum Part { all, throughput, stages, selection, threads, load }

    @Option(names = "--only", defaultValue = "all", description = "Which figures: ${COMPLETION-CANDIDATES} (selection: the selection stage against pass-through alone; threads: the explanation stage's thread settings alone; load: the stages' steady load alone; default: ${DEFAULT-VALUE}).")
    Part only;

    @Option(names = "--low-rate", defaultValue = "0.01", description = "Sampling rate of the first end-to-end run (default: ${DEFAULT-VALUE}).")
    double lowRate;

    @Option(names = "--low-rate-events", defaultValue = "2000", description = "Events for that run (default: ${DEFAULT-VALUE}).")
    int lowRateEvents;

    @Option(names = "--full-events", defaultValue = "60", description = "Events for the run at 100%% (default: ${DEFAULT-VALUE}).")
    int fullEvents;

    @Option(names = "--repeats", defaultValue = "5", description = "Occlusion explanations timed (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--selection-events", defaultValue = "40000", description = "Events per round of selection vs pass-through (default: ${DEFAULT-VALUE}).")
    int selectionEvents;

    @Option(names = "--explain-requests", defaultValue = "120", description = "Requests explained per thread setting of the explanation stage (1x1, 1 x cores, 2 x cores/2 stream x intra-op threads; default: ${DEFAULT-VALUE}).")
    int explainRequests;

    @Option(names = "--load-rate", defaultValue = "2000", description = "Events/s offered in the steady-load run (default: ${DEFAULT-VALUE}).")
    double loadRate;

    @Option(names = "--load-seconds", defaultValue = "60", description = "Length of the steady-load run (default: ${DEFAULT-VALUE}).")
    int loadSeconds;

    @Option(names = "--load-sampling-rate", defaultValue = "0.01", description = "Sampling rate of the steady-load run (default: ${DEFAULT-VALUE}).")
    double loadSamplingRate;

    @Option(names = "--load-flagged-every", defaultValue = "200", description = "One event in this many is flagged by its producer (default: ${DEFAULT-VALUE}, 0.5%%).")
    int loadFlaggedEvery;

    @Option(names = "--load-method", defaultValue = "vanilla_gradient", description = "Method of every explanation in the steady-load run (default: ${DEFAULT-VALUE}).")
    String loadMethod;

    @Option(names = "--load-sampled-yield-max-ms", defaultValue = "2000", description = "Longest a sampled explanation waits while a flagged one runs in the steady-load run, as explain.sampled-yield-max-ms (0: no priority; default: ${DEFAULT-VALUE}).")
    long loadSampledYieldMaxMs;

    @Option(names = "--load-warm-up", defaultValue = "true", negatable = true, fallbackValue = "true", description = "Warm the methods up before the steady-load run's lanes start, as explain.warm-up (default: ${DEFAULT-VALUE}).")
    boolean loadWarmUp;

    @Override
    public Integer call() throws Exception {
        if (only == Part.all || only == Part.throughput) {
            new ThroughputBenchmark(System.out).run(new ThroughputBenchmark.Options(lowRate, lowRateEvents, fullEvents, repeats));
        }
        StageBenchmark.Options stages = new StageBenchmark.Options(selectionEvents, explainRequests, loadRate,
                loadSeconds, loadSamplingRate, loadFlaggedEvery, loadMethod, Duration.ofMillis(loadSampledYieldMaxMs), loadWarmUp);
        if (only == Part.all || only == Part.stages) {
            new StageBenchmark(System.out).run(stages);
        } else if (only == Part.selection) {
            new StageBenchmark(System.out).runSelection(stages);
        } else if (only == Part.threads) {
            new StageBenchmark(System.out).runExplanationThreads(stages);
        } else if (only == Part.load) {
            new StageBenchmark(System.out).runSteadyLoad(stages);
        }
        return 0;
    }
}
