package io.saliencystream.tools.demo;

import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.render.DriftPlot;
import io.saliencystream.schema.AttentionDriftMetrics;
import io.saliencystream.schema.ReferenceKind;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The drift scenario's metrics as one chart per series (class) of its model. */
final class DriftPlots {

    /** A rendered chart and the file name it goes to. */
    record Plot(String series, String fileName, byte[] png) {
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private DriftPlots() {
    }

    /** The windows of each class of the scenario's model, in time order; classes without a distance yet are left out. */
    static Map<Integer, List<AttentionDriftMetrics>> series(List<AttentionDriftMetrics> metrics) {
        return metrics.stream()
                .filter(m -> m.getModelName().equals(DriftScenario.MODEL) && m.getModelVersion().equals(DriftScenario.VERSION))
                .collect(Collectors.groupingBy(AttentionDriftMetrics::getPredictedClass, TreeMap::new,
                        Collectors.collectingAndThen(Collectors.toList(), l -> l.stream()
                                .sorted(Comparator.comparing(AttentionDriftMetrics::getWindowStart)).toList())));
    }

    static List<Plot> of(List<AttentionDriftMetrics> metrics, DemoRunner.DriftTimeline timeline, ModelSpec spec) {
        List<Plot> plots = new ArrayList<>();
        series(metrics).forEach((predictedClass, windows) -> {
            if (windows.stream().noneMatch(m -> m.getJensenShannon() != null)) {
                return;
            }
            String label = spec.labels().get(predictedClass);
            List<String> labels = windows.stream().map(m -> TIME.format(m.getWindowStart())).toList();
            List<DriftPlot.Point> points = windows.stream().map(m -> DriftPlot.Point.of(m.getJensenShannon(),
                    m.getReferenceKind() == ReferenceKind.NONE && m.getSufficient(), m.getSufficient(),
                    m.getAlertOpen())).toList();
            int switchBefore = windows.size();
            for (int i = 0; i < windows.size(); i++) {
                if (!windows.get(i).getWindowStart().isBefore(timeline.switchTime())) {
                    switchBefore = i;
                    break;
                }
            }
            DriftPlot.Chart chart = new DriftPlot.Chart(
                    String.format("%s:%s, predicted class \"%s\": attention drift per %d s window", spec.name(),
                            spec.version(), label, timeline.scenario().window().toSeconds()),
                    "Jensen-Shannon divergence from the reference", labels, points, timeline.scenario().threshold(),
                    Double.NaN, switchBefore);
            String series = spec.name() + "-" + spec.version() + "-" + label;
            plots.add(new Plot(series, "drift-" + series + ".png", DriftPlot.png(chart)));
        });
        return plots;
    }
}
