package io.saliencystream.stream.drift;

import java.util.ArrayList;
import java.util.List;

/**
 * The key of one drift series: {@code modelName|modelVersion|predictedClass}, with {@code \}
 * and {@code |} inside the name and version escaped by {@code \}, so that any names make a
 * distinct key and {@code escape(model) + "|"} is a prefix of exactly that model's keys.
 */
public record DriftKey(String modelName, String modelVersion, int predictedClass) {

    public String format() {
        return escape(modelName) + '|' + escape(modelVersion) + '|' + predictedClass;
    }

    public static String format(String modelName, String modelVersion, int predictedClass) {
        return new DriftKey(modelName, modelVersion, predictedClass).format();
    }

    /** Parses a formatted key; throws with the reason for anything else. */
    public static DriftKey parse(String key) {
        List<String> parts = new ArrayList<>(3);
        StringBuilder part = new StringBuilder();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '\\' && i + 1 < key.length()) {
                part.append(key.charAt(++i));
            } else if (c == '|') {
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(c);
            }
        }
        parts.add(part.toString());
        if (parts.size() != 3) {
            throw new IllegalArgumentException("Drift key '" + key + "' must be model|version|class");
        }
        try {
            return new DriftKey(parts.get(0), parts.get(1), Integer.parseInt(parts.get(2)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Drift key '" + key + "' must end in an integer class", e);
        }
    }

    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("|", "\\|");
    }
}
