package io.saliencystream.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DriftScenarioTest {

    private final DriftScenario demo = DriftScenario.demo();

    @Test
    void eventsFillEveryWindowEquallyAndTheStampStartsAtTheSwitch() {
        Instant start = demo.firstWindowStart(Instant.parse("2026-01-01T12:00:07.300Z"), Duration.ofMinutes(2));
        assertThat(start.toEpochMilli() % demo.window().toMillis()).as("aligned like Kafka Streams windows").isZero();
        int windows = demo.cleanWindows() + demo.stampedWindows();
        int[] perWindow = new int[windows + 1];
        for (int i = 0; i < demo.events(); i++) {
            long w = Duration.between(start, demo.eventTime(start, i)).toMillis() / demo.window().toMillis();
            perWindow[(int) Math.min(w, windows)]++;
            boolean afterSwitch = !demo.eventTime(start, i).isBefore(demo.switchTime(start));
            assertThat(demo.stamped(i)).as("event %d", i).isEqualTo(afterSwitch);
        }
        for (int w = 0; w < windows; w++) {
            assertThat(perWindow[w]).isEqualTo(demo.eventsPerWindow());
        }
        // the tail carries event time past the last window's end plus the grace, so that it closes
        Instant lastEnd = demo.lastWindowStart(start).plus(demo.window());
        assertThat(demo.eventTime(start, demo.events() - 1)).isAfter(lastEnd.plus(demo.grace()));
        // all of it in the past, before the given margin
        assertThat(demo.eventTime(start, demo.events() - 1))
                .isBefore(Instant.parse("2026-01-01T12:00:07.300Z").minus(Duration.ofMinutes(2)));
    }

    @Test
    void windowsAfterTheSwitchCountFromOne() {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        DemoRunner.DriftTimeline t = new DemoRunner.DriftTimeline(demo, start);
        assertThat(t.windowsAfterSwitch(t.switchTime())).isEqualTo(1);
        assertThat(t.windowsAfterSwitch(t.switchTime().plus(demo.window()))).isEqualTo(2);
        assertThat(t.windowsAfterSwitch(t.switchTime().minus(demo.window()))).isEqualTo(0);
    }

    @Test
    void rejectsScenariosThatCannotShowDrift() {
        assertThatThrownBy(() -> new DriftScenario(Duration.ofSeconds(20), Duration.ofSeconds(5), 64, 5, 3, 3, 8, 2, 0.1))
                .hasMessageContaining("whole milliseconds");
        assertThatThrownBy(() -> new DriftScenario(Duration.ofSeconds(20), Duration.ofSeconds(5), 40, 3, 3, 3, 8, 2, 0.1))
                .hasMessageContaining("clean windows > learn windows");
        assertThatThrownBy(() -> new DriftScenario(Duration.ofSeconds(20), Duration.ofSeconds(5), 40, 4, 1, 3, 8, 2, 0.1))
                .hasMessageContaining("stamped windows >= open-after");
    }
}
