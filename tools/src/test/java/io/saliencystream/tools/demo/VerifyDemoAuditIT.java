package io.saliencystream.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.cli.VerifyCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The embedded demo end to end, then {@code verify} through its real broker: every audit record
 * on the audit topic is recomputed from its event on the input topic and matches; and the same
 * from the audit.jsonl the demo wrote.
 */
@Tag("integration")
class VerifyDemoAuditIT {

    @TempDir
    Path out;

    @Test
    void everyAuditRecordOfTheDemoVerifies() throws Exception {
        List<String> outputs = new ArrayList<>();
        List<Integer> codes = new ArrayList<>();
        DemoRunner.Result result = new DemoRunner(System.out).run(
                new DemoRunner.Options(out, 24, 0.3, 11, Duration.ofMinutes(8),
                        // a small drift part: this test is about the audit trail of both models
                        new io.saliencystream.tools.demo.DriftScenario(Duration.ofSeconds(20), Duration.ofSeconds(20),
                                20, 2, 1, 1, 3, 1, 0.9)),
                (stack, topics, r) -> {
                    String[] kafka = {"--bootstrap-servers", stack.bootstrapServers(),
                            "--schema-registry-url", stack.schemaRegistryUrl()};
                    String catalog = demoCatalog();
                    run(outputs, codes, "--audit-topic", topics.explanationAudit(),
                            "--events-topic", topics.inferenceEvents(), kafka[0], kafka[1], kafka[2], kafka[3], "--catalog", catalog);
                    run(outputs, codes, "--audit", out.resolve("audit.jsonl").toString(),
                            "--summaries", out.resolve("summaries.jsonl").toString(),
                            kafka[0], kafka[1], kafka[2], kafka[3], "--catalog", catalog);
                });
        assertThat(result.counters().explained()).isPositive();
        // one audit record per target: a label disagreement explains the predicted and the true class
        int audits = result.outputs().audits().size();
        assertThat(audits).isGreaterThanOrEqualTo((int) result.counters().explained());
        for (int i = 0; i < 2; i++) {
            String text = outputs.get(i);
            System.out.print(text);
            assertThat(codes.get(i)).as(text).isZero();
            assertThat(text.lines().filter(l -> l.startsWith("MATCH"))).hasSize(audits);
            assertThat(text).doesNotContain("MISMATCH")
                    .contains("verified " + audits + " audit records", "0 mismatch");
        }
    }

    /** The demo's models: the audit names shapes:v1, which the production catalog does not list. */
    private static String demoCatalog() {
        try {
            return DemoCatalog.writeTemporaryFile().toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void run(List<String> outputs, List<Integer> codes, String... args) {
        StringWriter text = new StringWriter();
        CommandLine cli = new CommandLine(new VerifyCommand());
        cli.setOut(new PrintWriter(text));
        cli.setErr(new PrintWriter(text));
        codes.add(cli.execute(args));
        outputs.add(text.toString());
    }
}
