package io.saliencystream.engine.method;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads a method's parameters, given as strings (a catalog entry, {@code k=v;k=v} settings, an
 * audit record), strictly: each read names a key and its default, and {@link #finish} refuses the
 * keys nothing read, so a misspelt key ({@code stpes=64}) fails instead of leaving the default in
 * force. Keys are snake_case, like the overlay options; a camelCase spelling of a known key is
 * refused with the snake_case one. Every message names the owner, the key and what is valid.
 */
public final class ParameterReader {

    private final String owner;
    private final Map<String, String> given;
    private final List<String> known = new ArrayList<>();

    /** @param owner what the parameters belong to, e.g. the method's name, for messages */
    public ParameterReader(String owner, Map<String, String> given) {
        this.owner = owner;
        this.given = new LinkedHashMap<>(given);
    }

    public String text(String key, String fallback) {
        known.add(key);
        String v = given.get(key);
        return v == null ? fallback : v.trim();
    }

    public int integer(String key, int fallback) {
        return parsed(key, Integer.toString(fallback), v -> {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + v + "' is not a whole number");
            }
        });
    }

    public long whole(String key, long fallback) {
        return parsed(key, Long.toString(fallback), v -> {
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + v + "' is not a whole number");
            }
        });
    }

    /** A finite number. */
    public double number(String key, double fallback) {
        return parsed(key, Double.toString(fallback), ParameterReader::finite);
    }

    public boolean bool(String key, boolean fallback) {
        return parsed(key, Boolean.toString(fallback), v -> {
            if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException("'" + v + "' is not true or false");
            }
            return Boolean.parseBoolean(v);
        });
    }

    /** One of {@code type}'s constants, spelt as {@link #id} writes it (any case). */
    public <E extends Enum<E>> E choice(String key, Class<E> type, E fallback) {
        return parsed(key, id(fallback), v -> choice(type, v));
    }

    /** Parsed by {@code parse}, whose {@link IllegalArgumentException} is reported with the key. */
    public <T> T parsed(String key, String fallback, Function<String, T> parse) {
        String v = text(key, fallback);
        try {
            return parse.apply(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(owner + " parameter " + key + ": " + e.getMessage(), e);
        }
    }

    /** Refuses any given key that was not read, naming the keys that were. */
    public void finish() {
        for (String key : given.keySet()) {
            if (known.contains(key)) {
                continue;
            }
            String snake = key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
            if (!snake.equals(key) && known.contains(snake)) {
                throw new IllegalArgumentException(owner + " parameter '" + key + "' is spelt '" + snake
                        + "' (parameters are snake_case); valid parameters: " + String.join(", ", known));
            }
            throw new IllegalArgumentException(owner + " has no parameter '" + key + "'; valid parameters: "
                    + String.join(", ", known));
        }
    }

    /** The lower-case name of a constant, as parameters spell it. */
    public static String id(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** The constant of {@code type} spelt {@code value} (any case), or a message listing the valid ones. */
    public static <E extends Enum<E>> E choice(Class<E> type, String value) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value.trim())) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown value '" + value + "'; valid: "
                + Arrays.stream(type.getEnumConstants()).map(ParameterReader::id).collect(Collectors.joining(", ")));
    }

    static double finite(String v) {
        try {
            double d = Double.parseDouble(v);
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("'" + v + "' is not a finite number");
    }
}
