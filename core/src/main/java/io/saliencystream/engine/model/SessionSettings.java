package io.saliencystream.engine.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;

/**
 * How ONNX Runtime runs one model's sessions (its forward model and any gradient model derived
 * from it): intra-op threads, graph optimisation level and execution provider.
 *
 * @param intraOpThreads threads one model call may use; 0 leaves ONNX Runtime's default (one per
 *                       physical core), which oversubscribes the machine when several stream
 *                       threads explain at once
 * @param optimization   graph optimisation level
 * @param provider       where the model runs
 */
public record SessionSettings(int intraOpThreads, Optimization optimization, Provider provider) {

    /** ONNX Runtime's own defaults on the CPU. */
    public static final SessionSettings DEFAULTS = new SessionSettings(0, Optimization.ALL, Provider.CPU);

    public SessionSettings {
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intra-op threads must be >= 0 (0: ONNX Runtime's default), got "
                    + intraOpThreads);
        }
        Objects.requireNonNull(optimization, "optimization");
        Objects.requireNonNull(provider, "provider");
    }

    public SessionSettings withIntraOpThreads(int threads) {
        return new SessionSettings(threads, optimization, provider);
    }

    /**
     * New session options with these settings; the caller closes them.
     *
     * @throws IllegalStateException when the provider is not in this build of ONNX Runtime
     */
    public OrtSession.SessionOptions options() throws OrtException {
        provider.requireAvailable();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            if (intraOpThreads > 0) {
                options.setIntraOpNumThreads(intraOpThreads);
            }
            options.setOptimizationLevel(optimization.level);
            if (provider == Provider.CUDA) {
                options.addCUDA(0);
            }
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }

    /** ONNX Runtime's graph optimisation levels, by the names its documentation uses. */
    public enum Optimization {
        DISABLE_ALL(OrtSession.SessionOptions.OptLevel.NO_OPT),
        BASIC(OrtSession.SessionOptions.OptLevel.BASIC_OPT),
        EXTENDED(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT),
        ALL(OrtSession.SessionOptions.OptLevel.ALL_OPT);

        private final OrtSession.SessionOptions.OptLevel level;

        Optimization(OrtSession.SessionOptions.OptLevel level) {
            this.level = level;
        }

        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Optimization of(String id) {
            for (Optimization o : values()) {
                if (o.id().equals(id.trim().toLowerCase(Locale.ROOT))) {
                    return o;
                }
            }
            throw new IllegalArgumentException("unknown graph optimisation level '" + id
                    + "'; use disable-all, basic, extended or all");
        }
    }

    /** Execution providers this project builds for. */
    public enum Provider {
        CPU(OrtProvider.CPU), CUDA(OrtProvider.CUDA);

        private final OrtProvider ort;

        Provider(OrtProvider ort) {
            this.ort = ort;
        }

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Provider of(String id) {
            for (Provider p : values()) {
                if (p.id().equals(id.trim().toLowerCase(Locale.ROOT))) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown execution provider '" + id + "'; use cpu or cuda");
        }

        /** Fails with what to do when this build of ONNX Runtime lacks the provider. */
        public void requireAvailable() {
            OrtRuntime.environment(); // loads the native library on a large stack first
            EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
            if (!available.contains(ort)) {
                throw new IllegalStateException("execution provider " + id() + " is not in this build of ONNX Runtime"
                        + " (it offers " + available + "). Build with the Maven profile 'cuda' (mvn -Pcuda package),"
                        + " which puts com.microsoft.onnxruntime:onnxruntime_gpu on the class path, and run on a machine"
                        + " with an NVIDIA GPU, CUDA 12 and cuDNN 9");
            }
        }
    }
}
