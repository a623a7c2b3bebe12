package io.saliencystream.cli;

import io.saliencystream.app.ProcessorApp;
import io.saliencystream.app.ProcessorConfig;
import io.saliencystream.app.Settings;
import io.saliencystream.app.ops.OpsServer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, description = "Run the processor against your Kafka cluster and schema registry until stopped."
        + " Settings come from the properties file, each overridable by an environment variable"
        + " SALIENCY_STREAM_<KEY> (upper case, dots and dashes as underscores) and by --set."
        + " SIGTERM closes both applications (exit status 143); if either stops on its own, the other is"
        + " closed too and the exit status is 1.")
final class RunCommand implements Callable<Integer> {

    @Mixin
    SettingsOptions settings;

    @Override
    public Integer call() throws Exception {
        Settings loaded = settings.load();
        ProcessorConfig processorConfig = ProcessorConfig.from(loaded);
        System.out.println("settings given:\n" + loaded.summary());
        ProcessorApp app = ProcessorApp.start(processorConfig, System.out);
        OpsServer ops = startOps(processorConfig, app);
        Thread shutdown = new Thread(() -> {
            System.out.println(app.closeWithin() ? "processor stopped: both applications closed cleanly"
                    : "processor stopped: an application did not close in time");
            if (ops != null) {
                ops.close();
            }
        }, "saliency-stream-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        Optional<String> failure = app.awaitStop();
        if (failure.isEmpty()) {
            // closed by the shutdown hook: the JVM exits when it is done
            return 0;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdown);
        } catch (IllegalStateException shuttingDownAlready) {
            return 1;
        }
        app.close();
        if (ops != null) {
            ops.close();
        }
        throw new IllegalStateException(failure.get() + "; the other application was closed. See the log above for the cause.");
    }

    /** The health and metrics endpoints, unless {@code ops.port} is -1. */
    private static OpsServer startOps(ProcessorConfig config, ProcessorApp app) {
        if (config.opsPort() < 0) {
            return null;
        }
        Map<String, KafkaStreams> applications = new LinkedHashMap<>();
        applications.put(config.streams().applicationId(), app.streams());
        app.drift().ifPresent(drift -> applications.put(config.streams().applicationId() + "-drift", drift));
        OpsServer ops = OpsServer.start(config.opsPort(), applications);
        System.out.println("ops endpoints on port " + ops.port() + ": /health/live, /health/ready, /metrics");
        return ops;
    }
}
