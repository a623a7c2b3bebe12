package io.saliencystream.cli;


import io.saliencystream.serde.AvroTrust;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line: {@code saliency-stream <command>}. */
@Command(name = "saliency-stream", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Saliency maps for production image models, on Kafka Streams and ONNX Runtime.",
        subcommands = {RunCommand.class, ExplainCommand.class, VerifyCommand.class, SanityCheckCommand.class, DashboardCommand.class, FetchModelsCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        AvroTrust.install();
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return withErrorHandling(new CommandLine(new Main()));
    }

    /**
     * The message of {@code e}, and of its root cause when that says more: Kafka's clients wrap
     * what went wrong ("Authentication failed ...", "SSL handshake failed") in generic messages.
     */
    static String withRootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(e.getMessage());
        String rootMessage = root.getMessage();
        return root == e || rootMessage == null || message.contains(rootMessage) ? message
                : message + " (cause: " + root.getClass().getSimpleName() + ": " + rootMessage + ")";
    }

    /** A failed command says what went wrong in one line; the stack trace only on request. */
    public static CommandLine withErrorHandling(CommandLine commandLine) {
        return commandLine.setExecutionExceptionHandler((e, command, parsed) -> {
            command.getErr().println("saliency-stream " + command.getCommandName() + ": " + withRootCause(e));
            if (System.getenv("SALIENCY_STREAM_DEBUG") != null) {
                e.printStackTrace(command.getErr());
            } else {
                command.getErr().println("(set SALIENCY_STREAM_DEBUG=1 for the stack trace)");
            }
            return 1;
        });
    }
}
