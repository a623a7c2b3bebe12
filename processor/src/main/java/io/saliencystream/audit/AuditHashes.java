package io.saliencystream.audit;

import io.saliencystream.engine.AttributionMap;
import io.saliencystream.engine.model.Hashes;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.schema.RawTensor;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.serde.FloatList;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an {@code ExplanationAudit} records of an explanation, computed one way for whoever writes
 * a record (the stream, {@code explain}) and whoever checks one ({@code verify}): the hashes of
 * the input, the map and the summary, and the preprocessing settings.
 */
public final class AuditHashes {

    private AuditHashes() {
    }

    /** SHA-256 of encoded image bytes, exactly as received. */
    public static String inputSha256(byte[] encodedImage) {
        return Hashes.sha256Hex(encodedImage);
    }

    /**
     * SHA-256 of a raw tensor input: its shape (int32) then values (float32), little-endian.
     */
    public static String inputSha256(RawTensor tensor) {
        ByteBuffer buf = ByteBuffer.allocate(4 * (tensor.getShape().size() + tensor.getData().size()))
                .order(ByteOrder.LITTLE_ENDIAN);
        tensor.getShape().forEach(buf::putInt);
        if (tensor.getData() instanceof FloatList floats) {
            // what the event deserializer reads: float[]-backed, taken without boxing
            for (int i = 0; i < floats.size(); i++) {
                buf.putFloat(floats.getFloat(i));
            }
        } else {
            tensor.getData().forEach(buf::putFloat);
        }
        return Hashes.sha256Hex(buf.array());
    }

    /**
     * SHA-256 of the map quantised canonically, so that it does not depend on float formatting:
     * width and height as int32, then each value divided by the map's largest magnitude and
     * rounded to a signed 16-bit integer, all big-endian.
     */
    public static String mapSha256(AttributionMap map) {
        float[] values = map.values();
        double maxAbs = 0;
        for (float v : values) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        ByteBuffer buf = ByteBuffer.allocate(8 + 2 * values.length).putInt(map.width()).putInt(map.height());
        for (float v : values) {
            buf.putShort(maxAbs == 0 ? 0 : (short) Math.round(v / maxAbs * Short.MAX_VALUE));
        }
        return Hashes.sha256Hex(buf.array());
    }

    /** SHA-256 of the summary's Avro binary encoding. */
    public static String summarySha256(SaliencySummary summary) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            new SpecificDatumWriter<>(SaliencySummary.class).write(summary, encoder);
            encoder.flush();
            return Hashes.sha256Hex(out.toByteArray());
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode summary of " + summary.getEventId(), e);
        }
    }

    /** The preprocessing settings an audit records for a model: what a verifier compares against. */
    public static Map<String, String> preprocessing(ModelSpec spec) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("inputName", spec.inputName());
        out.put("layout", spec.layout().name());
        out.put("width", Integer.toString(spec.width()));
        out.put("height", Integer.toString(spec.height()));
        out.put("channels", Integer.toString(spec.channels()));
        out.put("colorOrder", spec.colorOrder().name());
        out.put("pixelScale", Double.toString(spec.pixelScale()));
        out.put("mean", Arrays.toString(spec.mean()));
        out.put("std", Arrays.toString(spec.std()));
        out.put("resize", spec.resize().name());
        out.put("output", spec.output().name());
        return out;
    }
}
