package io.saliencystream.app;

import java.util.Collection;
import java.util.Comparator;

/** "Did you mean" for a misspelt key: the known key at the smallest edit distance, if close enough. */
final class Suggestions {

    private Suggestions() {
    }

    /** {@code "; did you mean 'x'?"}, or an empty string when nothing is close. */
    static String didYouMean(String given, Collection<String> known) {
        return known.stream()
                .min(Comparator.comparingInt((String k) -> distance(given, k)).thenComparing(k -> k))
                .filter(best -> distance(given, best) <= Math.max(2, given.length() / 3))
                .map(best -> "; did you mean '" + best + "'?")
                .orElse("");
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] row = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            row[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                row[j] = Math.min(substitute, Math.min(previous[j], row[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = row;
            row = swap;
        }
        return previous[b.length()];
    }
}
