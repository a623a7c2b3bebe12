package io.saliencystream.cli;

import io.saliencystream.testing.samples.GroundTruthSamples;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The model-randomisation check on the ground-truth model shapes:v1, as the README runs it: every
 * method's maps of the re-initialised copy come out "no signal", while most of the trained
 * model's do not. Prints the rates of each (the README's table).
 */
@Tag("slow")
class SanityCheckCommandTest {

    private static final Pattern ROW = Pattern.compile(
            "^\\s+(\\S+)\\s+trained\\s+([\\d.]+)% \\(mean figure\\s+(-?[\\d.]+)\\)\\s+randomised\\s+([\\d.]+)%.*(PASS|FAIL)$",
            Pattern.MULTILINE);

    @TempDir
    Path dir;

    private String check(List<String> methods) throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        List<GroundTruthSamples.Sample> samples = GroundTruthSamples.clean();
        for (int i = 0; i < 12; i++) {
            ImageIO.write(samples.get(i * 7).image(), "png", images.resolve(String.format("shape-%02d.png", i)).toFile());
        }
        Path catalog = dir.resolve("catalog.json");
        try (InputStream in = getClass().getResourceAsStream("/models/test-catalog.json")) {
            Files.copy(in, catalog);
        }
        List<String> args = new ArrayList<>(List.of("sanity-check", "-m", "shapes", "--version", "v1",
                "--catalog", catalog.toString(), "--limit", "12"));
        args.addAll(methods);
        args.add(images.toString());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args.toArray(String[]::new));
        return "exit " + code + "\n" + out + err;
    }

    @Test
    void everyMethodLosesItsSignalOnTheRandomisedCopyAndKeepsItOnTheTrainedModel() throws Exception {
        String out = check(List.of(
                "--method", "occlusion:window=8;stride=4;batch_size=128",
                "--method", "rise:preset=8x8;masks=500;min_masks=200;tolerance=0.05;batch_size=100",
                "--method", "kernelshap:segments=40;samples=256;batch_size=128",
                "--method", "vanilla_gradient",
                "--method", "smoothgrad:samples=16",
                "--method", "integrated_gradients:steps=32",
                "--method", "xrai:steps=16",
                "--method", "activation_map",
                "--method", "gradcam",
                "--method", "gradcam_plus_plus",
                "--method", "reciprocam"));
        System.out.println(out);

        assertThat(out).startsWith("exit 0\n");
        Matcher m = ROW.matcher(out);
        int rows = 0;
        while (m.find()) {
            rows++;
            assertThat(Double.parseDouble(m.group(4))).as("randomised no-signal rate of " + m.group(1)).isEqualTo(100.0);
            assertThat(Double.parseDouble(m.group(2))).as("trained no-signal rate of " + m.group(1)).isLessThanOrEqualTo(50.0);
            assertThat(m.group(5)).isEqualTo("PASS");
        }
        assertThat(rows).as(out).isEqualTo(SanityCheckCommand.ALL_METHODS.size());
        assertThat(out).contains("PASS: every method's maps lose their signal");
    }
}
