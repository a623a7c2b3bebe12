package io.saliencystream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class MainTest {

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsEveryCommand() {
        Run r = run("--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("run", "explain", "verify", "dashboard", "fetch-models");
        // the demo and the benchmarks ship in the tools jar, not in production
        assertThat(r.out()).doesNotContainPattern("(?m)^  (demo|bench) ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "explain", "verify", "dashboard", "fetch-models"})
    void everyCommandAnswersHelp(String command) {
        Run r = run(command, "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("Usage: saliency-stream " + command);
        assertThat(r.err()).isEmpty();
    }

    @Test
    void versionNamesTheLibrariesAuditsRecord() {
        Run r = run("--version");
        assertThat(r.out()).contains("onnxruntime 1.29.0", "kafka-streams 4.3.1", "avro 1.12.2");
    }

    @Test
    void runWithoutRequiredSettingsFailsNamingTheSettingAndItsVariable() {
        Run r = run("run");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("bootstrap.servers", "SALIENCY_STREAM_BOOTSTRAP_SERVERS");
    }

    @Test
    void runWithAMissingConfigurationFileSaysSoInOneLine() {
        Run r = run("run", "-c", "/missing/saliency-stream.properties");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("saliency-stream run: configuration file /missing/saliency-stream.properties"
                + " does not exist");
    }

    @Test
    void runNamesItsRolesAndRefusesAnUnknownOneNamingThem() {
        assertThat(run("run", "--help").out()).contains("--role=ROLE", "Candidates: select, explain, all");
        Run r = run("run", "--role", "explode");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Invalid value for option '--role'",
                "'explode' is not a role: use one of select, explain, all");
    }

    @Test
    void unknownCommandIsAUsageError() {
        Run r = run("explode");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("explode");
    }
}
