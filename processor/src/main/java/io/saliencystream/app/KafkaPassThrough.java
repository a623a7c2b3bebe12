package io.saliencystream.app;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Kafka client and Kafka Streams settings passed through unchanged: {@code kafka.<setting>} in the
 * file or on the command line, {@code KAFKA_<SETTING>} in the environment (Confluent's image
 * convention: {@code _} for {@code .}, {@code __} for {@code _}, {@code ___} for {@code -}).
 * A setting may carry Kafka Streams' client prefixes ({@code consumer.}, {@code producer.},
 * {@code admin.}, {@code main.consumer.}, ...). Names Kafka does not know are refused.
 */
public final class KafkaPassThrough {

    public static final String PREFIX = "kafka.";
    public static final String ENV_PREFIX = "KAFKA_";

    /** Variables of Kafka's own scripts and images, not client settings: never read as settings. */
    private static final Set<String> SCRIPT_VARIABLES = Set.of("KAFKA_HOME", "KAFKA_OPTS", "KAFKA_HEAP_OPTS",
            "KAFKA_JMX_OPTS", "KAFKA_LOG4J_OPTS", "KAFKA_GC_LOG_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_DEBUG",
            "KAFKA_VERSION", "KAFKA_LOG_DIR");

    private static final List<String> CLIENT_PREFIXES = List.of(StreamsConfig.MAIN_CONSUMER_PREFIX,
            StreamsConfig.RESTORE_CONSUMER_PREFIX, StreamsConfig.GLOBAL_CONSUMER_PREFIX, StreamsConfig.CONSUMER_PREFIX,
            StreamsConfig.PRODUCER_PREFIX, StreamsConfig.ADMIN_CLIENT_PREFIX);

    private static final List<ConfigDef> DEFINITIONS = List.of(StreamsConfig.configDef(), ConsumerConfig.configDef(),
            ProducerConfig.configDef(), AdminClientConfig.configDef());

    /** Kafka settings the processor defines itself, as top-level keys: set those instead. */
    static final Set<String> OWN = Set.of("bootstrap.servers", "application.id", "processing.guarantee",
            "replication.factor", "state.dir");

    private KafkaPassThrough() {
    }

    /** Checks one pass-through setting (without {@code kafka.}); throws naming it and what is allowed. */
    static void validate(String name, String value, String origin) {
        if (OWN.contains(name)) {
            throw new ConfigException(origin + ": '" + name + "' is a setting of its own here: set '" + name
                    + "' instead");
        }
        Optional<ConfigDef.ConfigKey> key = definition(name);
        if (name.startsWith(StreamsConfig.TOPIC_PREFIX)) {
            return;
        }
        if (key.isEmpty()) {
            throw new ConfigException(origin + ": '" + name + "' is not a Kafka client or Kafka Streams setting"
                    + Suggestions.didYouMean(name, knownNames()));
        }
        ConfigDef.ConfigKey k = key.get();
        Object parsed = ConfigDef.parseType(name, value, k.type);
        if (k.validator != null) {
            k.validator.ensureValid(k.name, parsed);
        }
    }

    static boolean isSecret(String name) {
        return definition(name).map(k -> k.type == ConfigDef.Type.PASSWORD).orElse(
                name.toLowerCase(Locale.ROOT).contains("password") || name.endsWith("jaas.config"));
    }

    /** The setting of a {@code KAFKA_*} variable, or empty for variables of Kafka's scripts. */
    static Optional<String> fromEnvironment(String variable) {
        if (!variable.startsWith(ENV_PREFIX) || SCRIPT_VARIABLES.contains(variable)) {
            return Optional.empty();
        }
        String rest = variable.substring(ENV_PREFIX.length());
        return Optional.of(decodeEnvironmentName(rest));
    }

    /** Confluent's convention, reversed: {@code ___} → {@code -}, {@code __} → {@code _}, {@code _} → {@code .}. */
    static String decodeEnvironmentName(String encoded) {
        return encoded.toLowerCase(Locale.ROOT).replace("___", "\u0000").replace("__", "\u0001").replace('_', '.')
                .replace('\u0000', '-').replace('\u0001', '_');
    }

    private static Optional<ConfigDef.ConfigKey> definition(String name) {
        String bare = name;
        for (String prefix : CLIENT_PREFIXES) {
            if (name.startsWith(prefix)) {
                bare = name.substring(prefix.length());
                break;
            }
        }
        for (ConfigDef def : DEFINITIONS) {
            ConfigDef.ConfigKey key = def.configKeys().get(bare);
            if (key != null) {
                return Optional.of(key);
            }
        }
        return Optional.empty();
    }

    private static Set<String> knownNames() {
        Set<String> names = new TreeSet<>();
        DEFINITIONS.forEach(def -> names.addAll(def.names()));
        return names;
    }

    /** Each pass-through setting of {@code settings}, without the prefix. */
    static Map<String, String> of(Map<String, String> settings) {
        Map<String, String> out = new java.util.TreeMap<>();
        settings.forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                out.put(k.substring(PREFIX.length()), v);
            }
        });
        return out;
    }

    static Stream<String> names() {
        return knownNames().stream();
    }
}
