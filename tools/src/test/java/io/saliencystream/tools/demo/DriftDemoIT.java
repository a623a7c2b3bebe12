package io.saliencystream.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.schema.AlertState;
import io.saliencystream.schema.AttentionDriftAlert;
import io.saliencystream.schema.AttentionDriftMetrics;
import io.saliencystream.schema.ReferenceKind;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's attention-drift scenario end to end on a real broker, smaller than the demo: shapes:v1
 * events in 20 s windows of event time, clean, then with the corner stamp the model learnt as a
 * shortcut. No alert may open before the switch, and one must open within open-after windows after it.
 */
@Tag("integration")
class DriftDemoIT {

    /** About 12 shapes per class and window; reference from 2 windows, 1 more clean one, 3 stamped. */
    private static final DriftScenario SCENARIO = new DriftScenario(Duration.ofSeconds(20), Duration.ofSeconds(20),
            50, 3, 3, 2, 6, 2, 0.1);

    @TempDir
    Path out;

    @Test
    void anAlertOpensWithinOpenAfterWindowsOfTheStampAndNoneBefore() throws Exception {
        DemoRunner.Result r = new DemoRunner(System.out)
                .run(new DemoRunner.Options(out, 10, 0.1, 7, Duration.ofMinutes(6), SCENARIO));
        DemoRunner.DriftTimeline t = r.drift();
        Instant switchTime = t.switchTime();

        List<AttentionDriftMetrics> shapes = r.outputs().driftMetrics().stream()
                .filter(m -> m.getModelName().equals(DriftScenario.MODEL)).toList();
        // every window of the scenario closed for every class, learning first, then against the learned reference
        assertThat(shapes.stream().map(AttentionDriftMetrics::getWindowStart).collect(Collectors.toSet()))
                .hasSize(SCENARIO.cleanWindows() + SCENARIO.stampedWindows());
        for (AttentionDriftMetrics m : shapes) {
            long index = Duration.between(t.firstWindowStart(), m.getWindowStart()).dividedBy(SCENARIO.window());
            assertThat(m.getReferenceKind()).as("window %d of class %d", index, m.getPredictedClass())
                    .isEqualTo(index < SCENARIO.learnWindows() ? ReferenceKind.NONE : ReferenceKind.LEARNED);
            boolean beforeSwitch = m.getWindowStart().isBefore(switchTime);
            if (beforeSwitch) {
                assertThat(m.getAlertOpen()).isFalse();
            }
        }

        List<AttentionDriftAlert> alerts = r.outputs().driftAlerts();
        assertThat(alerts).isNotEmpty();
        assertThat(alerts).allSatisfy(a -> {
            assertThat(a.getModelName()).isEqualTo(DriftScenario.MODEL);
            assertThat(a.getState()).isEqualTo(AlertState.OPEN);
            assertThat(a.getWindowStart()).as("no alert before the switch").isAfterOrEqualTo(switchTime);
            assertThat(t.windowsAfterSwitch(a.getWindowStart())).as("alert within open-after windows")
                    .isBetween(1L, (long) SCENARIO.openAfter());
            assertThat(a.getMetric()).isEqualTo(DriftScenario.METRIC);
            assertThat(a.getDistance()).isGreaterThan(a.getThreshold());
        });
        // the class the stamp stands for drifts: its attention moves to the corner
        assertThat(alerts).extracting(AttentionDriftAlert::getPredictedClass).contains(0);

        // the files: one metrics line per window and series, the alerts, a chart per class, the report
        assertThat(Files.readAllLines(out.resolve("drift.jsonl"))).hasSize(r.outputs().driftMetrics().size());
        assertThat(Files.readAllLines(out.resolve("alerts.jsonl"))).hasSize(alerts.size());
        BufferedImage plot = ImageIO.read(out.resolve("drift-shapes-v1-circle.png").toFile());
        assertThat(plot.getWidth()).isEqualTo(io.saliencystream.render.DriftPlot.WIDTH);
        assertThat(Files.readString(out.resolve("report.txt")))
                .contains("ALERT OPEN shapes:v1 \"circle\"")
                .contains("vs threshold 0.100");
    }
}
