package io.saliencystream.serde;

/**
 * How serializers use the registry, as Confluent's serializers do.
 *
 * @param autoRegister     register the record's schema; otherwise look its id up under the subject
 * @param useLatestVersion write with the subject's latest schema (the record resolved to it)
 * @param keyStrategy      subject names of keys
 * @param valueStrategy    subject names of values
 */
public record SerdeSettings(boolean autoRegister, boolean useLatestVersion, SubjectNameStrategy keyStrategy,
                            SubjectNameStrategy valueStrategy) {

    /** Confluent's defaults: auto-register, the record's own schema, topic-name subjects. */
    public static SerdeSettings defaults() {
        return new SerdeSettings(true, false, SubjectNameStrategy.TOPIC, SubjectNameStrategy.TOPIC);
    }

    SubjectNameStrategy strategy(boolean isKey) {
        return isKey ? keyStrategy : valueStrategy;
    }
}
