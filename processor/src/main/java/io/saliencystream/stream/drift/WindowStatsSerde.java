package io.saliencystream.stream.drift;

import io.saliencystream.drift.BucketedWindowStats;
import io.saliencystream.schema.AttentionWindowAggregate;
import io.saliencystream.serde.AvroSerdes;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The window store's value serde: the statistics travel as {@link AttentionWindowAggregate}
 * in the Confluent wire format, so the changelog is readable with the schema like any topic.
 */
final class WindowStatsSerde {

    private WindowStatsSerde() {
    }

    static Serde<BucketedWindowStats> of(AvroSerdes serdes) {
        Serde<AttentionWindowAggregate> avro = serdes.specific(AttentionWindowAggregate.class);
        Serializer<BucketedWindowStats> serializer = (topic, stats) ->
                stats == null ? null : avro.serializer().serialize(topic, DriftRecords.toAvro(stats));
        Deserializer<BucketedWindowStats> deserializer = (topic, bytes) -> {
            AttentionWindowAggregate a = avro.deserializer().deserialize(topic, bytes);
            return a == null ? null : DriftRecords.fromAvro(a);
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
