package io.saliencystream.engine.gradient;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The model cannot be differentiated: an operator on the path from the input to the output
 * has no gradient rule, or is used in a form the rule does not cover. Raised while the
 * gradient model is built, before any gradient is computed, naming every such node at once,
 * grouped by reason.
 */
public final class UnsupportedGradientException extends RuntimeException {

    private final String node;
    private final String reason;

    public UnsupportedGradientException(String message) {
        super(message);
        this.node = null;
        this.reason = message;
    }

    /** One node that cannot be differentiated, {@code node} as "Op node 'name'". */
    UnsupportedGradientException(String node, String reason) {
        super("cannot differentiate " + node + ": " + reason);
        this.node = node;
        this.reason = reason;
    }

    private UnsupportedGradientException(String message, List<UnsupportedGradientException> causes) {
        super(message);
        this.node = null;
        this.reason = message;
        causes.forEach(this::addSuppressed);
    }

    /** The one exception of a single node, or one listing every node grouped by reason. */
    static UnsupportedGradientException of(List<UnsupportedGradientException> problems, String footnote) {
        if (problems.size() == 1 && footnote == null) {
            return problems.get(0);
        }
        Map<String, List<String>> byReason = new LinkedHashMap<>();
        for (UnsupportedGradientException p : problems) {
            byReason.computeIfAbsent(p.reason, r -> new java.util.ArrayList<>()).add(p.node);
        }
        String lines = byReason.entrySet().stream()
                .map(e -> "\n  " + e.getKey() + " (" + e.getValue().size() + "): " + String.join(", ", e.getValue()))
                .collect(Collectors.joining());
        return new UnsupportedGradientException("cannot differentiate " + problems.size()
                + (problems.size() == 1 ? " node" : " nodes") + ", by reason:" + lines + (footnote == null ? "" : "\n" + footnote), problems);
    }
}
