package io.saliencystream.tools.demo;

import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelRunner;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;
import io.saliencystream.schema.ClassScore;
import io.saliencystream.schema.EncodedImage;
import io.saliencystream.schema.ImageFormat;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.InputUri;
import io.saliencystream.schema.RawTensor;
import io.saliencystream.serde.ConfluentWireFormat;
import io.saliencystream.testing.samples.GroundTruthSamples;
import io.saliencystream.testing.samples.SampleImages;
import org.apache.kafka.common.serialization.Serializer;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/**
 * The embedded default's input: inference events of the text-orientation model over rendered
 * text lines (upright and rotated 180°), with the model's own top-k as a serving layer would
 * report it, plus one event of every bad-input kind so the dead-letter path shows in the report;
 * and the attention-drift scenario's events of the ground-truth model (see {@link DriftScenario}).
 */
public final class SampleEvents {

    /** One record to produce: key and value bytes as they go on the wire, and what it is. */
    public record Sample(String key, byte[] value, String description) {
    }

    /**
     * Key of every drift-scenario event: they come from one camera, and one key keeps them in one
     * partition, in event-time order, as a per-source producer would send them.
     */
    static final String DRIFT_SOURCE_KEY = "shapes-camera-1";

    /** Every 40th good event carries a producer flag, as a customer report would set it. */
    static final int PRODUCER_FLAG_EVERY = 40;

    private final CatalogModel model;
    private final Serializer<InferenceEvent> serializer;
    private final String topic;

    public SampleEvents(CatalogModel model, Serializer<InferenceEvent> serializer, String topic) {
        this.model = model;
        this.serializer = serializer;
        this.topic = topic;
    }

    /** {@code count} good events (images and a few raw tensors) from {@code seed}, then the bad ones. */
    public List<Sample> build(long seed, int count, Instant start) throws Exception {
        List<Sample> out = new ArrayList<>();
        Preprocessor preprocessor = new Preprocessor(model.spec());
        ModelRunner runner = new ModelRunner(model);
        List<SampleImages.Sample> images = SampleImages.samples(seed, count);
        for (int i = 0; i < images.size(); i++) {
            SampleImages.Sample s = images.get(i);
            float[] tensor = preprocessor.tensor(s.image());
            float[] scores = runner.scores(tensor, 1)[0];
            Object input = i % 25 == 24 ? rawTensor(tensor) : png(s.image());
            InferenceEvent event = event("evt-" + seed + "-" + i, start.plusMillis(100L * i), input, scores)
                    .setGroundTruthLabel(s.expectedLabel())
                    .setFlags(i % PRODUCER_FLAG_EVERY == 7 ? List.of("customer-report") : List.of())
                    .setAttributes(Map.of("text", s.text(), "source", "demo"))
                    .build();
            out.add(new Sample(event.getEventId(), serializer.serialize(topic, event),
                    (s.rotated() ? "rotated" : "upright") + " text line"));
        }
        out.addAll(badInputs(start.plusMillis(100L * count), runner.scores(preprocessor.tensor(images.get(0).image()), 1)[0]));
        return out;
    }

    /**
     * The drift scenario's events for {@code shapes}: the shipped clean images in turn, the stamp
     * painted on from event {@link DriftScenario#stamped} on; each with the model's own scores as
     * the serving layer would report them, and its true label.
     */
    public List<Sample> driftEvents(CatalogModel shapes, DriftScenario scenario, Instant firstWindowStart)
            throws Exception {
        Preprocessor preprocessor = new Preprocessor(shapes.spec());
        ModelRunner runner = new ModelRunner(shapes);
        List<GroundTruthSamples.Sample> images = GroundTruthSamples.clean();
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < scenario.events(); i++) {
            GroundTruthSamples.Sample s = images.get(i % images.size());
            boolean stamped = scenario.stamped(i);
            BufferedImage image = stamped ? withStamp(s) : s.image();
            float[] scores = runner.scores(preprocessor.tensor(image), 1)[0];
            InferenceEvent event = event(shapes.spec(), "shapes-" + i, scenario.eventTime(firstWindowStart, i),
                    png(image), scores)
                    .setGroundTruthLabel(s.label())
                    .setFlags(List.of())
                    .setAttributes(Map.of("source", "demo-drift", "stamped", Boolean.toString(stamped)))
                    .build();
            out.add(new Sample(DRIFT_SOURCE_KEY, serializer.serialize(topic, event),
                    (stamped ? "stamped " : "clean ") + s.label()));
        }
        return out;
    }

    /**
     * A copy of {@code s} with the stamp painted on as the training data's generator paints it
     * (models/groundtruth/shapes_data.py, paint_stamp): a checkerboard of 2x2 red (230, 20, 20)
     * and white squares, red first.
     */
    static BufferedImage withStamp(GroundTruthSamples.Sample s) {
        BufferedImage src = s.image();
        BufferedImage img = new BufferedImage(src.getWidth(), src.getHeight(),
                BufferedImage.TYPE_INT_RGB);
        img.getGraphics().drawImage(src, 0, 0, null);
        int[] b = s.stamp();
        for (int y = b[1]; y < b[3]; y++) {
            for (int x = b[0]; x < b[2]; x++) {
                boolean red = ((x - b[0]) / 2 + (y - b[1]) / 2) % 2 == 0;
                img.setRGB(x, y, red ? 0xe61414 : 0xffffff);
            }
        }
        return img;
    }

    private List<Sample> badInputs(Instant time, float[] scores) throws IOException {
        List<Sample> bad = new ArrayList<>();
        bad.add(new Sample("bad-garbage", "not avro at all".getBytes(StandardCharsets.UTF_8), "garbage bytes"));
        bad.add(new Sample("bad-schema-id", ConfluentWireFormat.frame(999_999, new byte[] {2, 'x'}),
                "unknown schema id"));
        bad.add(new Sample("bad-null", null, "null value (tombstone)"));
        bad.add(good("bad-model", event("bad-model", time, png(SampleImages.sample(1, false).image()), scores)
                .setModelVersion("no-such-version").build(), "unknown model version"));
        byte[] pngBytes = pngBytes(SampleImages.sample(2, false).image());
        bad.add(good("bad-image", event("bad-image", time,
                new EncodedImage(ImageFormat.PNG, ByteBuffer.wrap(Arrays.copyOf(pngBytes, 20))), scores).build(),
                "truncated PNG"));
        bad.add(good("bad-bomb", event("bad-bomb", time,
                new EncodedImage(ImageFormat.PNG, ByteBuffer.wrap(pngBomb())), scores).build(),
                "PNG header claiming 100000 x 100000 pixels"));
        bad.add(good("bad-shape", event("bad-shape", time,
                new RawTensor(List.of(3, 32, 32), floats(3 * 32 * 32, 0f)), scores).build(), "tensor of the wrong shape"));
        List<Integer> shape = Arrays.stream(model.spec().inputShape(1)).skip(1).mapToObj(d -> (int) d).toList();
        bad.add(good("bad-nan", event("bad-nan", time,
                new RawTensor(shape, floats(model.spec().inputSize(), Float.NaN)), scores).build(), "tensor of NaNs"));
        bad.add(good("bad-uri", event("bad-uri", time, new InputUri("s3://bucket/image.png", null), scores).build(),
                "claim check the processor may not fetch"));
        return bad;
    }

    private Sample good(String key, InferenceEvent event, String description) {
        return new Sample(key, serializer.serialize(topic, event), description);
    }

    private InferenceEvent.Builder event(String id, Instant time, Object input, float[] scores) {
        return event(model.spec(), id, time, input, scores);
    }

    private static InferenceEvent.Builder event(ModelSpec spec, String id, Instant time, Object input, float[] scores) {
        List<ClassScore> topK = new ArrayList<>();
        Integer[] order = new Integer[scores.length];
        Arrays.setAll(order, k -> k);
        Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
        for (int k : order) {
            topK.add(new ClassScore(k, spec.labels().get(k), scores[k]));
        }
        return InferenceEvent.newBuilder()
                .setEventId(id)
                .setEventTime(time)
                .setModelName(spec.name())
                .setModelVersion(spec.version())
                .setInput(input)
                .setTopK(topK);
    }

    private static EncodedImage png(BufferedImage image) throws IOException {
        return new EncodedImage(ImageFormat.PNG, ByteBuffer.wrap(pngBytes(image)));
    }

    private static byte[] pngBytes(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static RawTensor rawTensor(float[] tensor) {
        return new RawTensor(List.of(3, SampleImages.HEIGHT, SampleImages.WIDTH), boxed(tensor));
    }

    private static List<Float> floats(int n, float value) {
        float[] values = new float[n];
        Arrays.fill(values, value);
        return boxed(values);
    }

    private static List<Float> boxed(float[] values) {
        List<Float> out = new ArrayList<>(values.length);
        for (float v : values) {
            out.add(v);
        }
        return out;
    }

    /** A PNG of a signature, an IHDR claiming 100000 x 100000 RGB pixels, and IEND: a decompression bomb's header. */
    static byte[] pngBomb() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(100_000).putInt(100_000).put(new byte[] {8, 2, 0, 0, 0});
            chunk(out, "IHDR", ihdr.array());
            chunk(out, "IEND", new byte[0]);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(data.length);
        out.write(name);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }
}
