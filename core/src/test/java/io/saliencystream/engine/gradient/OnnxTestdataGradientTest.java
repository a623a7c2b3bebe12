package io.saliencystream.engine.gradient;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.saliencystream.engine.model.OrtRuntime;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ONNX project's per-operator conformance models (Debian's libonnx-testdata: one small model
 * per operator and attribute combination, with stored inputs) as gradient checks. For every
 * model built of operators with a gradient rule, the first float input is differentiated (the
 * other inputs become constants holding their stored values) at its stored value: the gradient of
 * the outputs weighted by a fixed random vector against central finite differences of ONNX
 * Runtime's forward pass, on up to {@link #SAMPLED} elements. Prints a table per operator.
 */
class OnnxTestdataGradientTest {

    static final Path DATA = Path.of("/usr/share/libonnx-testdata/data/node");

    /** Operators that must be checked on at least one conformance model. */
    private static final List<String> REQUIRED = List.of("Conv", "Relu", "MaxPool", "AveragePool", "Gemm", "MatMul",
            "Softmax", "Add", "Mul", "Sigmoid", "Tanh", "BatchNormalization", "Concat", "Transpose", "Reshape", "Flatten",
            "LeakyRelu", "Clip", "Pad", "Resize", "LRN");

    /** Names of the wrapper's input and output, apart from the conformance models' own "x" and "y". */
    private static final String INPUT = "conformance_input";
    private static final String OUTPUT = "conformance_output";

    private static final int SAMPLED = 48;
    private static final float[] STEPS = {1e-2f, 1e-3f};

    /** Per operator: models checked, models refused with the reason, models skipped. */
    private final Map<String, int[]> table = new TreeMap<>();
    private final List<String> refusals = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    @Test
    void gradientsOfConformanceModelsMatchFiniteDifferences() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(DATA), "Debian's libonnx-testdata is not installed (no " + DATA
                + "): apt-get install libonnx-testdata (.ci/run installs it)");
        List<Path> dirs;
        try (Stream<Path> s = Files.list(DATA)) {
            dirs = s.filter(d -> Files.exists(d.resolve("model.onnx"))).sorted().toList();
        }
        for (Path dir : dirs) {
            try {
                check(dir);
            } catch (Exception e) {
                failures.add(dir.getFileName() + ": " + e);
            }
        }
        System.out.printf(Locale.ROOT, "%-22s %8s %8s %8s%n", "operator", "checked", "refused", "skipped");
        table.forEach((op, c) -> System.out.printf(Locale.ROOT, "%-22s %8d %8d %8d%n", op, c[0], c[1], c[2]));
        refusals.forEach(r -> System.out.println("refused: " + r));
        assertThat(failures).as("conformance models whose gradient disagrees with finite differences").isEmpty();
        for (String op : REQUIRED) {
            assertThat(table.getOrDefault(op, new int[3])[0]).as("conformance models of %s checked", op).isPositive();
        }
    }

    private void check(Path dir) throws Exception {
        ModelProto model;
        try (InputStream in = Files.newInputStream(dir.resolve("model.onnx"))) {
            model = ModelProto.parseFrom(in);
        }
        GraphProto g = model.getGraph();
        String op = g.getNodeList().stream().map(NodeProto::getOpType).filter(BackwardRules.SUPPORTED::contains)
                .findFirst().orElse(null);
        boolean allKnown = g.getNodeList().stream().allMatch(n -> BackwardRules.SUPPORTED.contains(n.getOpType())
                || Set.of("Shape", "Constant", "ConstantOfShape", "Cast", "Size").contains(n.getOpType()));
        if (op == null || !allKnown || !g.getNode(0).getDomain().isEmpty()) {
            return; // an operator without a gradient rule: not part of the table
        }
        int[] row = table.computeIfAbsent(op, k -> new int[3]);
        String name = dir.getFileName().toString();
        ModelProto wrapped = wrap(model, dir);
        if (wrapped == null) {
            row[2]++;
            return;
        }
        float[] x = floats(stored(dir, firstFloatInput(model)));
        long[] shape = stored(dir, firstFloatInput(model)).getDimsList().stream().mapToLong(Long::longValue).toArray();
        if (!forwardRuns(wrapped, x, shape)) {
            row[2]++;
            return;
        }
        GradientModel gm;
        try {
            gm = GradientModel.of(wrapped, INPUT, false, TargetScore.RAW, shape);
        } catch (UnsupportedGradientException e) {
            row[1]++;
            refusals.add(name + ": " + e.getMessage());
            return;
        }
        try (gm) {
            float[] w = GradientCheck.randomWeights(gm.classes(), 41);
            GradientModel.Result at = gm.run(x, w, 1);
            float[] grad = at.gradients();
            double f = at.scores()[0];
            if (!Double.isFinite(f)) {
                row[2]++; // the stored inputs lie outside the domain (say Pow of a negative base)
                return;
            }
            double scale = 1;
            for (float v : grad) {
                scale = Math.max(scale, Math.abs(v));
            }
            Random r = new Random(43);
            int n = x.length;
            for (int s = 0; s < Math.min(n, SAMPLED); s++) {
                int i = n <= SAMPLED ? s : r.nextInt(n);
                double best = Double.MAX_VALUE;
                double fdBest = 0;
                for (float h : STEPS) {
                    float[] plus = x.clone();
                    float[] minus = x.clone();
                    plus[i] += h;
                    minus[i] -= h;
                    double up = gm.run(plus, w, 1).scores()[0];
                    double down = gm.run(minus, w, 1).scores()[0];
                    // steps as represented in float32 (large inputs round them); at a kink of ReLU,
                    // Clip or a max at the stored value the gradient is one of the one-sided slopes
                    double[] slopes = {(up - down) / ((double) plus[i] - minus[i]), (up - f) / ((double) plus[i] - x[i]),
                            (f - down) / ((double) x[i] - minus[i])};
                    for (double fd : slopes) {
                        if (Math.abs(fd - grad[i]) < best) {
                            best = Math.abs(fd - grad[i]);
                            fdBest = fd;
                        }
                    }
                }
                if (!(best <= 5e-3 * scale)) {
                    failures.add(String.format(Locale.ROOT, "%s: d/dx[%d] %.5f, finite difference %.5f", name, i, grad[i], fdBest));
                    return;
                }
            }
            row[0]++;
        }
    }

    private static String firstFloatInput(ModelProto model) {
        Set<String> initialized = new java.util.HashSet<>();
        model.getGraph().getInitializerList().forEach(t -> initialized.add(t.getName()));
        return model.getGraph().getInputList().stream().filter(v -> !initialized.contains(v.getName()))
                .filter(v -> v.getType().getTensorType().getElemType() == TensorProto.DataType.FLOAT.getNumber())
                .map(ValueInfoProto::getName).findFirst().orElse(null);
    }

    /**
     * The model with its first float input fed from {@link #INPUT} [1, dims...] (a fixed batch of
     * one), its other inputs turned into constants of their stored values, and its first output
     * flattened to {@link #OUTPUT} [1, K]; null where that is not possible (no float input or output, opset below 5).
     */
    private static ModelProto wrap(ModelProto model, Path dir) throws IOException {
        String input = firstFloatInput(model);
        GraphProto g = model.getGraph();
        int opset = model.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty()).mapToInt(o -> (int) o.getVersion())
                .max().orElse(0);
        if (input == null || opset < 5 || g.getOutput(0).getType().getTensorType().getElemType() != TensorProto.DataType.FLOAT.getNumber()) {
            return null;
        }
        GraphProto.Builder b = g.toBuilder().clearInput().clearOutput();
        Set<String> initialized = new java.util.HashSet<>();
        g.getInitializerList().forEach(t -> initialized.add(t.getName()));
        for (int i = 0; i < g.getInputCount(); i++) {
            String name = g.getInput(i).getName();
            if (!name.equals(input) && !initialized.contains(name)) {
                b.addInitializer(stored(dir, name).toBuilder().setName(name));
            }
        }
        TensorProto data = stored(dir, input);
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(1));
        data.getDimsList().forEach(d -> s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d)));
        b.addInput(ValueInfoProto.newBuilder().setName(INPUT).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(s))));
        TensorProto.Builder dims = TensorProto.newBuilder().setName("conformance/dims").setDataType(TensorProto.DataType.INT64.getNumber())
                .addDims(data.getDimsCount());
        data.getDimsList().forEach(dims::addInt64Data);
        b.addInitializer(dims);
        b.addInitializer(TensorProto.newBuilder().setName("conformance/flat_dims").setDataType(TensorProto.DataType.INT64.getNumber())
                .addDims(2).addInt64Data(1).addInt64Data(-1));
        b.addNode(0, NodeProto.newBuilder().setOpType("Reshape").setName("conformance/reshape").addInput(INPUT).addInput("conformance/dims").addOutput(input));
        b.addNode(NodeProto.newBuilder().setOpType("Reshape").setName("conformance/flatten").addInput(g.getOutput(0).getName())
                .addInput("conformance/flat_dims").addOutput(OUTPUT));
        b.addOutput(GraphWriter.floatValue(OUTPUT, (long[]) null));
        return model.toBuilder().setGraph(b).build();
    }

    private static boolean forwardRuns(ModelProto model, float[] x, long[] shape) {
        long[] batched = new long[shape.length + 1];
        batched[0] = 1;
        System.arraycopy(shape, 0, batched, 1, shape.length);
        OrtEnvironment env = OrtRuntime.environment();
        try (OrtSession session = env.createSession(model.toByteArray());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), batched);
             OrtSession.Result ignored = session.run(Map.of(INPUT, t))) {
            return true;
        } catch (Exception e) {
            return false; // ONNX Runtime does not run this conformance model at all
        }
    }

    /** The stored value of the named input in test_data_set_0 (input_k.pb in input order). */
    private static TensorProto stored(Path dir, String name) throws IOException {
        Path set = dir.resolve("test_data_set_0");
        try (Stream<Path> files = Files.list(set)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("input_")).sorted().toList()) {
                TensorProto t = TensorProto.parseFrom(Files.readAllBytes(f));
                if (t.getName().equals(name)) {
                    return t;
                }
            }
        }
        throw new IOException("no stored value of input '" + name + "' in " + set);
    }

    private static float[] floats(TensorProto t) {
        if (t.getFloatDataCount() > 0) {
            float[] v = new float[t.getFloatDataCount()];
            for (int i = 0; i < v.length; i++) {
                v[i] = t.getFloatData(i);
            }
            return v;
        }
        FloatBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] v = new float[b.remaining()];
        b.get(v);
        return v;
    }
}
