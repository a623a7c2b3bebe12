package io.saliencystream.serde;

import io.saliencystream.testing.InProcessSchemaRegistryServer;
import io.saliencystream.testing.ApicurioRegistryServer;
import io.saliencystream.testing.InMemorySchemaRegistry;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.serde.ConfluentWireFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saliencystream.registry.HttpSchemaRegistryClient;
import io.saliencystream.schema.DeadLetter;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.SaliencySummary;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The project's registry client and serdes against a Confluent-API registry that no one here
 * wrote: Apicurio Registry 2.4.2 at its /apis/ccompat/v7 endpoint.
 */
@Tag("integration")
class ApicurioRegistryCompatibilityIT {

    private static ApicurioRegistryServer server;

    @BeforeAll
    static void start() {
        server = ApicurioRegistryServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void serdesRegisterWriteAndReadBackThroughApicurio() {
        AvroSerdes writerSide = new AvroSerdes(new HttpSchemaRegistryClient(server.confluentApiUrl()));
        // a second client with empty caches, so reading must resolve the writer's schema by id over HTTP
        AvroSerdes readerSide = new AvroSerdes(new HttpSchemaRegistryClient(server.confluentApiUrl()));

        for (InferenceEvent event : new InferenceEvent[] {
                SampleRecords.eventWithImage(), SampleRecords.eventWithTensor(), SampleRecords.eventWithUri()}) {
            byte[] bytes = writerSide.specific(InferenceEvent.class).serializer().serialize("inference-events", event);
            assertThat(bytes[0]).isZero();
            InferenceEvent back = readerSide.specific(InferenceEvent.class).deserializer()
                    .deserialize("inference-events", bytes);
            assertThat(back).isEqualTo(event);
        }
        assertRoundTrip(writerSide, readerSide, SaliencySummary.class, "saliency-summaries", SampleRecords.summary());
    }

    @Test
    void idInTheFrameResolvesToTheRegisteredSchemaById() {
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(server.confluentApiUrl());
        Schema schema = DeadLetter.getClassSchema();
        int id = client.register("dead-letters-value", schema);

        Schema fetched = new HttpSchemaRegistryClient(server.confluentApiUrl()).schemaById(id);
        assertThat(fetched).isEqualTo(schema);
        assertThat(client.register("dead-letters-value", schema)).as("registration is idempotent").isEqualTo(id);

        byte[] framed = new AvroSerdes(client).specific(DeadLetter.class).serializer()
                .serialize("dead-letters", SampleRecords.deadLetter());
        assertThat(ConfluentWireFormat.schemaId(framed)).isEqualTo(id);
    }

    /**
     * The processor's applications start together and each registers the output schemas on its first
     * record: Apicurio refuses all but the first of such concurrent registrations with 409 "already
     * exists" (seen in ConfluentClientIT), which must end in the one registered id, not an error.
     */
    @Test
    void concurrentFirstRegistrationsOfOneSubjectAllGetItsId() throws Exception {
        Schema schema = SaliencySummary.getClassSchema();
        String subject = "concurrent-" + System.nanoTime() + "-value";
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.List<java.util.concurrent.Future<Integer>> ids = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(server.confluentApiUrl());
                ids.add(pool.submit(() -> {
                    go.await();
                    return client.register(subject, schema);
                }));
            }
            go.countDown();
            java.util.Set<Integer> distinct = new java.util.HashSet<>();
            for (java.util.concurrent.Future<Integer> id : ids) {
                distinct.add(id.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(distinct).hasSize(1);
            assertThat(new HttpSchemaRegistryClient(server.confluentApiUrl()).schemaById(distinct.iterator().next()))
                    .isEqualTo(schema);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void unknownIdFromTheRealRegistryIsAClearSerializationError() {
        AvroSerdes serdes = new AvroSerdes(new HttpSchemaRegistryClient(server.confluentApiUrl()));
        byte[] framed = ConfluentWireFormat.frame(987_654, new byte[] {2, 'x'});
        assertThatThrownBy(() -> serdes.specific(InferenceEvent.class).deserializer().deserialize("t", framed))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("987654");
    }

    private static <T extends org.apache.avro.specific.SpecificRecordBase> void assertRoundTrip(
            AvroSerdes writer, AvroSerdes reader, Class<T> type, String topic, T record) {
        Serde<T> out = writer.specific(type);
        Serde<T> in = reader.specific(type);
        assertThat(in.deserializer().deserialize(topic, out.serializer().serialize(topic, record))).isEqualTo(record);
    }
}
