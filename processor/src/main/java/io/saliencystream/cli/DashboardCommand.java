package io.saliencystream.cli;

import io.saliencystream.app.ProcessorConfig;
import io.saliencystream.dashboard.Dashboard;
import io.saliencystream.dashboard.DashboardLimits;
import io.saliencystream.dashboard.DashboardSources;
import io.saliencystream.engine.input.ImageDecoder;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.stream.EventInputs;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dashboard}: the web page on the processor's output topics, until stopped. */
@Command(name = "dashboard", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = VersionProvider.class,
        description = "Serve a web page on the processor's output topics until stopped: overview (explanations per "
                + "minute by selection reason, dead letters by code, open alerts), a gallery of the latest overlays "
                + "with filters, attention drift per series against its threshold, and audit lookup with the same "
                + "check as verify. Reads the topics read_committed into bounded memory; the page updates live.%n"
                + "Takes the processor's settings (-c, SALIENCY_STREAM_<KEY>, --set, as for run) for brokers, registry, "
                + "topic names, key format, catalog and drift thresholds.")
final class DashboardCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SettingsOptions settings;

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "Address to listen on; 0.0.0.0 for every interface (the page has no login: put it behind "
                    + "your own access control) (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--lookback", defaultValue = "5000", paramLabel = "RECORDS",
            description = "Records to read back from the end of each partition at start (default: ${DEFAULT-VALUE}).")
    int lookback;

    @Override
    public Integer call() throws Exception {
        ProcessorConfig processor = ProcessorConfig.from(settings.load());
        DashboardLimits defaults = DashboardLimits.defaults();
        DashboardLimits limits = new DashboardLimits(lookback, defaults.summariesPerModel(), defaults.windowsPerSeries(),
                defaults.series(), defaults.alerts(), defaults.deadLetters(), defaults.indexedEvents(),
                defaults.overlayCache());
        ModelStore store = processor.modelDir().map(ModelStore::new).orElseGet(ModelStore::new);
        ModelCatalog catalog = processor.catalogPath().isPresent()
                ? ModelCatalog.load(processor.catalogPath().get(), store) : ModelCatalog.defaultCatalog(store);
        EventInputs inputs = new EventInputs(new ImageDecoder(processor.limits().maxImagePixels(),
                processor.limits().maxImageBytes()), processor.limits().maxImageBytes(), processor.inputFileRoot());
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stopped = new CountDownLatch(1);
        try (catalog; Dashboard dashboard = Dashboard.start(DashboardSources.of(processor), limits,
                new InetSocketAddress(bind, port), Optional.of(catalog), inputs)) {
            out.printf("dashboard on %s (reading %s; Ctrl-C to stop)%n", dashboard.url(),
                    processor.streams().bootstrapServers());
            out.flush();
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "saliency-stream-dashboard-stop"));
            stopped.await();
        }
        return 0;
    }
}
