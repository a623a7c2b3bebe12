package io.saliencystream.stream;

import io.saliencystream.schema.ClassScore;
import io.saliencystream.schema.EncodedImage;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.ImageFormat;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.RawTensor;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.schema.SaliencySummary;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Inference events and fake engine ports for the stream tests. */
final class TestEvents {

    static {
        // Avro 1.12 builds records with defaults only for trusted classes; the app installs this at start.
        io.saliencystream.serde.AvroTrust.install();
    }

    static final String KNOWN_MODEL = "resnet";
    static final String RARE_MODEL = "rare";
    static final int MAX_IMAGE_BYTES = 1_000;

    private TestEvents() {
    }

    /** An event of {@code model} with a small PNG-tagged image and top-k {@code (index, label, score)...}. */
    static InferenceEvent event(String id, String model, Object... topK) {
        List<ClassScore> scores = new ArrayList<>();
        for (int i = 0; i < topK.length; i += 3) {
            scores.add(new ClassScore((Integer) topK[i], (String) topK[i + 1], ((Number) topK[i + 2]).floatValue()));
        }
        return InferenceEvent.newBuilder()
                .setEventId(id)
                .setEventTime(Instant.parse("2025-01-01T00:00:00Z"))
                .setModelName(model)
                .setModelVersion("1")
                .setInput(new EncodedImage(ImageFormat.PNG, ByteBuffer.wrap(new byte[] {(byte) 0x89, 'P', 'N', 'G'})))
                .setTopK(scores)
                .build();
    }

    static InferenceEvent event(String id) {
        return event(id, KNOWN_MODEL, 3, "cat", 0.9f, 5, "dog", 0.05f);
    }

    static InferenceEvent withFlags(InferenceEvent e, String... flags) {
        e.setFlags(List.of(flags));
        return e;
    }

    /**
     * Validator fake: knows {@link #KNOWN_MODEL} and {@link #RARE_MODEL}, limits images to
     * {@link #MAX_IMAGE_BYTES}, checks that a tensor's shape matches its data, and throws a
     * runtime exception for model "validator-bug".
     */
    static final EventValidator VALIDATOR = e -> {
        if (e.getModelName().equals("validator-bug")) {
            throw new IllegalStateException("validator bug");
        }
        if (!Set.of(KNOWN_MODEL, RARE_MODEL).contains(e.getModelName())) {
            throw RejectedInputException.validation(ErrorCodes.UNKNOWN_MODEL, "Model " + e.getModelName() + " is not in the catalog");
        }
        if (e.getInput() instanceof EncodedImage image && image.getData().remaining() > MAX_IMAGE_BYTES) {
            throw RejectedInputException.validation(ErrorCodes.IMAGE_TOO_LARGE,
                    "Image is " + image.getData().remaining() + " bytes, over " + MAX_IMAGE_BYTES);
        }
        if (e.getInput() instanceof RawTensor tensor) {
            long count = tensor.getShape().stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b);
            if (count != tensor.getData().size()) {
                throw RejectedInputException.validation(ErrorCodes.TENSOR_SHAPE_MISMATCH,
                        "Shape " + tensor.getShape() + " needs " + count + " values, got " + tensor.getData().size());
            }
        }
    };

    /**
     * Explainer fake: builds the three records from the event (no overlay for raw tensors);
     * attribute {@code fail=reject} makes it reject the input, {@code fail=crash} throw.
     */
    static final EventExplainer EXPLAINER = (e, selection) -> {
        String fail = e.getAttributes().get("fail");
        if ("reject".equals(fail)) {
            throw RejectedInputException.explanation(ErrorCodes.INPUT_UNAVAILABLE, "Cannot fetch the input", null);
        }
        if ("crash".equals(fail)) {
            throw new IllegalStateException("explainer bug on " + e.getEventId());
        }
        ClassScore top = e.getTopK().isEmpty() ? new ClassScore(0, null, 0f) : e.getTopK().get(0);
        SaliencySummary summary = SaliencySummary.newBuilder()
                .setEventId(e.getEventId()).setEventTime(e.getEventTime())
                .setModelName(e.getModelName()).setModelVersion(e.getModelVersion())
                .setPredictedClass(top.getClassIndex()).setPredictedLabel(top.getLabel()).setPredictedScore(top.getScore())
                .setMethod("fake").setImageWidth(2).setImageHeight(2).setGridRows(1).setGridCols(1)
                .setGrid(List.of(1f)).setPositiveMass(1f).setNegativeMass(0f).setModelCalls(1).setDurationMillis(0)
                .build();
        SaliencyOverlay overlay = e.getInput() instanceof RawTensor ? null : SaliencyOverlay.newBuilder()
                .setEventId(e.getEventId()).setModelName(e.getModelName()).setModelVersion(e.getModelVersion())
                .setPredictedClass(top.getClassIndex()).setMethod("fake").setColorMap("viridis")
                .setWidth(2).setHeight(2).setPng(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .build();
        ExplanationAudit audit = ExplanationAudit.newBuilder()
                .setEventId(e.getEventId()).setEventTime(e.getEventTime()).setExplainedAt(e.getEventTime())
                .setModelName(e.getModelName()).setModelVersion(e.getModelVersion())
                .setModelSha256("00").setInputSha256("00").setMethod("fake").setSeed(1)
                .setTargetClass(top.getClassIndex()).setTargetScore(top.getScore())
                .setParameters(Map.of())
                .build();
        return List.of(new ExplainedEvent(summary, overlay, audit));
    };
}
