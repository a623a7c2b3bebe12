package io.saliencystream.engine.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.util.Arrays;

/**
 * Models exported with a fixed batch size (PyTorch's export without {@code dynamic_axes} fixes
 * it at 1) take exactly that many inputs per run, so batched callers split their batches into
 * runs of that size. Shared by the plain runner and the gradient model.
 */
public final class FixedBatch {

    private FixedBatch() {
    }

    /** The batch size the session's input {@code name} is fixed at, or 0 when its batch axis is dynamic. */
    public static int of(OrtSession session, String name) throws OrtException {
        NodeInfo info = session.getInputInfo().get(name);
        if (info == null || !(info.getInfo() instanceof TensorInfo tensor) || tensor.getShape().length == 0) {
            return 0;
        }
        long batch = tensor.getShape()[0];
        return batch > 0 ? (int) batch : 0;
    }

    /**
     * Inputs {@code first .. first + n - 1} of {@code values} ({@code size} values each) as a run of
     * {@code step} inputs: {@code values} itself when that is the whole run, otherwise a copy,
     * padded when {@code n < step} with copies of the last input (their outputs are to be dropped).
     */
    public static float[] chunk(float[] values, int size, int first, int n, int step) {
        if (first == 0 && n == step && values.length == n * size) {
            return values;
        }
        float[] run = Arrays.copyOfRange(values, first * size, (first + step) * size);
        for (int i = n; i < step; i++) {
            System.arraycopy(values, (first + n - 1) * size, run, i * size, size);
        }
        return run;
    }
}
