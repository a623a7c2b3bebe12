package io.saliencystream.cli;

import io.saliencystream.app.ProcessorApp;
import io.saliencystream.app.ProcessorConfig;
import io.saliencystream.app.Role;
import io.saliencystream.app.Settings;
import io.saliencystream.app.ops.OpsServer;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;

@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, description = "Run the processor against your Kafka cluster and schema registry until stopped."
        + " Settings come from the properties file, each overridable by an environment variable"
        + " SALIENCY_STREAM_<KEY> (upper case, dots and dashes as underscores) and by --set."
        + " SIGTERM closes every application (exit status 143); if one stops on its own, the others are"
        + " closed too and the exit status is 1.")
final class RunCommand implements Callable<Integer> {

    @Mixin
    SettingsOptions settings;

    @Option(names = "--role", defaultValue = "all", paramLabel = "ROLE", converter = RoleConverter.class,
            completionCandidates = RoleCandidates.class,
            description = "What this process runs: select (the selection stage and drift; loads no model), explain"
                    + " (the explanation stage, both lanes), or all (default: everything, in one process)."
                    + " Candidates: ${COMPLETION-CANDIDATES}.")
    Role role;

    @Override
    public Integer call() throws Exception {
        Settings loaded = settings.load();
        ProcessorConfig processorConfig = ProcessorConfig.from(loaded);
        System.out.println("settings given:\n" + loaded.summary());
        OpsServer ops = startOps(processorConfig);
        ProcessorApp app;
        try {
            app = ProcessorApp.start(processorConfig, role, System.out, ops == null ? phase -> { } : ops::starting);
        } catch (Exception e) {
            if (ops != null) {
                ops.close();
            }
            throw e;
        }
        if (ops != null) {
            ops.serve(app.byId());
        }
        Runnable stop = () -> {
            System.out.println(app.closeWithin() ? "processor stopped: every application closed cleanly"
                    : "processor stopped: an application did not close in time");
            if (ops != null) {
                ops.close();
            }
        };
        Thread shutdown = new Thread(stop, "saliency-stream-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        AtomicInteger signalled = handleStopSignals(app);
        Optional<String> failure = app.awaitStop();
        if (failure.isEmpty()) {
            if (signalled.get() == 0) {
                // closed by the shutdown hook: the JVM exits when it is done
                return 0;
            }
            // closed on SIGTERM or SIGINT: exit (running the JVM's shutdown hooks) once closed
            Runtime.getRuntime().removeShutdownHook(shutdown);
            stop.run();
            return signalled.get();
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
        throw new IllegalStateException(failure.get() + "; the other applications were closed. See the log above for"
                + " the cause.");
    }

    /**
     * SIGTERM and SIGINT close every application before the JVM starts its shutdown: ONNX Runtime
     * frees its native environment in a shutdown hook of its own, which would run alongside ours
     * and crash an explanation still in progress (SIGSEGV, exit status 134).
     *
     * @return the exit status the signal asks for (128 + its number), 0 until one comes
     */
    private static AtomicInteger handleStopSignals(ProcessorApp app) {
        AtomicInteger signalled = new AtomicInteger();
        for (String name : List.of("TERM", "INT")) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    signalled.compareAndSet(0, 128 + signal.getNumber());
                    new Thread(app::closeWithin, "saliency-stream-stop").start();
                });
            } catch (IllegalArgumentException reservedByTheJvm) {
                // -Xrs or a debugger holds it: the shutdown hook closes the applications instead
            }
        }
        return signalled;
    }

    /**
     * The health and metrics endpoints, unless {@code ops.port} is -1: served before the models
     * load, so that liveness answers during a start-up of minutes and readiness says what it is doing.
     */
    private static OpsServer startOps(ProcessorConfig config) {
        if (config.opsPort() < 0) {
            return null;
        }
        OpsServer ops = OpsServer.start(config.opsPort());
        System.out.println("ops endpoints on port " + ops.port() + ": /health/live, /health/ready, /metrics");
        return ops;
    }

    /** {@code select}, {@code explain} or {@code all}, in any case; anything else is refused naming them. */
    static final class RoleConverter implements CommandLine.ITypeConverter<Role> {
        @Override
        public Role convert(String value) {
            try {
                return Role.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** The roles as {@code --role} takes them, for the help text and shell completion. */
    static final class RoleCandidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Role.labels().iterator();
        }
    }
}
