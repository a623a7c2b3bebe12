package io.saliencystream.app.audit;

import io.saliencystream.engine.input.ImageDecoder;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.quality.InterpretationBuckets;
import io.saliencystream.schema.EncodedImage;
import io.saliencystream.schema.ImageFormat;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.serde.AvroTrust;
import io.saliencystream.stream.EngineEventExplainer;
import io.saliencystream.stream.TargetRules;
import io.saliencystream.stream.EventInputs;
import io.saliencystream.stream.ExplainedEvent;
import io.saliencystream.stream.Selection;
import io.saliencystream.testing.samples.SampleImages;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;

/** Events of rendered text lines explained by the processor's explainer on the real PaddleOCR model. */
public final class ExplainedFixtures {

    public static final Instant NOW = Instant.parse("2026-11-26T09:00:00Z");

    private ExplainedFixtures() {
    }

    public record Explained(InferenceEvent event, byte[] png, ExplainedEvent out) {
    }

    /**
     * The processor's explainer with the catalog's occlusion at a coarser stride for sampled
     * events (a quarter of the model calls, so the tests stay quick); the audit records it.
     */
    public static EngineEventExplainer explainer(ModelCatalog catalog) {
        AvroTrust.install();
        return new EngineEventExplainer(catalog, new ExplanationEngine(),
                new EventInputs(ImageDecoder.withDefaults(), 1 << 20, Optional.empty()), 4, 8,
                Map.of("java", "17"), Clock.fixed(NOW, ZoneOffset.UTC),
                Map.of(Selection.SAMPLED, new ModelSpec.MethodSpec("occlusion", Map.of("window", "6", "stride", "6",
                        "baseline", "median", "batch_size", "64", "score", "logodds"))),
                java.util.Set.of(), InterpretationBuckets.defaults(), TargetRules.unconfigured());
    }

    /** Explains the image event {@code id} of rendered sample {@code seed}, as a sampled event. */
    public static Explained explain(EngineEventExplainer explainer, String id, long seed, boolean rotated) throws Exception {
        byte[] png = png(SampleImages.sample(seed, rotated));
        InferenceEvent event = event(id, new EncodedImage(ImageFormat.PNG, ByteBuffer.wrap(png)));
        return new Explained(event, png, explainer.explain(event, Selection.of(true, List.of())).get(0));
    }

    public static InferenceEvent event(String id, Object input) {
        return InferenceEvent.newBuilder()
                .setEventId(id).setEventTime(NOW).setModelName("text-orientation")
                .setModelVersion("ppocr-mobile-v2.0-cls").setInput(input).build();
    }

    public static byte[] png(SampleImages.Sample sample) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(sample.image(), "png", out);
        return out.toByteArray();
    }
}
