package io.saliencystream.stream;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.IntStream;

/**
 * Which classes of an event to explain ({@code explain.targets}, {@code explain --targets}): terms
 * joined by {@code +} or {@code ,}, each {@code predicted} (the model's top-1 as recomputed),
 * {@code label} (the event's ground truth), {@code top-k:N} (the N best recomputed scores) or a class
 * index. A class named by several terms is explained once, under the first term that names it.
 */
public final class Targets {

    /** Role of the model's own top-1 class; its records keep the event id as their key. */
    public static final String PREDICTED = "predicted";
    public static final String LABEL = "label";
    public static final String CLASS = "class";
    /** Largest N of {@code top-k:N}: each target costs a whole explanation. */
    public static final int MAX_TOP_K = 100;
    public static final String FORMS = "'predicted', 'label', 'top-k:N' (N 1.." + MAX_TOP_K
            + "), a class index, or several joined by '+' (e.g. 'predicted+label', 'top-k:3', '2+5')";

    private static final String TOP_K = "top-k:";

    private final String text;
    private final List<Term> terms;

    private interface Term {
    }

    private record Predicted() implements Term {
    }

    private record Label() implements Term {
    }

    private record TopK(int n) implements Term {
    }

    private record Index(int index) implements Term {
    }

    /** One class to explain and why. */
    public record Target(int classIndex, String role) {

        public boolean predicted() {
            return PREDICTED.equals(role);
        }
    }

    private Targets(String text, List<Term> terms) {
        this.text = text;
        this.terms = List.copyOf(terms);
    }

    /** The predicted class alone: what every event gets unless configured otherwise. */
    public static Targets predicted() {
        return parse(PREDICTED);
    }

    /** What a {@code flag:label-disagreement} event gets unless configured otherwise. */
    public static Targets predictedAndLabel() {
        return parse(PREDICTED + "+" + LABEL);
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException naming the bad term and the valid forms
     */
    public static Targets parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("no targets given; allowed: " + FORMS);
        }
        List<Term> terms = new ArrayList<>();
        for (String raw : text.split("[+,]", -1)) {
            String term = raw.strip().toLowerCase(Locale.ROOT);
            terms.add(term(term, text));
        }
        return new Targets(text.strip(), terms);
    }

    private static Term term(String term, String text) {
        if (term.equals(PREDICTED)) {
            return new Predicted();
        }
        if (term.equals(LABEL)) {
            return new Label();
        }
        try {
            if (term.startsWith(TOP_K)) {
                int n = Integer.parseInt(term.substring(TOP_K.length()));
                if (n >= 1 && n <= MAX_TOP_K) {
                    return new TopK(n);
                }
            } else if (!term.isEmpty() && term.chars().allMatch(Character::isDigit)) {
                return new Index(Integer.parseInt(term));
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new IllegalArgumentException("'" + term + "' in '" + text + "' is not a target; allowed: " + FORMS);
    }

    /** Whether this is {@code predicted} alone, which needs no forward pass before the explanation. */
    public boolean predictedOnly() {
        return terms.size() == 1 && terms.get(0) instanceof Predicted;
    }

    /**
     * The most classes these terms can name for one event, each a whole explanation: the largest
     * {@code top-k}'s N (the predicted class is among them), plus one for each other distinct term.
     */
    public int most() {
        int topK = terms.stream().filter(TopK.class::isInstance).mapToInt(t -> ((TopK) t).n()).max().orElse(0);
        long others = terms.stream().filter(t -> !(t instanceof TopK)).distinct()
                .filter(t -> !(topK > 0 && t instanceof Predicted)).count();
        return Math.max(1, topK + (int) others);
    }

    /** The class indices listed explicitly, for checking them against a model's classes at start-up. */
    public List<Integer> listedClasses() {
        return terms.stream().filter(Index.class::isInstance).map(t -> ((Index) t).index()).toList();
    }

    /**
     * The classes to explain, in the order of the terms, each once.
     *
     * @param scores     the model's scores on the input, as recomputed
     * @param labelClass the class of the event's ground truth, if it has one the catalog knows; a
     *                   {@code label} term without one is left out
     * @return at least one target: {@code predicted} when the terms name no class for this event
     * @throws IllegalArgumentException when a listed class index is not one of the model's classes
     */
    public List<Target> resolve(float[] scores, OptionalInt labelClass) {
        Map<Integer, String> chosen = new LinkedHashMap<>();
        int[] ranked = IntStream.range(0, scores.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
        for (Term term : terms) {
            if (term instanceof Predicted) {
                chosen.putIfAbsent(ranked[0], PREDICTED);
            } else if (term instanceof Label) {
                labelClass.ifPresent(c -> chosen.putIfAbsent(c, ranked[0] == c ? PREDICTED : LABEL));
            } else if (term instanceof TopK k) {
                for (int r = 0; r < Math.min(k.n(), ranked.length); r++) {
                    chosen.putIfAbsent(ranked[r], r == 0 ? PREDICTED : "top-" + (r + 1));
                }
            } else if (term instanceof Index i) {
                if (i.index() >= scores.length) {
                    throw new IllegalArgumentException("target class " + i.index() + " of '" + text
                            + "' is not one of the model's " + scores.length + " classes");
                }
                chosen.putIfAbsent(i.index(), ranked[0] == i.index() ? PREDICTED : CLASS);
            }
        }
        if (chosen.isEmpty()) {
            chosen.put(ranked[0], PREDICTED);
        }
        List<Target> out = new ArrayList<>();
        chosen.forEach((index, role) -> out.add(new Target(index, role)));
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Targets t && t.terms.equals(terms);
    }

    @Override
    public int hashCode() {
        return terms.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
