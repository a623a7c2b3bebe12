package io.saliencystream.engine.model;

import ai.onnxruntime.OrtEnvironment;

/**
 * The process-wide ONNX Runtime environment. Use this instead of
 * {@code OrtEnvironment.getEnvironment()} for the first call: ONNX Runtime 1.29's native
 * initialisation overflows a default 1 MiB Java thread stack (the JVM dies with SIGSEGV, no
 * Java exception), so the environment is created once on a thread with a large stack.
 * Afterwards sessions run fine on ordinary threads.
 */
public final class OrtRuntime {

    private static final long INIT_STACK_BYTES = 64L << 20;
    private static volatile OrtEnvironment environment;

    private OrtRuntime() {
    }

    public static OrtEnvironment environment() {
        OrtEnvironment env = environment;
        if (env == null) {
            synchronized (OrtRuntime.class) {
                if (environment == null) {
                    environment = createOnLargeStack();
                }
                env = environment;
            }
        }
        return env;
    }

    private static OrtEnvironment createOnLargeStack() {
        OrtEnvironment[] created = new OrtEnvironment[1];
        Throwable[] failure = new Throwable[1];
        Thread init = new Thread(null, () -> {
            try {
                created[0] = OrtEnvironment.getEnvironment();
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "onnxruntime-init", INIT_STACK_BYTES);
        init.start();
        try {
            init.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting ONNX Runtime", e);
        }
        if (failure[0] != null) {
            throw new IllegalStateException("cannot start ONNX Runtime: " + failure[0], failure[0]);
        }
        return created[0];
    }
}
