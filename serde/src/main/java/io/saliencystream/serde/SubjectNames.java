package io.saliencystream.serde;

/** Confluent's default subject naming (TopicNameStrategy). */
public final class SubjectNames {

    private SubjectNames() {
    }

    public static String topicName(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }
}
