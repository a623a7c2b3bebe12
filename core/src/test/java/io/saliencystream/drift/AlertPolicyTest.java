package io.saliencystream.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertPolicyTest {

    private static DriftDistances js(double v) {
        return new DriftDistances(v, 0, null, null, null);
    }

    /** Runs the policy over the JS values and returns the events in order, as "OPEN@i" / "RESOLVED@i". */
    private static List<String> run(AlertPolicy policy, double... values) {
        AlertState state = AlertState.closed();
        List<String> events = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            AlertPolicy.Step step = policy.step(state, js(values[i]));
            state = step.state();
            if (step.event() != null) {
                events.add((step.event().opened() ? "OPEN@" : "RESOLVED@") + i);
            }
        }
        return events;
    }

    @Test
    void opensAfterKWindowsAboveAndResolvesAfterMBelowWithoutDuplicates() {
        AlertPolicy p = new AlertPolicy(Map.of(DriftMetric.JENSEN_SHANNON, Threshold.of(0.1)), 2, 3);
        assertThat(run(p, 0.2, 0.05, 0.2, 0.2, 0.3, 0.4, 0.05, 0.05, 0.2, 0.05, 0.05, 0.05, 0.05))
                .containsExactly("OPEN@3", "RESOLVED@11");
    }

    @Test
    void hysteresisBandBreaksBothStreaks() {
        AlertPolicy p = new AlertPolicy(Map.of(DriftMetric.JENSEN_SHANNON, new Threshold(0.2, 0.1)), 2, 2);
        // 0.15 is neither above 0.2 nor below 0.1
        assertThat(run(p, 0.3, 0.15, 0.3, 0.3, 0.05, 0.15, 0.05, 0.15, 0.15, 0.05, 0.05))
                .containsExactly("OPEN@3", "RESOLVED@10");
    }

    @Test
    void openEventNamesTheWorstMetricRelativeToItsThreshold() {
        AlertPolicy p = new AlertPolicy(Map.of(DriftMetric.JENSEN_SHANNON, Threshold.of(0.1),
                DriftMetric.CENTROID_SHIFT, Threshold.of(0.1)), 1, 1);
        AlertPolicy.Step step = p.step(AlertState.closed(), new DriftDistances(0.15, 0, 0.4, null, null));
        assertThat(step.event()).isEqualTo(new AlertEvent(true, DriftMetric.CENTROID_SHIFT, 0.4, 0.1));
        AlertPolicy.Step resolved = p.step(step.state(), new DriftDistances(0.05, 0, 0.01, null, null));
        assertThat(resolved.event()).isEqualTo(new AlertEvent(false, DriftMetric.CENTROID_SHIFT, 0.01, 0.1));
        assertThat(resolved.state()).isEqualTo(AlertState.closed());
    }

    @Test
    void windowsWithoutAnyWatchedValueChangeNothing() {
        AlertPolicy p = new AlertPolicy(Map.of(DriftMetric.CENTROID_SHIFT, Threshold.of(0.1)), 2, 2);
        AlertState s = new AlertState(false, null, 1, 0);
        assertThat(p.step(s, js(0.9))).isEqualTo(new AlertPolicy.Step(s, null));
    }

    @Test
    void rejectsNonsensicalPolicies() {
        assertThatThrownBy(() -> new Threshold(0.1, 0.2)).hasMessageContaining("resolve <= open");
        assertThatThrownBy(() -> new AlertPolicy(Map.of(), 1, 1)).hasMessageContaining("at least one");
        assertThatThrownBy(() -> new AlertPolicy(Map.of(DriftMetric.EMD, Threshold.of(1)), 0, 1))
                .hasMessageContaining(">= 1");
    }
}
