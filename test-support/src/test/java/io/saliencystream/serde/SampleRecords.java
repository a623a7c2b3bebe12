package io.saliencystream.serde;

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
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One fully populated record of every schema: every union branch, optional field and collection non-empty. */
final class SampleRecords {

    static final Instant T0 = Instant.ofEpochMilli(1_767_225_600_123L);

    private SampleRecords() {
    }

    static InferenceEvent eventWithImage() {
        return event("evt-image", EncodedImage.newBuilder()
                .setFormat(ImageFormat.JPEG)
                .setData(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0x00, 0x7F}))
                .build());
    }

    static InferenceEvent eventWithTensor() {
        return event("evt-tensor", RawTensor.newBuilder()
                .setShape(List.of(3, 2, 2))
                .setData(List.of(0f, 1f, -1f, 0.5f, Float.MAX_VALUE, Float.MIN_VALUE, -0f, 3.25f, 7f, 8f, 9f, 10f))
                .build());
    }

    static InferenceEvent eventWithUri() {
        return event("evt-uri", InputUri.newBuilder()
                .setUri("file:///data/images/cat%20001.png")
                .setSha256("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
                .build());
    }

    private static InferenceEvent event(String id, Object input) {
        return InferenceEvent.newBuilder()
                .setEventId(id)
                .setEventTime(T0)
                .setModelName("resnet18")
                .setModelVersion("2024-06-01")
                .setInput(input)
                .setTopK(List.of(
                        ClassScore.newBuilder().setClassIndex(281).setLabel("tabby cat").setScore(0.91f).build(),
                        ClassScore.newBuilder().setClassIndex(282).setLabel(null).setScore(0.05f).build()))
                .setGroundTruthLabel("tabby cat")
                .setFlags(List.of("producer", "low-confidence"))
                .setRegionsOfInterest(List.of(box(0.1f, 0.2f, "face", null)))
                .setAttributes(Map.of("tenant", "acme", "camera", "gate-3 \u00e9\u4e2d"))
                .build();
    }

    static Box box(float x, float y, String label, Float mass) {
        return Box.newBuilder().setX(x).setY(y).setWidth(0.25f).setHeight(0.5f).setLabel(label).setMass(mass).build();
    }

    static SaliencySummary summary() {
        return SaliencySummary.newBuilder()
                .setEventId("evt-image")
                .setEventTime(T0)
                .setModelName("resnet18")
                .setModelVersion("2024-06-01")
                .setPredictedClass(281)
                .setPredictedLabel("tabby cat")
                .setPredictedScore(0.91f)
                .setReportedClass(282)
                .setMethod("integrated_gradients")
                .setSelectionReasons(List.of("sampled", "flag:producer"))
                .setImageWidth(224)
                .setImageHeight(224)
                .setGridRows(2)
                .setGridCols(2)
                .setGrid(List.of(0.4f, 0.3f, 0.2f, 0.1f))
                .setTopRegion(box(0f, 0f, null, 0.4f))
                .setTopRegions(List.of(box(0f, 0f, null, 0.4f), box(0.5f, 0f, null, 0.3f)))
                .setCentroidX(0.375f)
                .setCentroidY(0.3f)
                .setEntropy(0.92f)
                .setPositiveMass(1.5f)
                .setNegativeMass(-0.25f)
                .setCompletenessError(0.001f)
                .setModelCalls(4)
                .setModelEvaluations(64)
                .setDurationMillis(123L)
                .build();
    }

    static SaliencyOverlay overlay() {
        return SaliencyOverlay.newBuilder()
                .setEventId("evt-image")
                .setModelName("resnet18")
                .setModelVersion("2024-06-01")
                .setPredictedClass(281)
                .setPredictedLabel("tabby cat")
                .setMethod("occlusion")
                .setColorMap("viridis")
                .setWidth(2)
                .setHeight(1)
                .setPng(ByteBuffer.wrap(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}))
                .build();
    }

    static ExplanationAudit audit() {
        return ExplanationAudit.newBuilder()
                .setEventId("evt-image")
                .setEventTime(T0)
                .setExplainedAt(T0.plusMillis(250))
                .setModelName("resnet18")
                .setModelVersion("2024-06-01")
                .setModelSha256("aa".repeat(32))
                .setInputSha256("bb".repeat(32))
                .setPreprocessing(Map.of("size", "224x224", "mean", "0.485,0.456,0.406"))
                .setMethod("rise")
                .setParameters(Map.of("masks", "2000", "p", "0.5"))
                .setSeed(-4_611_686_018_427_387_904L)
                .setTargetClass(281)
                .setTargetScore(0.91f)
                .setMapSha256("cc".repeat(32))
                .setSummarySha256(null)
                .setSelectionReasons(List.of("flag:watched-class"))
                .setVersions(Map.of("java", "17", "onnxruntime", "1.29.0"))
                .build();
    }

    static AttentionDriftAlert alert() {
        return AttentionDriftAlert.newBuilder()
                .setModelName("resnet18")
                .setModelVersion("2024-06-01")
                .setPredictedClass(281)
                .setWindowStart(T0)
                .setWindowEnd(T0.plusSeconds(300))
                .setState(AlertState.RESOLVED)
                .setMetric("jensen-shannon")
                .setDistance(0.3125)
                .setThreshold(0.2)
                .setMessage("attention moved to the background")
                .build();
    }

    static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setSourceTopic("inference-events")
                .setSourcePartition(3)
                .setSourceOffset(9_876_543_210L)
                .setSourceTimestamp(T0)
                .setOriginalKey(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setOriginalValue(ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 42, (byte) 0xFF}))
                .setEventId(null)
                .setStage("decode")
                .setErrorCode("corrupt-avro")
                .setErrorClass("org.apache.kafka.common.errors.SerializationException")
                .setReason("truncated")
                .setFailedAt(T0.plusMillis(1))
                .build();
    }
}
