package io.saliencystream.stream;

import java.util.ArrayList;
import java.util.List;

/**
 * The sampler's decision on one event: whether to explain it, why, and whether any flag rule
 * fired (flagged events take priority over merely sampled ones when the budget is short).
 */
public record Selection(boolean selected, boolean flagged, List<String> reasons) {

    public static final String SAMPLED = "sampled";
    public static final String FLAG_PRODUCER = "flag:producer";
    public static final String FLAG_LOW_CONFIDENCE = "flag:low-confidence";
    public static final String FLAG_SMALL_MARGIN = "flag:small-margin";
    public static final String FLAG_LABEL_DISAGREEMENT = "flag:label-disagreement";
    public static final String FLAG_WATCHED_CLASS = "flag:watched-class";

    public Selection {
        reasons = List.copyOf(reasons);
    }

    /** A decision from the hash draw and the flag reasons that fired (in rule order). */
    public static Selection of(boolean sampled, List<String> flagReasons) {
        List<String> reasons = new ArrayList<>(flagReasons.size() + 1);
        if (sampled) {
            reasons.add(SAMPLED);
        }
        reasons.addAll(flagReasons);
        return new Selection(sampled || !flagReasons.isEmpty(), !flagReasons.isEmpty(), reasons);
    }
}
