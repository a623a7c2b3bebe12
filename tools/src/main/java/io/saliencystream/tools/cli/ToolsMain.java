package io.saliencystream.tools.cli;

import io.saliencystream.cli.Main;
import io.saliencystream.serde.AvroTrust;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The tools' command line: {@code saliency-stream-tools <command>}. Runs the embedded default and
 * the benchmarks; the production commands live in the application's own jar.
 */
@Command(name = "saliency-stream-tools", mixinStandardHelpOptions = true,
        description = "The embedded default (demo) and benchmarks of saliency-stream; not for production.",
        subcommands = {DemoCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class ToolsMain {

    public static void main(String[] args) {
        AvroTrust.install();
        System.exit(Main.withErrorHandling(new CommandLine(new ToolsMain())).execute(args));
    }
}
