package io.saliencystream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.app.audit.AvroJsonLines;
import io.saliencystream.app.audit.ExplainedFixtures.Explained;
import io.saliencystream.app.audit.ExplainedFixtures;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.stream.EngineEventExplainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code verify} from the command line: its lines and exit codes on files the processor's explainer wrote. */
class VerifyCommandTest {

    private record Run(int exitCode, String out, String err) {
    }

    @TempDir
    static Path dir;
    private static Path images;
    private static Explained upright;
    private static Explained rotated;

    @BeforeAll
    static void explain() throws Exception {
        try (ModelCatalog catalog = ModelCatalog.fromResource("/models/test-catalog.json", new ModelStore())) {
            EngineEventExplainer explainer = ExplainedFixtures.explainer(catalog);
            upright = ExplainedFixtures.explain(explainer, "e-1", 3, false);
            rotated = ExplainedFixtures.explain(explainer, "e-2", 5, true);
        }
        images = Files.createDirectories(dir.resolve("images"));
        Files.write(images.resolve("first.png"), upright.png());
        Files.write(images.resolve("second.png"), rotated.png());
    }

    @Test
    void untouchedRecordsAllMatchAndExitZero() throws Exception {
        Path audits = audits("ok.jsonl", upright.out().audit(), rotated.out().audit());
        Run r = run("verify", "--audit", audits.toString(), "--inputs", images.toString());
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out().lines().filter(l -> l.startsWith("MATCH"))).hasSize(2);
        assertThat(r.out()).contains("verified 2 audit records", "2 match (0 numerically), 0 mismatch");
    }

    @Test
    void oneTamperedRecordIsAMismatchWithItsReasonAndExitsOne() throws Exception {
        Map<String, String> params = new HashMap<>(rotated.out().audit().getParameters());
        params.put("window", "8");
        Path audits = audits("tampered.jsonl",
                ExplanationAudit.newBuilder(upright.out().audit()).setModelSha256("0".repeat(64)).build(),
                ExplanationAudit.newBuilder(rotated.out().audit()).setParameters(params).build());
        Path summaries = dir.resolve("summaries.jsonl");
        AvroJsonLines.write(summaries, List.of(upright.out().summary(), rotated.out().summary()));

        Run r = run("verify", "--audit", audits.toString(), "--inputs", images.toString(),
                "--summaries", summaries.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).containsPattern("MISMATCH +e-1  model changed")
                .containsPattern("MISMATCH +e-2  map differs beyond tolerance")
                .contains("0 match (0 numerically), 2 mismatch");
    }

    @Test
    void missingSourcesAndUnreadableFilesAreUsageErrors() throws Exception {
        Run none = run("verify", "--inputs", images.toString());
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("no audit records", "--audit");

        Run half = run("verify", "--audit", "a.jsonl", "--bootstrap-servers", "localhost:9092");
        assertThat(half.exitCode()).isEqualTo(2);
        assertThat(half.err()).contains("--schema-registry-url");

        // SpecificRecord.toString() is not Avro JSON: the line is named, not skipped
        Path toString = dir.resolve("tostring.jsonl");
        Files.writeString(toString, upright.out().audit().toString() + "\n");
        Run bad = run("verify", "--audit", toString.toString(), "--inputs", images.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("line 1");
    }

    private static Path audits(String name, ExplanationAudit... audits) throws Exception {
        Path file = dir.resolve(name);
        AvroJsonLines.write(file, List.of(audits));
        return file;
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
}
