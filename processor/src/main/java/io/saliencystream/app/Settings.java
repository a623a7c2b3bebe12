package io.saliencystream.app;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The application's configuration: a properties file, overridden key by key by environment
 * variables. {@code schema.registry.url} is overridden by {@code SALIENCY_STREAM_SCHEMA_REGISTRY_URL}:
 * prefix {@code SALIENCY_STREAM_}, upper case, dots and dashes as underscores.
 */
public final class Settings {

    public static final String ENV_PREFIX = "SALIENCY_STREAM_";

    private final Properties file;
    private final Map<String, String> env;

    public Settings(Properties file, Map<String, String> env) {
        this.file = file;
        this.env = env;
    }

    /** Settings from {@code path} (if given) and the process environment. */
    public static Settings load(Optional<Path> path) throws IOException {
        Properties properties = new Properties();
        if (path.isPresent()) {
            if (!Files.isRegularFile(path.get())) {
                throw new IOException("configuration file " + path.get().toAbsolutePath()
                        + (Files.exists(path.get()) ? " is not a regular file" : " does not exist"));
            }
            try (Reader reader = Files.newBufferedReader(path.get())) {
                properties.load(reader);
            }
        }
        return new Settings(properties, System.getenv());
    }

    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public Optional<String> find(String key) {
        String fromEnv = env.get(envName(key));
        if (fromEnv != null) {
            return Optional.of(fromEnv.trim());
        }
        return Optional.ofNullable(file.getProperty(key)).map(String::trim);
    }

    public String get(String key, String defaultValue) {
        return find(key).orElse(defaultValue);
    }

    public String require(String key) {
        return find(key).orElseThrow(() -> new IllegalArgumentException(
                "Missing setting '" + key + "' (set it in the properties file or as " + envName(key) + ")"));
    }

    public double getDouble(String key, double defaultValue) {
        return find(key).map(v -> parse(key, v, Double::parseDouble)).orElse(defaultValue);
    }

    public Optional<Double> findDouble(String key) {
        return find(key).map(v -> parse(key, v, Double::parseDouble));
    }

    public int getInt(String key, int defaultValue) {
        return find(key).map(v -> parse(key, v, Integer::parseInt)).orElse(defaultValue);
    }

    /**
     * Every setting whose key starts with {@code prefix}, prefix removed, file first then
     * environment (an environment variable can only override a key the file names, since the
     * mapping from variable names back to keys is ambiguous).
     */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new TreeMap<>();
        for (String key : file.stringPropertyNames()) {
            if (key.startsWith(prefix)) {
                out.put(key.substring(prefix.length()), get(key, ""));
            }
        }
        return out;
    }

    private static <T> T parse(String key, String value, java.util.function.Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Setting '" + key + "' must be a number, got '" + value + "'", e);
        }
    }
}
