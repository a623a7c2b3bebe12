package io.saliencystream.engine.cam;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.saliencystream.engine.model.OrtRuntime;
import io.saliencystream.engine.model.SessionSettings;
import io.saliencystream.engine.gradient.GradientGraphBuilder;
import io.saliencystream.engine.gradient.TargetScore;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model opened at its feature layer, with three derived ONNX models built on first use and
 * shared (thread-safe, like the sessions they hold):
 * <ul>
 *   <li>exposed: the forward model with the feature tensor (and a transformer's normed tokens and
 *       attention probabilities) as extra outputs;</li>
 *   <li>gradient: the backward graph of {@link GradientGraphBuilder} with the score's gradient with
 *       respect to the feature layer as an output, pruned so it stops at that layer;</li>
 *   <li>head: the model from the feature layer to the output, for runs on altered feature maps.</li>
 * </ul>
 */
public final class CamModel implements AutoCloseable {

    /** One input's forward pass: the raw output row and each exposed tensor. */
    public record Forward(float[] output, Map<String, float[]> tensors) {
    }

    /** One input's gradient pass: the raw output row, the feature values and the score's gradient at them. */
    public record Gradient(float[] output, float score, float[] feature, float[] gradient) {
    }

    private final ModelProto forward;
    private final String input;
    private final String output;
    private final boolean outputIsProbability;
    private final long[] inputShape;
    private final FeatureLayer layer;
    private OrtSession exposed;
    private final Map<TargetScore, OrtSession> gradients = new EnumMap<>(TargetScore.class);
    private OrtSession head;
    private boolean headReadsInput;
    private final int classes;
    private final SessionSettings settings;

    CamModel(ModelProto forward, String input, boolean outputIsProbability, long[] inputShape, int classes,
             String requestedLayer, SessionSettings settings) throws OrtException {
        this.forward = forward;
        this.classes = classes;
        this.settings = settings;
        this.input = input;
        this.output = forward.getGraph().getOutput(0).getName();
        this.outputIsProbability = outputIsProbability;
        this.inputShape = inputShape.clone();
        this.layer = FeatureLayers.locate(forward, input, output, inputShape, requestedLayer);
    }

    public FeatureLayer layer() {
        return layer;
    }

    /** The exposed model's outputs for one input: the feature tensor, normed tokens, attentions. */
    public Forward forward(float[] x) throws OrtException {
        try (OnnxTensor t = tensor(x, batched(inputShape, 1)); OrtSession.Result r = exposedSession().run(Map.of(input, t))) {
            Map<String, float[]> tensors = new HashMap<>();
            for (var e : r) {
                if (!e.getKey().equals(output)) {
                    tensors.put(e.getKey(), floats((OnnxTensor) e.getValue()));
                }
            }
            return new Forward(floats((OnnxTensor) r.get(output).orElseThrow()), tensors);
        }
    }

    private synchronized OrtSession exposedSession() throws OrtException {
        if (exposed == null) {
            List<String> extra = new ArrayList<>(List.of(layer.tensor()));
            if (layer.normed() != null) {
                extra.add(layer.normed());
            }
            extra.addAll(layer.attentions());
            exposed = open(GraphSurgery.withOutputs(forward, extra));
        }
        return exposed;
    }

    /** The score of {@code target} and its gradient at the feature layer ({@link FeatureLayer#gradientTensor()}). */
    public Gradient gradient(float[] x, int target, TargetScore score) throws OrtException {
        OrtSession session = gradientSession(score);
        String at = layer.gradientTensor();
        float[] weights = new float[classes];
        if (target < 0 || target >= classes) {
            throw new IllegalArgumentException("target class " + target + " outside 0.." + (classes - 1));
        }
        weights[target] = 1f;
        try (OnnxTensor t = tensor(x, batched(inputShape, 1));
             OnnxTensor w = tensor(weights, new long[] {1, classes});
             OrtSession.Result r = session.run(Map.of(input, t, GradientGraphBuilder.WEIGHTS, w))) {
            return new Gradient(floats((OnnxTensor) r.get(output).orElseThrow()),
                    floats((OnnxTensor) r.get(GradientGraphBuilder.SCORE).orElseThrow())[0],
                    floats((OnnxTensor) r.get(at).orElseThrow()),
                    floats((OnnxTensor) r.get(GradientGraphBuilder.gradientOf(at)).orElseThrow()));
        }
    }

    /** The backward graph with the gradient at the layer as an output, pruned: nothing below the layer is differentiated. */
    ModelProto gradientModel(TargetScore score) throws OrtException {
        String at = layer.gradientTensor();
        ModelProto backward = GradientGraphBuilder.build(forward, input, output, outputIsProbability, score, inputShape,
                List.of(at));
        return GraphSurgery.prune(GraphSurgery.withOutputs(backward, List.of(at)),
                List.of(output, GradientGraphBuilder.SCORE, GradientGraphBuilder.gradientOf(at), at));
    }

    private synchronized OrtSession gradientSession(TargetScore score) throws OrtException {
        OrtSession s = gradients.get(score);
        if (s == null) {
            s = open(gradientModel(score));
            gradients.put(score, s);
        }
        return s;
    }

    /**
     * The model's raw output for {@code count} altered versions of the layer: {@code cut} holds, per
     * cut tensor (the feature tensor, then the normed tokens where there are), {@code count} copies
     * concatenated; {@code x} is the input they come from (read only by heads with a skip past the cut).
     */
    public float[][] head(List<float[]> cut, int count, float[] x) throws OrtException {
        List<String> names = cutNames();
        OrtSession session = headSession(names);
        List<OnnxTensor> open = new ArrayList<>();
        try {
            Map<String, OnnxTensor> feeds = new HashMap<>();
            for (int i = 0; i < names.size(); i++) {
                OnnxTensor t = tensor(cut.get(i), batched(layer.shape(), count));
                open.add(t);
                feeds.put(names.get(i), t);
            }
            if (headReadsInput) {
                int size = x.length;
                float[] repeated = new float[size * count];
                for (int i = 0; i < count; i++) {
                    System.arraycopy(x, 0, repeated, i * size, size);
                }
                OnnxTensor t = tensor(repeated, batched(inputShape, count));
                open.add(t);
                feeds.put(input, t);
            }
            try (OrtSession.Result r = session.run(feeds)) {
                float[] flat = floats((OnnxTensor) r.get(output).orElseThrow());
                int k = flat.length / count;
                float[][] rows = new float[count][k];
                for (int i = 0; i < count; i++) {
                    System.arraycopy(flat, i * k, rows[i], 0, k);
                }
                return rows;
            }
        } finally {
            for (OnnxTensor t : open) {
                t.close();
            }
        }
    }

    /** The tensors the head reads in place of the model's own: the feature tensor, then the normed tokens. */
    public List<String> cutNames() {
        return layer.normed() != null ? List.of(layer.tensor(), layer.normed()) : List.of(layer.tensor());
    }

    private synchronized OrtSession headSession(List<String> names) throws OrtException {
        if (head == null) {
            List<long[]> shapes = names.stream().map(n -> layer.shape()).toList();
            GraphSurgery.Head h = GraphSurgery.head(forward, input, output, names, shapes);
            headReadsInput = h.readsInput();
            head = open(h.model());
        }
        return head;
    }

    /** A session under the model's own settings (threads, optimisation, provider), as its gradient model gets. */
    private OrtSession open(ModelProto model) throws OrtException {
        try (OrtSession.SessionOptions options = settings.options()) {
            return OrtRuntime.environment().createSession(model.toByteArray(), options);
        }
    }

    private static long[] batched(long[] shape, int n) {
        long[] s = new long[shape.length + 1];
        s[0] = n;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    private static OnnxTensor tensor(float[] values, long[] shape) throws OrtException {
        return OnnxTensor.createTensor(OrtRuntime.environment(), FloatBuffer.wrap(values), shape);
    }

    private static float[] floats(OnnxTensor t) {
        FloatBuffer b = t.getFloatBuffer();
        float[] v = new float[b.remaining()];
        b.get(v);
        return v;
    }

    @Override
    public synchronized void close() throws OrtException {
        if (exposed != null) {
            exposed.close();
        }
        for (OrtSession s : gradients.values()) {
            s.close();
        }
        if (head != null) {
            head.close();
        }
    }

    @Override
    public String toString() {
        return "CamModel[" + layer.describe() + ", input " + Arrays.toString(inputShape) + "]";
    }
}
