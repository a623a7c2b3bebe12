package io.saliencystream.serde;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saliencystream.schema.AlertState;
import io.saliencystream.schema.AttentionDriftAlert;
import io.saliencystream.schema.Box;
import io.saliencystream.schema.ClassScore;
import io.saliencystream.schema.DeadLetter;
import io.saliencystream.schema.EncodedImage;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.ImageFormat;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.InputUri;
import io.saliencystream.schema.RawTensor;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.schema.SaliencySummary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;
import org.junit.jupiter.api.Test;

/**
 * Avro 1.12.2's class check, and the project's answer to it. Reading uses a fresh SpecificData
 * each time: SpecificData caches classes it has loaded, and a cached class is never checked again.
 */
class AvroTrustTest {

    private static final List<Class<?>> GENERATED = List.of(InferenceEvent.class, EncodedImage.class,
            RawTensor.class, InputUri.class, ClassScore.class, Box.class, ImageFormat.class, SaliencySummary.class,
            SaliencyOverlay.class, ExplanationAudit.class, AttentionDriftAlert.class, AlertState.class,
            DeadLetter.class);

    /** A specific record outside the trusted package. */
    private static final class ForeignRecord extends SpecificRecordBase {
        @Override
        public Schema getSchema() {
            return Schema.create(Schema.Type.NULL);
        }

        @Override
        public Object get(int field) {
            return null;
        }

        @Override
        public void put(int field, Object value) {
        }
    }

    @Test
    void avroAloneRefusesTheGeneratedClasses() throws IOException {
        assertThat(System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES"))
                .as("the build must not trust packages behind the code's back").isNull();
        assertThat(ClassSecurityValidator.DEFAULT.isTrusted(InferenceEvent.class)).isFalse();

        byte[] bytes = avroBinary(SampleRecords.eventWithImage());
        ClassSecurityPredicate installed = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.DEFAULT);
        try {
            assertThatThrownBy(() -> readWithFreshSpecificData(bytes))
                    .isInstanceOf(SecurityException.class)
                    .hasMessageContaining("io.saliencystream.schema.InferenceEvent");
        } finally {
            ClassSecurityValidator.setGlobal(installed);
        }
    }

    @Test
    void installedTrustCoversEveryGeneratedClassAndReadsInferenceEvents() throws IOException {
        AvroTrust.install();
        AvroTrust.install(); // idempotent
        for (Class<?> type : GENERATED) {
            assertThat(ClassSecurityValidator.getGlobal().isTrusted(type)).as(type.getName()).isTrue();
        }
        for (InferenceEvent event : List.of(SampleRecords.eventWithImage(), SampleRecords.eventWithTensor(),
                SampleRecords.eventWithUri())) {
            InferenceEvent read = readWithFreshSpecificData(avroBinary(event));
            assertThat(read).isEqualTo(event);
            assertThat(read.getInput()).isInstanceOf(event.getInput().getClass());
        }
    }

    @Test
    void trustIsNarrow() {
        AvroTrust.install();
        assertThat(AvroTrust.isProjectSchemaClass(ForeignRecord.class)).as("record outside the package").isFalse();
        assertThat(AvroTrust.isProjectSchemaClass(InferenceEvent.Builder.class)).as("non-record in the package")
                .isFalse();
        assertThat(AvroTrust.isProjectSchemaClass(ProcessBuilder.class)).isFalse();
        assertThat(ClassSecurityValidator.getGlobal().isTrusted(ForeignRecord.class)).isFalse();
        assertThatThrownBy(() -> ClassSecurityValidator.validate(ProcessBuilder.class))
                .isInstanceOf(SecurityException.class);
        // what Avro trusted before stays trusted
        assertThat(ClassSecurityValidator.getGlobal().isTrusted(String.class)).isTrue();
    }

    private static byte[] avroBinary(InferenceEvent event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(InferenceEvent.class).write(event, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static InferenceEvent readWithFreshSpecificData(byte[] bytes) throws IOException {
        SpecificData data = new SpecificData();
        data.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        Schema schema = InferenceEvent.getClassSchema();
        return new SpecificDatumReader<InferenceEvent>(schema, schema, data)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    }
}
