package io.saliencystream.engine.gradient;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Appends nodes and constants to a graph under construction, writing each operator in the
 * form the model's opset expects (ReduceSum, Split, Pad, Unsqueeze and Squeeze moved
 * attributes to inputs between opsets 9 and 13).
 */
final class GraphWriter {

    final int opset;
    final List<NodeProto> nodes = new ArrayList<>();
    final List<TensorProto> initializers = new ArrayList<>();
    private final Map<String, String> constants = new HashMap<>();
    private int counter;

    GraphWriter(int opset) {
        this.opset = opset;
    }

    String fresh(String hint) {
        return "saliency/" + hint + "_" + counter++;
    }

    /** Adds a single-output node and returns its output name. */
    String op(String type, List<String> inputs, AttributeProto... attributes) {
        return ops(type, inputs, 1, attributes)[0];
    }

    String[] ops(String type, List<String> inputs, int outputs, AttributeProto... attributes) {
        String[] names = new String[outputs];
        for (int i = 0; i < outputs; i++) {
            names[i] = fresh(type.toLowerCase());
        }
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(type).setName(names[0]).addAllInput(inputs);
        for (String name : names) {
            n.addOutput(name);
        }
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        nodes.add(n.build());
        return names;
    }

    String op(String type, String a, AttributeProto... attributes) {
        return op(type, List.of(a), attributes);
    }

    String op(String type, String a, String b, AttributeProto... attributes) {
        return op(type, List.of(a, b), attributes);
    }

    String scalar(double value) {
        return constants.computeIfAbsent("f" + value, k -> {
            String name = fresh("const");
            initializers.add(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber())
                    .addFloatData((float) value).build());
            return name;
        });
    }

    String floats(long[] dims, float[] values) {
        String name = fresh("const");
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber());
        for (long d : dims) {
            t.addDims(d);
        }
        for (float v : values) {
            t.addFloatData(v);
        }
        initializers.add(t.build());
        return name;
    }

    /** A 1-D int64 constant. */
    String longs(long... values) {
        StringBuilder key = new StringBuilder("l");
        for (long v : values) {
            key.append(',').append(v);
        }
        return constants.computeIfAbsent(key.toString(), k -> {
            String name = fresh("const");
            TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber())
                    .addDims(values.length);
            for (long v : values) {
                t.addInt64Data(v);
            }
            initializers.add(t.build());
            return name;
        });
    }

    String shape(String x) {
        return op("Shape", x);
    }

    /** {@code x} reshaped to the runtime shape of {@code like}. */
    String reshapeLike(String x, String like) {
        return op("Reshape", x, shape(like));
    }

    String reduceSum(String x, long[] axes, boolean keepDims) {
        if (opset >= 13) {
            return op("ReduceSum", List.of(x, longs(axes)), intAttr("keepdims", keepDims ? 1 : 0));
        }
        return op("ReduceSum", List.of(x), intsAttr("axes", axes), intAttr("keepdims", keepDims ? 1 : 0));
    }

    /** Reductions other than ReduceSum took axes as an attribute until opset 18. */
    String reduce(String type, String x, long[] axes, boolean keepDims) {
        if (type.equals("ReduceSum")) {
            return reduceSum(x, axes, keepDims);
        }
        if (opset >= 18) {
            return op(type, List.of(x, longs(axes)), intAttr("keepdims", keepDims ? 1 : 0));
        }
        return op(type, List.of(x), intsAttr("axes", axes), intAttr("keepdims", keepDims ? 1 : 0));
    }

    String unsqueeze(String x, long... axes) {
        return opset >= 13 ? op("Unsqueeze", x, longs(axes)) : op("Unsqueeze", List.of(x), intsAttr("axes", axes));
    }

    String[] split(String x, long axis, long[] sizes) {
        if (opset >= 13) {
            return ops("Split", List.of(x, longs(sizes)), sizes.length, intAttr("axis", axis));
        }
        return ops("Split", List.of(x), sizes.length, intAttr("axis", axis), intsAttr("split", sizes));
    }

    /** Zero padding, {@code pads} as [begin of each axis..., end of each axis...]. */
    String pad(String x, long[] pads) {
        if (opset >= 11) {
            return op("Pad", x, longs(pads));
        }
        return op("Pad", List.of(x), intsAttr("pads", pads), floatAttr("value", 0f));
    }

    String transpose(String x, long[] perm) {
        return op("Transpose", List.of(x), intsAttr("perm", perm));
    }

    /** Zeros with the runtime shape of {@code like}. */
    String zerosLike(String like) {
        return op("ConstantOfShape", List.of(shape(like)), tensorAttr("value",
                TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT.getNumber()).addDims(1).addFloatData(0f).build()));
    }

    String onesLike(String like) {
        return op("ConstantOfShape", List.of(shape(like)), tensorAttr("value",
                TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT.getNumber()).addDims(1).addFloatData(1f).build()));
    }

    /** g where {@code condition} holds, 0 elsewhere. */
    String where(String condition, String g) {
        return op("Where", List.of(condition, g, scalar(0)));
    }

    static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static AttributeProto floatAttr(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    static AttributeProto stringAttr(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
    }

    static AttributeProto intsAttr(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    static AttributeProto tensorAttr(String name, TensorProto t) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(t).build();
    }

    static OnnxMl.ValueInfoProto floatValue(String name, long... dims) {
        OnnxMl.TypeProto.Tensor.Builder t = OnnxMl.TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber());
        if (dims != null) {
            OnnxMl.TensorShapeProto.Builder s = OnnxMl.TensorShapeProto.newBuilder();
            for (long d : dims) {
                s.addDim(d < 0 ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N")
                        : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
            }
            t.setShape(s);
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder().setTensorType(t)).build();
    }
}
