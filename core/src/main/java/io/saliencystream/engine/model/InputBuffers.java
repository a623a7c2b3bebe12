package io.saliencystream.engine.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Input tensors over one direct buffer per thread, grown to the largest input the thread has
 * passed and then reused. {@code OnnxTensor.createTensor} copies a heap array into a fresh direct
 * buffer on every call, and that memory is freed only when the garbage collector gets to the
 * buffer: a caller that allocates little on the heap (plain batched calls over prepared inputs)
 * then gets fresh native memory on every call and page-faults through every input page. On the
 * 2-core machine that was about 147 minor faults and 1-2 ms of CPU per 224x224 evaluation, more
 * than a third of a MobileNetV3-small evaluation, and it came and went with the heap's garbage.
 *
 * <p>A tensor from {@link #tensor} reads this thread's buffer: close it before the same thread
 * asks for the next one: one input per call (a gradient model's second input, its small weight
 * rows, goes through {@code OnnxTensor.createTensor}). The buffer is kept for the thread's life
 * (for a batch of 64 inputs of 3x224x224, 38 MB).
 */
public final class InputBuffers {

    private static final ThreadLocal<FloatBuffer> BUFFER = new ThreadLocal<>();

    private InputBuffers() {
    }

    /** {@code values} as a tensor of {@code shape}, in this thread's reused direct buffer. */
    public static OnnxTensor tensor(float[] values, long[] shape) throws OrtException {
        FloatBuffer buffer = BUFFER.get();
        if (buffer == null || buffer.capacity() < values.length) {
            buffer = ByteBuffer.allocateDirect(Math.multiplyExact(values.length, Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
            BUFFER.set(buffer);
        }
        FloatBuffer view = buffer.duplicate();
        view.clear();
        view.put(values).flip();
        return OnnxTensor.createTensor(OrtRuntime.environment(), view, shape);
    }
}
