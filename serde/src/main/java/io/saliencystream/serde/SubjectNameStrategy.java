package io.saliencystream.serde;

import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;

/** Confluent's subject name strategies: under which registry subject a topic's schemas live. */
public enum SubjectNameStrategy {
    /** {@code <topic>-key} / {@code <topic>-value}: Confluent's default. */
    TOPIC("TopicNameStrategy"),
    /** The record's full name, whatever the topic. */
    RECORD("RecordNameStrategy"),
    /** {@code <topic>-<record full name>}. */
    TOPIC_RECORD("TopicRecordNameStrategy");

    private static final String CONFLUENT_PACKAGE = "io.confluent.kafka.serializers.subject.";

    private final String confluentName;

    SubjectNameStrategy(String confluentName) {
        this.confluentName = confluentName;
    }

    public String confluentName() {
        return confluentName;
    }

    public String subject(String topic, boolean isKey, Schema schema) {
        return switch (this) {
            case TOPIC -> topic + (isKey ? "-key" : "-value");
            case RECORD -> schema.getFullName();
            case TOPIC_RECORD -> topic + "-" + schema.getFullName();
        };
    }

    /** By Confluent's simple or fully qualified class name; refused naming the setting otherwise. */
    public static SubjectNameStrategy parse(String setting, String name) {
        String simple = name.strip().startsWith(CONFLUENT_PACKAGE) ? name.strip().substring(CONFLUENT_PACKAGE.length())
                : name.strip();
        return Arrays.stream(values()).filter(s -> s.confluentName.equals(simple)).findFirst()
                .orElseThrow(() -> new ConfigException(setting, name, "allowed: TopicNameStrategy, RecordNameStrategy, "
                        + "TopicRecordNameStrategy (or " + CONFLUENT_PACKAGE + "<name>)"));
    }
}
