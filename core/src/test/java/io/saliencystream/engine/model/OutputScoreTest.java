package io.saliencystream.engine.model;

import ai.onnx.proto.OnnxMl;
import io.saliencystream.engine.Explainer;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.gradient.GradientModel;
import io.saliencystream.engine.gradient.GradientModels;
import io.saliencystream.engine.gradient.TargetScore;
import io.saliencystream.engine.method.ExplanationEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Output scores on two models whose answers are known in closed form: a "detector" whose map is
 * sigmoid(x) (one channel, the input's size) and a "recognizer" whose sequence is the softmax of
 * each input column (K rows are the classes, T columns the positions). The scored row, its
 * gradient and the methods' maps are checked against the formulas, not against the engine.
 */
class OutputScoreTest {

    private static final int W = 8;
    private static final int H = 6;
    private static final int[] BOX = {2, 1, 3, 2};

    @TempDir
    Path dir;

    private static ModelSpec spec(String name, String file, int width, int height, List<String> labels, OutputScore score) {
        return new ModelSpec(name, "1", file, null, "x", ModelSpec.Layout.NCHW, width, height, 1, ModelSpec.ColorOrder.RGB,
                1.0, new double[] {0}, new double[] {1}, ModelSpec.ResizeMode.STRETCH, ModelSpec.OutputKind.PROBABILITIES,
                labels, new ModelSpec.MethodSpec("occlusion", Map.of("window", "1", "stride", "1", "baseline", "0")), score);
    }

    private static float sigmoid(float v) {
        return (float) (1 / (1 + Math.exp(-v)));
    }

    private static float[] input(long seed, int n) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    @Test
    void mapScoreIsTheBoxMeanAndItsGradientLiesInTheBox() throws Exception {
        Path file = writeMapModel();
        try (CatalogModel model = CatalogModel.of(spec("det", "det.onnx", W, H, List.of("on", "off"),
                OutputScore.map(null, 0, BOX)), file)) {
            float[] x = input(1, W * H);
            double m = 0;
            for (int y = BOX[1]; y < BOX[1] + BOX[3]; y++) {
                for (int c = BOX[0]; c < BOX[0] + BOX[2]; c++) {
                    m += sigmoid(x[y * W + c]);
                }
            }
            m /= BOX[2] * BOX[3];
            float[] row = new ModelRunner(model).raw(x, 1)[0];
            assertThat((double) row[0]).isCloseTo(m, within(1e-6));
            assertThat((double) row[1]).isCloseTo(1 - m, within(1e-6));

            // d/dx log(m / (1 - m)) = (1/m + 1/(1-m)) * s(1-s) / area inside the box, 0 outside
            try (GradientModels cache = new GradientModels()) {
                GradientModel gm = cache.get(model, TargetScore.LOGODDS);
                float[] g = gm.run(x, gm.oneHot(0, 1), 1).gradients();
                for (int y = 0; y < H; y++) {
                    for (int c = 0; c < W; c++) {
                        boolean in = c >= BOX[0] && c < BOX[0] + BOX[2] && y >= BOX[1] && y < BOX[1] + BOX[3];
                        float s = sigmoid(x[y * W + c]);
                        double expected = in ? (1 / m + 1 / (1 - m)) * s * (1 - s) / (BOX[2] * BOX[3]) : 0;
                        assertThat((double) g[y * W + c]).as("gradient at %d,%d", c, y).isCloseTo(expected, within(1e-5));
                    }
                }
            }
            // occlusion of single pixels with 0: only pixels of the box change the score
            Explanation e = new ExplanationEngine().explain(model, x, 0, 1L);
            for (int y = 0; y < H; y++) {
                for (int c = 0; c < W; c++) {
                    boolean in = c >= BOX[0] && c < BOX[0] + BOX[2] && y >= BOX[1] && y < BOX[1] + BOX[3];
                    if (!in) {
                        assertThat(e.map().get(c, y)).as("occlusion outside the box at %d,%d", c, y).isZero();
                    } else if (Math.abs(x[y * W + c]) > 0.05) {
                        assertThat(e.map().get(c, y)).as("occlusion inside the box at %d,%d", c, y).isNotZero();
                    }
                }
            }
        }
    }

    @Test
    void sequenceScoreIsOnePositionsRowAndItsGradientLiesInItsColumn() throws Exception {
        int classes = 3;
        int positions = 4;
        int at = 2;
        Path file = writeSequenceModel(classes, positions);
        try (CatalogModel model = CatalogModel.of(spec("rec", "rec.onnx", positions, classes, List.of("a", "b", "c"),
                OutputScore.sequence(null, at)), file)) {
            float[] x = input(2, classes * positions);
            double[] p = new double[classes];
            double sum = 0;
            for (int k = 0; k < classes; k++) {
                p[k] = Math.exp(x[k * positions + at]);
                sum += p[k];
            }
            for (int k = 0; k < classes; k++) {
                p[k] /= sum;
            }
            float[] row = new ModelRunner(model).raw(x, 1)[0];
            for (int k = 0; k < classes; k++) {
                assertThat((double) row[k]).isCloseTo(p[k], within(1e-6));
            }
            int target = 1;
            // d p_t / d x_k at the position = p_t (delta_tk - p_k); other columns 0
            try (GradientModels cache = new GradientModels()) {
                GradientModel gm = cache.get(model, TargetScore.PROBABILITY);
                float[] g = gm.run(x, gm.oneHot(target, 1), 1).gradients();
                for (int k = 0; k < classes; k++) {
                    for (int t = 0; t < positions; t++) {
                        double expected = t == at ? p[target] * ((k == target ? 1 : 0) - p[k]) : 0;
                        assertThat((double) g[k * positions + t]).isCloseTo(expected, within(1e-6));
                    }
                }
            }
            Explanation e = new ExplanationEngine().explain(model, x, Explainer.PREDICTED_CLASS, 1L);
            assertThat(e.targetClass()).isEqualTo(ModelRunner.argmax(row));
            for (int k = 0; k < classes; k++) {
                for (int t = 0; t < positions; t++) {
                    if (t != at) {
                        assertThat(e.map().get(t, k)).isZero();
                    }
                }
            }
        }
    }

    @Test
    void catalogDeclaresTheScoreAndBadDeclarationsAreNamed() throws Exception {
        writeMapModel();
        Path catalog = dir.resolve("catalog.json");
        Files.writeString(catalog, catalogJson("\"score\": {\"output\": \"y\", \"channel\": 0, \"box\": [2, 1, 3, 2]}", "[\"on\", \"off\"]"));
        try (ModelCatalog c = ModelCatalog.load(catalog, new ModelStore(dir))) {
            CatalogModel m = c.find("det", "1").orElseThrow();
            assertThat(m.spec().score()).isEqualTo(OutputScore.map("y", 0, BOX));
            assertThat(m.derivedKey()).isEqualTo(m.sha256() + " map y channel 0 box [2, 1, 3, 2]");
            assertThat(new ModelRunner(m).raw(new float[W * H], 1)[0]).containsExactly(0.5f, 0.5f);
        }
        Files.writeString(catalog, catalogJson("\"score\": {\"box\": [2, 1, 3, 2]}", "[\"on\", \"off\"]"));
        assertThatThrownBy(() -> ModelCatalog.load(catalog, new ModelStore(dir)))
                .isInstanceOf(IOException.class).hasMessageContaining("score.box needs a map channel");

        for (String[] bad : new String[][] {
                {"\"score\": {\"channel\": 1}", "[\"on\", \"off\"]", "score.channel 1 outside the map's 1 channels"},
                {"\"score\": {\"channel\": 0}", "[\"a\", \"b\", \"c\"]", "the catalog lists 3 labels (a map's score has two"},
                {"\"score\": {\"position\": 3}", "[\"on\", \"off\"]", "a sequence score needs [N, positions, classes]"},
                {"\"score\": {\"output\": \"z\", \"channel\": 0}", "[\"on\", \"off\"]", "has no output named 'z'; its outputs are [y]"},
                {"\"score\": {\"channel\": 0, \"box\": [9, 0, 2, 2]}", "[\"on\", \"off\"]", "lies outside the 8x6 input"}}) {
            Files.writeString(catalog, catalogJson(bad[0], bad[1]));
            try (ModelCatalog c = ModelCatalog.load(catalog, new ModelStore(dir))) {
                CatalogModel m = c.find("det", "1").orElseThrow();
                assertThatThrownBy(() -> new ModelRunner(m).raw(new float[W * H], 1))
                        .as(bad[0]).hasMessageContaining("model det:1").hasMessageContaining(bad[2]);
            }
        }
    }

    private static String catalogJson(String score, String labels) {
        return """
                {"models": [{"name": "det", "version": "1", "onnxFile": "det.onnx", "inputName": "x", "layout": "NCHW",
                  "width": 8, "height": 6, "channels": 1, "pixelScale": 1, "mean": [0], "std": [1],
                  "output": "PROBABILITIES", "labels": %s, %s,
                  "method": {"name": "occlusion", "parameters": {}}}]}
                """.formatted(labels, score);
    }

    /** y = Sigmoid(x): a map [N, 1, H, W] of the input's size. */
    private Path writeMapModel() throws IOException {
        OnnxMl.GraphProto graph = OnnxMl.GraphProto.newBuilder().setName("map")
                .addInput(info("x", 1, H, W))
                .addOutput(info("y", 1, H, W))
                .addNode(node("Sigmoid", "y", "x"))
                .build();
        return write("det.onnx", graph);
    }

    /** y = Softmax(Transpose(Reshape(x, [N, K, T]), [0, 2, 1]), axis 2): positions are the input's columns. */
    private Path writeSequenceModel(int classes, int positions) throws IOException {
        OnnxMl.TensorProto shape = OnnxMl.TensorProto.newBuilder().setName("shape")
                .setDataType(OnnxMl.TensorProto.DataType.INT64_VALUE).addDims(3)
                .addInt64Data(0).addInt64Data(classes).addInt64Data(positions).build();
        OnnxMl.GraphProto graph = OnnxMl.GraphProto.newBuilder().setName("sequence")
                .addInput(info("x", 1, classes, positions))
                .addOutput(info("y", positions, classes))
                .addInitializer(shape)
                .addNode(node("Reshape", "r", "x", "shape"))
                .addNode(node("Transpose", "t", "r").toBuilder().addAttribute(OnnxMl.AttributeProto.newBuilder()
                        .setName("perm").setType(OnnxMl.AttributeProto.AttributeType.INTS).addInts(0).addInts(2).addInts(1)))
                .addNode(node("Softmax", "y", "t").toBuilder().addAttribute(OnnxMl.AttributeProto.newBuilder()
                        .setName("axis").setType(OnnxMl.AttributeProto.AttributeType.INT).setI(2)))
                .build();
        return write("rec.onnx", graph);
    }

    private Path write(String name, OnnxMl.GraphProto graph) throws IOException {
        OnnxMl.ModelProto model = OnnxMl.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(graph).build();
        Path file = dir.resolve(name);
        Files.write(file, model.toByteArray());
        return file;
    }

    private static OnnxMl.NodeProto node(String op, String output, String... inputs) {
        return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(output).addAllInput(List.of(inputs)).addOutput(output).build();
    }

    private static OnnxMl.ValueInfoProto info(String name, long... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (long d : dims) {
            shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(OnnxMl.TensorProto.DataType.FLOAT_VALUE)
                        .setShape(shape))).build();
    }
}
