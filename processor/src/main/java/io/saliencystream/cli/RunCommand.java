package io.saliencystream.cli;

import io.saliencystream.app.ProcessorApp;
import io.saliencystream.app.ProcessorConfig;
import io.saliencystream.app.Settings;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, description = "Run the processor against your Kafka cluster and schema registry until stopped."
        + " Settings come from the properties file, each overridable by an environment variable"
        + " SALIENCY_STREAM_<KEY> (upper case, dots and dashes as underscores).")
final class RunCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, description = "Properties file (see the README's configuration table).")
    Path config;

    @Override
    public Integer call() throws Exception {
        ProcessorConfig processorConfig = ProcessorConfig.from(Settings.load(Optional.ofNullable(config)));
        ProcessorApp app = ProcessorApp.start(processorConfig, System.out);
        CountDownLatch stopped = new CountDownLatch(1);
        app.streams().setStateListener((now, before) -> {
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "saliency-stream-shutdown"));
        stopped.await();
        return app.streams().state() == KafkaStreams.State.ERROR ? 1 : 0;
    }
}
