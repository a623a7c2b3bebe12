package io.saliencystream.engine.model;

import io.saliencystream.engine.input.InvalidInputException;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.method.Occlusion;
import io.saliencystream.engine.method.Rise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelCatalogTest {

    @TempDir
    Path dir;

    @Test
    void catalogDescribesThePaddleOcrClassifier() throws Exception {
        try (ModelCatalog catalog = ModelCatalog.fromResource("/models/test-catalog.json", new ModelStore(dir))) {
            assertThat(catalog.models()).hasSize(2);
            ModelSpec spec = catalog.find("text-orientation", "ppocr-mobile-v2.0-cls").orElseThrow().spec();
            assertThat(spec.inputShape(1)).containsExactly(1, 3, 48, 192);
            assertThat(spec.labels()).containsExactly("0", "180");
            assertThat(spec.colorOrder()).isEqualTo(ModelSpec.ColorOrder.BGR);
            assertThat(spec.resize()).isEqualTo(ModelSpec.ResizeMode.KEEP_ASPECT_PAD_RIGHT);
            assertThat(spec.source()).isEqualTo(ModelStore.PADDLE_OCR_CLS);
            assertThat(spec.method().name()).isEqualTo("occlusion");
            assertThat(Occlusion.Params.from(spec.method().parameters()).baseline()).isEqualTo("median");
            assertThat(catalog.find("text-orientation", "v9")).isEmpty();
            assertThatThrownBy(() -> catalog.require("text-orientation", "v9"))
                    .isInstanceOfSatisfying(InvalidInputException.class,
                            e -> assertThat(e.code()).isEqualTo(InvalidInputException.UNKNOWN_MODEL));
        }
    }

    @Test
    void classpathModelsAreCopiedToTheStore() throws Exception {
        try (ModelCatalog catalog = ModelCatalog.fromResource("/models/test-catalog.json", new ModelStore(dir))) {
            CatalogModel shapes = catalog.require("shapes", "v1");
            assertThat(shapes.spec().labels()).containsExactly("circle", "square", "triangle", "cross");
            assertThat(shapes.spec().inputShape(1)).containsExactly(1, 3, 64, 64);
            Path file = shapes.file();
            assertThat(file.getParent()).isEqualTo(dir);
            try (var in = ModelCatalog.class.getResourceAsStream("/models/groundtruth/shapes-v1.onnx")) {
                assertThat(Files.readAllBytes(file)).isEqualTo(in.readAllBytes());
            }
            assertThat(shapes.session().getInputNames()).containsExactly("x");
            assertThat(new ExplanationEngine().defaultExplainer(shapes.spec())).isInstanceOf(Rise.class);
        }
        // a stale copy in the store is replaced by the shipped model
        Path stale = dir.resolve("shapes-v1-shapes-v1.onnx");
        Files.write(stale, new byte[] {1, 2, 3});
        try (ModelCatalog catalog = ModelCatalog.fromResource("/models/test-catalog.json", new ModelStore(dir))) {
            assertThat(Files.size(catalog.require("shapes", "v1").file())).isGreaterThan(1000);
        }
    }

    @Test
    void rejectsInvalidCatalogsWithAMessage() throws Exception {
        // a misspelt optional field must not silently fall back to its default
        Path typo = dir.resolve("typo.json");
        Files.writeString(typo, """
                {"models": [{"name": "m", "version": "1", "onnxFile": "m.onnx", "inputName": "x", "layout": "NCHW",
                  "width": 4, "height": 4, "channels": 1, "pixelScale": 1, "mean": [0], "std": [1], "colourOrder": "BGR",
                  "output": "LOGITS", "labels": ["a", "b"], "method": {"name": "occlusion"}}]}""");
        assertThatThrownBy(() -> ModelCatalog.load(typo, new ModelStore(dir)))
                .hasMessageContaining("invalid model catalog").hasMessageContaining("colourOrder");
        Path badChannels = dir.resolve("channels.json");
        Files.writeString(badChannels, """
                {"models": [{"name": "m", "version": "1", "onnxFile": "m.onnx", "inputName": "x", "layout": "NCHW",
                  "width": 4, "height": 4, "channels": 2, "pixelScale": 1, "mean": [0, 0], "std": [1, 1],
                  "output": "LOGITS", "labels": ["a", "b"], "method": {"name": "occlusion"}}]}""");
        assertThatThrownBy(() -> ModelCatalog.load(badChannels, new ModelStore(dir)))
                .hasMessageContaining("channels must be 1 or 3");
    }

    @Test
    void modelWithoutSourceMustExistInTheStore() throws Exception {
        Path json = dir.resolve("c.json");
        Files.writeString(json, """
                {"models": [{"name": "m", "version": "1", "onnxFile": "absent.onnx", "inputName": "x", "layout": "NCHW",
                  "width": 4, "height": 4, "channels": 1, "pixelScale": 1, "mean": [0], "std": [1],
                  "output": "LOGITS", "labels": ["a", "b"], "method": {"name": "occlusion"}}]}""");
        try (ModelCatalog catalog = ModelCatalog.load(json, new ModelStore(dir))) {
            CatalogModel m = catalog.find("m", "1").orElseThrow();
            assertThatThrownBy(m::file).hasMessageContaining("absent.onnx").hasMessageContaining("does not exist");
        }
    }

    @Test
    void methodCanCarryOverlayOptions() throws Exception {
        Path json = dir.resolve("o.json");
        Files.writeString(json, """
                {"models": [{"name": "m", "version": "1", "onnxFile": "absent.onnx", "inputName": "x", "layout": "NCHW",
                  "width": 4, "height": 4, "channels": 1, "pixelScale": 1, "mean": [0], "std": [1],
                  "output": "LOGITS", "labels": ["a", "b"],
                  "method": {"name": "occlusion", "parameters": {"window": 2},
                             "overlay": {"type": "outlines", "color_map": "red"}}}]}""");
        try (ModelCatalog catalog = ModelCatalog.load(json, new ModelStore(dir))) {
            ModelSpec.MethodSpec method = catalog.find("m", "1").orElseThrow().spec().method();
            assertThat(method.parameters()).containsEntry("window", "2");
            assertThat(method.overlay()).containsEntry("type", "outlines").containsEntry("color_map", "red");
        }
    }

    @Test
    void sessionSettingsOfAnEntryGoOverTheApplicationsAndMisspellingsAreRefused() throws Exception {
        Path json = dir.resolve("s.json");
        Files.writeString(json, """
                {"models": [{"name": "m", "version": "1", "onnxFile": "absent.onnx", "inputName": "x", "layout": "NCHW",
                  "width": 4, "height": 4, "channels": 1, "pixelScale": 1, "mean": [0], "std": [1],
                  "output": "LOGITS", "labels": ["a", "b"], "method": {"name": "occlusion"},
                  "session": {"intraOpThreads": 3, "optimization": "basic"}},
                 {"name": "n", "version": "1", "onnxFile": "absent.onnx", "inputName": "x", "layout": "NCHW",
                  "width": 4, "height": 4, "channels": 1, "pixelScale": 1, "mean": [0], "std": [1],
                  "output": "LOGITS", "labels": ["a", "b"], "method": {"name": "occlusion"}}]}""");
        SessionSettings application = new SessionSettings(1, SessionSettings.Optimization.ALL,
                SessionSettings.Provider.CUDA);
        try (ModelCatalog catalog = ModelCatalog.load(json, new ModelStore(dir))) {
            assertThat(catalog.require("m", "1").spec().sessionSettings(application)).isEqualTo(
                    new SessionSettings(3, SessionSettings.Optimization.BASIC, SessionSettings.Provider.CUDA));
            assertThat(catalog.require("n", "1").spec().sessionSettings(application)).isEqualTo(application);
        }
        Map<String, String> refused = Map.of("\"intraOpThreads\": 0", "intraOpThreads must be at least 1",
                "\"optimization\": \"max\"", "unknown graph optimisation level 'max'",
                "\"executionProvider\": \"tensorrt\"", "unknown execution provider 'tensorrt'",
                "\"intraOpThread\": 2", "intraOpThread");
        for (Map.Entry<String, String> bad : refused.entrySet()) {
            Files.writeString(json, """
                    {"models": [{"name": "m", "version": "1", "onnxFile": "absent.onnx", "inputName": "x",
                      "layout": "NCHW", "width": 4, "height": 4, "channels": 1, "pixelScale": 1, "mean": [0],
                      "std": [1], "output": "LOGITS", "labels": ["a", "b"], "method": {"name": "occlusion"},
                      "session": {%s}}]}""".formatted(bad.getKey()));
            assertThatThrownBy(() -> ModelCatalog.load(json, new ModelStore(dir))).as(bad.getKey())
                    .hasMessageContaining("invalid model catalog").hasMessageContaining(bad.getValue());
        }
    }
}
