package io.saliencystream.tools.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The embedded default's attention-drift scenario on the ground-truth model shapes:v1. Its events
 * come {@code eventsPerWindow} to a drift window of event time: {@code cleanWindows} windows of
 * clean images (the first {@code learnWindows} of them teach the reference), then
 * {@code stampedWindows} windows of the same kind of images with the spurious corner stamp the
 * model learnt as a shortcut for "circle" painted on, then a short tail that moves event time
 * past the last window's grace so that it closes.
 *
 * @param window          drift window length (tumbling), in event time
 * @param grace           how late a summary may arrive and still count, in event time. Summaries
 *                        are keyed by event id and spread over partitions, so the drift application
 *                        sees them out of order by up to one processor commit's worth of events (one
 *                        second of explanations); the grace must span more events than that
 * @param eventsPerWindow shapes events per window, all explained (sampling rate 1)
 * @param cleanWindows    windows of clean images, learning ones included
 * @param stampedWindows  windows of stamped images
 * @param learnWindows    windows averaged into the learned reference
 * @param minCount        explanations a series needs in a window for it to count
 * @param openAfter       consecutive windows above the threshold that open an alert
 * @param threshold       Jensen–Shannon divergence above which a window counts as drifted
 */
public record DriftScenario(Duration window, Duration grace, int eventsPerWindow, int cleanWindows,
                            int stampedWindows, int learnWindows, int minCount, int openAfter, double threshold) {

    /** The model the scenario runs on. */
    public static final String MODEL = "shapes";
    public static final String VERSION = "v1";
    /** Metric the scenario alerts on. */
    public static final String METRIC = "jensen-shannon";

    public DriftScenario {
        if (eventsPerWindow < 1 || learnWindows < 1 || cleanWindows <= learnWindows || stampedWindows < openAfter
                || minCount < 1 || openAfter < 1) {
            throw new IllegalArgumentException("drift scenario needs events per window >= 1, clean windows > learn"
                    + " windows >= 1 and stamped windows >= open-after >= 1; got " + this);
        }
        if (window.toMillis() % eventsPerWindow != 0) {
            throw new IllegalArgumentException("window " + window + " must split into " + eventsPerWindow
                    + " whole milliseconds");
        }
    }

    /**
     * The demo's scenario: 16 s windows of 64 events (one every 250 ms, about 16 per class) with a
     * grace of one window (64 events), 3 windows to learn, 2 more clean ones, 3 stamped ones; two
     * windows above 0.1 open an alert.
     */
    public static DriftScenario demo() {
        return new DriftScenario(Duration.ofSeconds(16), Duration.ofSeconds(16), 64, 5, 3, 3, 8, 2, 0.1);
    }

    /** Event time between two consecutive events. */
    public Duration spacing() {
        return window.dividedBy(eventsPerWindow);
    }

    /** Events after the last stamped window: enough to carry event time past its end plus the grace. */
    public int tailEvents() {
        return (int) (grace.toMillis() / spacing().toMillis()) + eventsPerWindow / 4;
    }

    public int events() {
        return (cleanWindows + stampedWindows) * eventsPerWindow + tailEvents();
    }

    /** Whether event {@code i} carries the stamp. */
    public boolean stamped(int i) {
        return i >= cleanWindows * eventsPerWindow;
    }

    /**
     * The start of the first window: aligned to the window length (Kafka Streams aligns windows
     * to the epoch), {@code before} + the scenario's span in the past, so that every event time
     * lies in the recent past.
     */
    public Instant firstWindowStart(Instant now, Duration before) {
        long span = spacing().toMillis() * events();
        long latestStart = now.minus(before).toEpochMilli() - span;
        return Instant.ofEpochMilli(Math.floorDiv(latestStart, window.toMillis()) * window.toMillis());
    }

    /** Event time of event {@code i}: the middle of its slot, so no event sits on a window edge. */
    public Instant eventTime(Instant firstWindowStart, int i) {
        return firstWindowStart.plus(spacing().multipliedBy(i)).plus(spacing().dividedBy(2));
    }

    public Instant switchTime(Instant firstWindowStart) {
        return firstWindowStart.plus(window.multipliedBy(cleanWindows));
    }

    /** Start of the last stamped window, the last one the tail closes. */
    public Instant lastWindowStart(Instant firstWindowStart) {
        return firstWindowStart.plus(window.multipliedBy(cleanWindows + stampedWindows - 1L));
    }

    /** The processor settings this scenario needs (drift keys, the shapes model's sampling rate). */
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("sampling.rate." + MODEL, "1.0");
        s.put("drift.window", window.toString());
        s.put("drift.grace", grace.toString());
        s.put("drift.min-count", Integer.toString(minCount));
        s.put("drift.learn-windows", Integer.toString(learnWindows));
        s.put("drift.open-after", Integer.toString(openAfter));
        s.put("drift.threshold." + METRIC, String.format(Locale.ROOT, "%s", threshold));
        return s;
    }
}
