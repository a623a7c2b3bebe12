package io.saliencystream.app;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What one {@code run} process does: the selection stage, the explanation stage, or both. Each
 * stage is its own Kafka Streams application, so explanation workers can run on other machines
 * and scale by the request topics' partitions. Drift runs with the selection stage: it reads the
 * summaries topic (whoever wrote it), needs no model, and its alerts steer selection's sampling.
 */
public enum Role {
    /** Decode, validate, sample, flag and budget every event; write explanation requests. Loads no model. Runs drift. */
    SELECT("select"),
    /** Explain the requests of both lanes (flagged, sampled) with the catalog's models. */
    EXPLAIN("explain"),
    /** Both stages and drift in one process. */
    ALL("all");

    private final String label;

    Role(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public boolean selects() {
        return this != EXPLAIN;
    }

    public boolean explains() {
        return this != SELECT;
    }

    /** Every role's name, as {@code run --role} takes them. */
    public static List<String> labels() {
        return Arrays.stream(values()).map(Role::label).toList();
    }

    /** The role named {@code text} (any case); throws naming the valid ones. */
    public static Role parse(String text) {
        String wanted = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(r -> r.label.equals(wanted)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("'" + text + "' is not a role: use one of " + String.join(", ", labels())));
    }
}
