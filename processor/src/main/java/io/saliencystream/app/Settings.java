package io.saliencystream.app;

import io.saliencystream.registry.RegistrySettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The settings of {@code run}, {@code verify} and {@code fetch-models}, in layers: the defaults of
 * {@link SettingDefinitions}, then the properties file ({@code -c}), then the environment, then the
 * command line ({@code --set key=value}); a later layer wins key by key.
 *
 * <p>Environment: {@code schema.registry.url} is {@code SALIENCY_STREAM_SCHEMA_REGISTRY_URL} (prefix,
 * upper case, dots and dashes as underscores). Keys with a model name in them are set the same way,
 * the model name written as Confluent's images write keys ({@code _} for {@code .}, {@code __} for
 * {@code _}, {@code ___} for {@code -}): {@code SALIENCY_STREAM_SAMPLING_RATE_TEXT___ORIENTATION} is
 * {@code sampling.rate.text-orientation}. Kafka settings are {@code KAFKA_*} the same way.
 *
 * <p>Every key and value is checked when the settings are made: unknown keys are refused with the
 * closest known key, values against their definition.
 */
public final class Settings {

    public static final String ENV_PREFIX = "SALIENCY_STREAM_";
    /** Environment variables with the prefix that are not settings. */
    private static final List<String> NOT_SETTINGS = List.of("SALIENCY_STREAM_DEBUG");

    private final Map<String, String> values = new TreeMap<>();
    private final Map<String, String> origins = new TreeMap<>();

    public Settings(Properties file, Map<String, String> env) {
        this(file, "the properties file", env, Map.of());
    }

    /** Settings from the layers, checked. */
    public Settings(Properties file, String fileName, Map<String, String> env, Map<String, String> commandLine) {
        file.stringPropertyNames().stream().sorted().forEach(key ->
                put(key, file.getProperty(key), fileName));
        env.keySet().stream().sorted().forEach(variable -> fromEnvironment(variable)
                .ifPresent(key -> put(key, env.get(variable), "environment " + variable)));
        commandLine.forEach((key, value) -> put(key, value, "--set " + key));
    }

    /** Settings from {@code path} (if given), the process environment and {@code commandLine}. */
    public static Settings load(Optional<Path> path, Map<String, String> commandLine) throws IOException {
        Properties properties = new Properties();
        if (path.isPresent()) {
            if (!Files.isRegularFile(path.get())) {
                throw new IOException("configuration file " + path.get().toAbsolutePath()
                        + (Files.exists(path.get()) ? " is not a regular file" : " does not exist"));
            }
            try (Reader reader = Files.newBufferedReader(path.get())) {
                properties.load(reader);
            } catch (NoSuchFileException e) {
                throw new ConfigException("Properties file " + path.get() + " does not exist");
            }
        }
        return new Settings(properties, path.map(p -> "file " + p).orElse("no file"), System.getenv(), commandLine);
    }

    public static Settings load(Optional<Path> path) throws IOException {
        return load(path, Map.of());
    }

    public static String envName(String key) {
        return ENV_PREFIX + envPart(key);
    }

    private static String envPart(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private void put(String key, String value, String origin) {
        String trimmed = value == null ? "" : value.strip();
        check(key.strip(), trimmed, origin);
        values.put(key.strip(), trimmed);
        origins.put(key.strip(), origin);
    }

    /** Refuses an unknown key or an invalid value, naming the key, the value, where it came from and what is allowed. */
    private static void check(String key, String value, String origin) {
        try {
            ConfigDef.ConfigKey fixed = SettingDefinitions.FIXED.configKeys().get(key);
            if (fixed != null) {
                Object parsed = ConfigDef.parseType(key, value, fixed.type);
                if (fixed.validator != null) {
                    fixed.validator.ensureValid(key, parsed);
                }
                return;
            }
            if (key.startsWith(KafkaPassThrough.PREFIX)) {
                KafkaPassThrough.validate(key.substring(KafkaPassThrough.PREFIX.length()), value, origin);
                return;
            }
            Optional<Object[]> family = SettingDefinitions.family(key);
            if (family.isPresent()) {
                ((SettingDefinitions.Family) family.get()[0]).validate(key, (String) family.get()[1], value);
                return;
            }
        } catch (ConfigException e) {
            throw new ConfigException(origin + ": " + hideSecret(key, e.getMessage(), value));
        }
        throw new ConfigException(origin + ": unknown setting '" + key + "'"
                + Suggestions.didYouMean(key, SettingDefinitions.allKeys().toList()));
    }

    private static String hideSecret(String key, String message, String value) {
        return SettingDefinitions.isSecret(key) && !value.isEmpty() ? message.replace(value, "[hidden]") : message;
    }

    /** The key an environment variable sets, empty for variables that are no setting. */
    private static Optional<String> fromEnvironment(String variable) {
        if (variable.startsWith(KafkaPassThrough.ENV_PREFIX)) {
            return KafkaPassThrough.fromEnvironment(variable).map(name -> KafkaPassThrough.PREFIX + name);
        }
        if (!variable.startsWith(ENV_PREFIX) || NOT_SETTINGS.contains(variable)) {
            return Optional.empty();
        }
        for (String key : SettingDefinitions.FIXED.names()) {
            if (envName(key).equals(variable)) {
                return Optional.of(key);
            }
        }
        // the longest tail first, so SAMPLING_RATE_X never swallows a tail of another family
        List<String[]> candidates = new ArrayList<>();
        for (SettingDefinitions.Family family : SettingDefinitions.FAMILIES) {
            for (String tail : family.tails()) {
                candidates.add(new String[] {family.prefix(), tail});
            }
        }
        candidates.sort(Comparator.comparingInt((String[] c) -> -(c[0].length() + c[1].length())));
        for (String[] candidate : candidates) {
            String head = envName(candidate[0]);
            String tail = envPart(candidate[1]);
            if (variable.startsWith(head) && variable.endsWith(tail)
                    && variable.length() > head.length() + tail.length()) {
                String middle = variable.substring(head.length(), variable.length() - tail.length());
                Optional<String> name = nameOf(candidate[0], middle);
                if (name.isPresent()) {
                    return Optional.of(candidate[0] + name.get() + candidate[1]);
                }
            }
        }
        throw new ConfigException("environment " + variable + ": unknown setting"
                + Suggestions.didYouMean(variable, SettingDefinitions.FIXED.names().stream()
                        .map(Settings::envName).toList()));
    }

    /** The name part of a family key from its environment spelling: a known reason or metric, else decoded. */
    private static Optional<String> nameOf(String prefix, String middle) {
        List<String> closed = SettingDefinitions.FAMILIES.stream().filter(f -> f.prefix().equals(prefix))
                .flatMap(f -> f.names().stream()).distinct().toList();
        if (closed.isEmpty()) {
            return Optional.of(KafkaPassThrough.decodeEnvironmentName(middle));
        }
        return closed.stream().filter(name -> envPart(name).equals(middle)).findFirst();
    }

    /** These settings with {@code key} set to {@code value} (checked), as a later layer would. */
    public Settings with(String key, String value, String origin) {
        Settings copy = new Settings(new Properties(), "", Map.of(), Map.of());
        copy.values.putAll(values);
        copy.origins.putAll(origins);
        copy.put(key, value, origin);
        return copy;
    }

    /** The fixed keys, typed, with their defaults. */
    public Map<String, Object> fixed() {
        Map<String, String> given = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (SettingDefinitions.FIXED.configKeys().containsKey(k)) {
                given.put(k, v);
            }
        });
        return SettingDefinitions.FIXED.parse(given);
    }

    /** The registry client's settings (Confluent's names). */
    public RegistrySettings registry() {
        require(RegistrySettings.URL);
        return RegistrySettings.parse(values);
    }

    public Optional<String> find(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public String require(String key) {
        return find(key).filter(v -> !v.isEmpty()).orElseThrow(() -> new ConfigException("Missing setting '" + key
                + "' (set it in the properties file, as " + envName(key) + ", or with --set " + key + "=...)"));
    }

    /**
     * Every setting whose key starts with {@code prefix}, prefix removed.
     */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /** The Kafka settings passed through, without {@code kafka.}. */
    public Map<String, String> kafka() {
        return withPrefix(KafkaPassThrough.PREFIX);
    }

    /** The settings given (not defaults), one per line with where each came from; secrets hidden. */
    public String summary() {
        return values.keySet().stream()
                .map(key -> "  " + key + " = " + shown(key) + "  (" + origins.get(key) + ")")
                .collect(Collectors.joining("\n"));
    }

    private String shown(String key) {
        if (SettingDefinitions.isSecret(key)) {
            return "[hidden]";
        }
        return key.equals(RegistrySettings.URL) ? RegistrySettings.redact(values.get(key)) : values.get(key);
    }
}
