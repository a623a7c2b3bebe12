package io.saliencystream.engine.gradient;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;

import java.util.List;
import java.util.Random;

/** Small forward graphs for gradient checks: input "x" [N, dims...], output "y" = Flatten of the last tensor. */
final class TestGraph {

    private final int opset;
    private final GraphProto.Builder g = GraphProto.newBuilder().setName("test");
    private int counter;

    TestGraph(int opset, long... inputDims) {
        this.opset = opset;
        long[] dims = new long[inputDims.length + 1];
        dims[0] = -1;
        System.arraycopy(inputDims, 0, dims, 1, inputDims.length);
        g.addInput(GraphWriter.floatValue("x", dims));
    }

    String node(String op, List<String> inputs, AttributeProto... attributes) {
        String out = op.toLowerCase() + counter++;
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(out).addAllInput(inputs).addOutput(out);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        g.addNode(n);
        return out;
    }

    String[] nodes(String op, List<String> inputs, int outputs, AttributeProto... attributes) {
        String[] outs = new String[outputs];
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).addAllInput(inputs);
        for (int i = 0; i < outputs; i++) {
            outs[i] = op.toLowerCase() + counter++;
            n.addOutput(outs[i]);
        }
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        g.addNode(n.setName(outs[0]));
        return outs;
    }

    String node(String op, String input, AttributeProto... attributes) {
        return node(op, List.of(input), attributes);
    }

    String floats(long[] dims, float[] values) {
        String name = "c" + counter++;
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber());
        for (long d : dims) {
            t.addDims(d);
        }
        for (float v : values) {
            t.addFloatData(v);
        }
        g.addInitializer(t);
        return name;
    }

    String random(long seed, long... dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return floats(dims, gaussian(seed, (int) n, 0.5f));
    }

    String longs(long... values) {
        String name = "c" + counter++;
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber())
                .addDims(values.length);
        for (long v : values) {
            t.addInt64Data(v);
        }
        g.addInitializer(t);
        return name;
    }

    String scalarLong(long value) {
        String name = "c" + counter++;
        g.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber()).addInt64Data(value));
        return name;
    }

    ModelProto build(String last) {
        GraphProto.Builder graph = g.clone();
        graph.addNode(NodeProto.newBuilder().setOpType("Flatten").setName("y").addInput(last).addOutput("y")
                .addAttribute(GraphWriter.intAttr("axis", 1)));
        graph.addOutput(GraphWriter.floatValue("y", (long[]) null));
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("saliency-stream-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(graph).build();
    }

    static float[] gaussian(long seed, int n, float scale) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian() * scale;
        }
        return v;
    }

    /** Uniform values in (-range, range) at least {@code margin} away from every kink. */
    static float[] awayFrom(long seed, int n, float range, float margin, float... kinks) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            float c;
            boolean near;
            do {
                c = (float) ((r.nextDouble() * 2 - 1) * range);
                near = false;
                for (float k : kinks) {
                    near |= Math.abs(c - k) < margin;
                }
            } while (near);
            v[i] = c;
        }
        return v;
    }

    /** Distinct values spaced {@code gap} apart in random order: no near-ties for max pooling. */
    static float[] distinct(long seed, int n, float gap) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i - n / 2f) * gap;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        return v;
    }

    static int size(long... dims) {
        int n = 1;
        for (long d : dims) {
            n *= (int) d;
        }
        return n;
    }
}
