package io.saliencystream.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.saliencystream.audit.AuditHashes;
import io.saliencystream.engine.input.ImageDecoder;
import io.saliencystream.engine.input.InvalidInputException;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.schema.EncodedImage;
import io.saliencystream.schema.ImageFormat;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.RawTensor;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.serde.AvroTrust;
import io.saliencystream.serde.ConfluentWireFormat;
import io.saliencystream.serde.FloatList;
import io.saliencystream.testing.InMemorySchemaRegistry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks every event gets, on events read from the Confluent wire format as the selection
 * stage reads them: written in the event schema (float arrays read unboxed) or in an older one
 * (read through Avro's resolving reader), with the same outcome and reason either way.
 */
class CatalogEventValidatorTest {

    /** The test catalog's shapes model: 3 x 64 x 64, NCHW. */
    private static final int VALUES = 3 * 64 * 64;

    @TempDir
    static Path store;

    private static ModelCatalog catalog;
    private static CatalogEventValidator validator;

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroSerdes serdes = new AvroSerdes(registry);
    private final EventDecoder<InferenceEvent> decoder =
            EventDecoder.events(serdes.specific(InferenceEvent.class).deserializer());

    @BeforeAll
    static void load() throws Exception {
        AvroTrust.install();
        catalog = ModelCatalog.fromResource("/models/test-catalog.json", new ModelStore(store));
        validator = new CatalogEventValidator(catalog,
                new EventInputs(ImageDecoder.withDefaults(), 1 << 20, Optional.empty()));
    }

    @AfterAll
    static void closeCatalog() throws Exception {
        catalog.close();
    }

    @Test
    void tensorsAreCheckedAlikeWhicheverSchemaTheyWereWrittenIn() throws Exception {
        Schema older = olderEventSchema();
        for (boolean own : new boolean[] {true, false}) {
            String how = own ? "event schema" : "older schema";
            InferenceEvent ok = read(tensor(List.of(3, 64, 64), values(VALUES, -1, 0f)), own, older);
            assertThat(((RawTensor) ok.getInput()).getData()).as(how)
                    .isInstanceOf(own ? FloatList.class : GenericData.Array.class);
            validator.validate(ok);
            assertThat(EventInputs.values((RawTensor) ok.getInput())).as(how)
                    .containsExactly(toArray(values(VALUES, -1, 0f)));

            assertRejected(read(tensor(List.of(3, 64, 64), values(VALUES, 77, Float.NaN)), own, older),
                    InvalidInputException.TENSOR_NOT_FINITE, "tensor value at flat index 77 is NaN", how);
            assertRejected(read(tensor(List.of(3, 64, 64), values(VALUES, 0, Float.POSITIVE_INFINITY)), own, older),
                    InvalidInputException.TENSOR_NOT_FINITE, "tensor value at flat index 0 is Infinity", how);
            assertRejected(read(tensor(List.of(3, 64, 64), values(VALUES, VALUES - 1, Float.NEGATIVE_INFINITY)), own, older),
                    InvalidInputException.TENSOR_NOT_FINITE, "flat index " + (VALUES - 1) + " is -Infinity", how);
            assertRejected(read(tensor(List.of(3, 64, 64), values(VALUES - 1, -1, 0f)), own, older),
                    InvalidInputException.TENSOR_SHAPE_MISMATCH, "tensor has " + (VALUES - 1) + " values", how);
            assertRejected(read(tensor(List.of(3, 64, 64), values(VALUES + 1, -1, 0f)), own, older),
                    InvalidInputException.TENSOR_SHAPE_MISMATCH, "tensor has " + (VALUES + 1) + " values", how);
            assertRejected(read(tensor(List.of(3, 32, 128), values(VALUES, -1, 0f)), own, older),
                    InvalidInputException.TENSOR_SHAPE_MISMATCH, "does not match model", how);
        }
    }

    @Test
    void imageEventsAndTensorHashesAreUnchanged() throws Exception {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        image.setRGB(10, 20, 0x336699);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        InferenceEvent event = event(new EncodedImage(ImageFormat.PNG, ByteBuffer.wrap(png.toByteArray())));
        InferenceEvent read = read(event, true, null);
        assertThat(read).isEqualTo(event);
        validator.validate(read);

        InferenceEvent tensor = tensor(List.of(3, 64, 64), values(VALUES, 5, 0.75f));
        RawTensor unboxed = (RawTensor) read(tensor, true, null).getInput();
        assertThat(unboxed.getData()).isInstanceOf(FloatList.class);
        assertThat(AuditHashes.inputSha256(unboxed)).isEqualTo(AuditHashes.inputSha256((RawTensor) tensor.getInput()));
    }

    private static void assertRejected(InferenceEvent event, String code, String reason, String how) {
        assertThatThrownBy(() -> validator.validate(event)).as(how)
                .isInstanceOfSatisfying(RejectedInputException.class, e -> {
                    assertThat(e.code()).as(how).isEqualTo(code);
                    assertThat(e.stage()).isEqualTo(Stage.VALIDATE);
                })
                .hasMessageContaining(reason);
    }

    /** Written in the event schema by the product's serializer, or in {@code older} by a generic writer. */
    private InferenceEvent read(InferenceEvent event, boolean own, Schema older) throws Exception {
        byte[] bytes;
        if (own) {
            bytes = serdes.specific(InferenceEvent.class).serializer().serialize("inference-events", event);
        } else {
            GenericRecord written = new GenericData.Record(older);
            older.getFields().forEach(f -> written.put(f.name(), event.get(f.name())));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(older, SpecificData.getForClass(InferenceEvent.class))
                    .write(written, encoder);
            encoder.flush();
            bytes = ConfluentWireFormat.frame(registry.register("older-events-value", older), out.toByteArray());
        }
        return decoder.decode("inference-events", bytes);
    }

    /** The event schema before its attributes field (which has a default) was added. */
    private static Schema olderEventSchema() throws IOException {
        ObjectNode root = (ObjectNode) new ObjectMapper().readTree(InferenceEvent.getClassSchema().toString());
        ArrayNode fields = (ArrayNode) root.get("fields");
        for (int i = fields.size() - 1; i >= 0; i--) {
            if (fields.get(i).get("name").asText().equals("attributes")) {
                fields.remove(i);
            }
        }
        return new Schema.Parser().parse(root.toString());
    }

    private static InferenceEvent tensor(List<Integer> shape, List<Float> values) {
        return event(new RawTensor(shape, values));
    }

    private static InferenceEvent event(Object input) {
        return InferenceEvent.newBuilder().setEventId("evt-1").setEventTime(Instant.ofEpochMilli(1_000))
                .setModelName("shapes").setModelVersion("v1").setInput(input).build();
    }

    /** {@code count} values in [-1, 1), with {@code special} at index {@code at} (none if negative). */
    private static List<Float> values(int count, int at, float special) {
        List<Float> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(i == at ? special : (i % 200) / 100f - 1f);
        }
        return values;
    }

    private static float[] toArray(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
