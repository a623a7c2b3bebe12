package io.saliencystream.engine.model;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A catalog entry bound to its ONNX file. The ONNX Runtime session is created on first use,
 * once, and shared: {@code OrtSession.run} is safe to call from several threads.
 */
public final class CatalogModel implements AutoCloseable {

    /** Resolves the model file, e.g. by downloading it. */
    @FunctionalInterface
    interface FileResolver {
        Path resolve() throws IOException;
    }

    private final ModelSpec spec;
    private final FileResolver resolver;
    /** For a view of the image content: the whole model, the region and the full input holding the padding. */
    private final CatalogModel whole;
    private final ContentRegion region;
    private final float[] frame;
    private Path file;
    private String sha256;
    private OrtSession session;
    /** The graph with the catalog's output score appended, built on first use; null without a score. */
    private byte[] scored;
    private SessionSettings sessionSettings = SessionSettings.DEFAULTS;
    private int fixedBatch;

    CatalogModel(ModelSpec spec, FileResolver resolver) {
        this.spec = spec;
        this.resolver = resolver;
        this.whole = null;
        this.region = null;
        this.frame = null;
    }

    private CatalogModel(CatalogModel whole, ContentRegion region, float[] frame) {
        this.spec = region.specOf(whole.spec);
        this.resolver = null;
        this.whole = whole;
        this.region = region;
        this.frame = frame.clone();
    }

    /**
     * This model as a model of the image content alone: its inputs are the {@code region} of
     * {@code input}, and every input it is given is put back into a copy of {@code input} before the
     * model runs, so the padding outside the region always holds what preprocessing wrote there.
     * Methods explaining this view cannot perturb, segment or attribute the padding. This model
     * itself when the region is the whole input.
     */
    public CatalogModel content(ContentRegion region, float[] input) {
        if (whole != null) {
            throw new IllegalStateException("model " + spec.key() + " is already a content view");
        }
        if (region.x() + region.width() > spec.width() || region.y() + region.height() > spec.height()) {
            throw new IllegalArgumentException("content region " + region + " exceeds the " + spec.width() + "x"
                    + spec.height() + " input of " + spec.key());
        }
        return region.covers(spec) ? this : new CatalogModel(this, region, input);
    }

    /** Where the inputs of this model lie in the whole model's input (the whole input unless a content view). */
    public ContentRegion region() {
        return region == null ? ContentRegion.whole(spec) : region;
    }

    /** The spec of the ONNX model's own input: {@link #spec()} unless this is a content view. */
    public ModelSpec inputSpec() {
        return whole == null ? spec : whole.spec;
    }

    /** {@code count} inputs of {@link #spec()} as inputs of the ONNX model (padding put back around each). */
    public float[] toModelInputs(float[] inputs, int count) {
        if (whole == null) {
            return inputs;
        }
        float[] out = new float[frame.length * count];
        int size = spec.inputSize();
        for (int i = 0; i < count; i++) {
            System.arraycopy(frame, 0, out, i * frame.length, frame.length);
            region.paste(inputs, i * size, out, i * frame.length, whole.spec);
        }
        return out;
    }

    /** The inverse of {@link #toModelInputs} for per-value results such as gradients: each input's region. */
    public float[] fromModelInputs(float[] values, int count) {
        if (whole == null) {
            return values;
        }
        int size = spec.inputSize();
        float[] out = new float[size * count];
        float[] one = new float[frame.length];
        for (int i = 0; i < count; i++) {
            System.arraycopy(values, i * frame.length, one, 0, frame.length);
            System.arraycopy(region.crop(one, whole.spec), 0, out, i * size, size);
        }
        return out;
    }

    /** A model whose ONNX file is already at {@code file}. */
    public static CatalogModel of(ModelSpec spec, Path file) {
        return new CatalogModel(spec, () -> file);
    }

    public ModelSpec spec() {
        return spec;
    }

    /** The ONNX file, fetched first if the catalog says where from. */
    public synchronized Path file() {
        if (whole != null) {
            return whole.file();
        }
        if (file == null) {
            try {
                Path f = resolver.resolve();
                sha256 = Hashes.sha256Hex(f);
                file = f;
            } catch (IOException e) {
                throw new UncheckedIOException("model " + spec.key() + ": " + e.getMessage(), e);
            }
        }
        return file;
    }

    /** SHA-256 (hex) of the ONNX file, for audit records. */
    public synchronized String sha256() {
        if (whole != null) {
            return whole.sha256();
        }
        file();
        return sha256;
    }

    /**
     * The ONNX model the engine runs: the file's graph, with the catalog's {@link OutputScore}
     * appended when the entry declares one, so its only output is [N, classes]. Gradient and CAM
     * models derive from this; the file itself is what {@link #sha256()} hashes.
     */
    public synchronized ModelProto onnx() throws IOException, OrtException {
        if (whole != null) {
            return whole.onnx();
        }
        if (spec.score() == null) {
            return ModelProto.parseFrom(Files.readAllBytes(file()));
        }
        return ModelProto.parseFrom(scored());
    }

    private byte[] scored() throws IOException, OrtException {
        if (scored == null) {
            ModelProto model = ModelProto.parseFrom(Files.readAllBytes(file()));
            try (OrtSession.SessionOptions options = sessionSettings.options();
                 OrtSession probe = OrtRuntime.environment().createSession(file().toString(), options)) {
                scored = OutputScoring.apply(model, spec, probe).toByteArray();
            }
        }
        return scored;
    }

    /**
     * What identifies the model the engine runs, for caches of derived models: the file's SHA-256,
     * and the output score when the catalog declares one (two entries of one detector with two boxes differ).
     */
    public String derivedKey() {
        return spec.score() == null ? sha256() : sha256() + " " + spec.score();
    }

    /** How ONNX Runtime runs this model; settable until its first session opens. */
    public synchronized void configure(SessionSettings settings) {
        if (session != null && !settings.equals(sessionSettings)) {
            throw new IllegalStateException("model " + spec.key() + ": its session is open already with "
                    + sessionSettings + "; configure it before first use");
        }
        sessionSettings = java.util.Objects.requireNonNull(settings, "settings");
    }

    public synchronized SessionSettings sessionSettings() {
        return sessionSettings;
    }

    /** The shared session; created on first call. */
    public synchronized OrtSession session() throws OrtException {
        if (whole != null) {
            return whole.session();
        }
        if (session == null) {
            OrtEnvironment env = OrtRuntime.environment();
            try (OrtSession.SessionOptions options = sessionSettings.options()) {
                try {
                    session = spec.score() == null ? env.createSession(file().toString(), options)
                            : env.createSession(scored(), options);
                } catch (IOException e) {
                    throw new UncheckedIOException("model " + spec.key() + ": " + e.getMessage(), e);
                }
            }
            if (!session.getInputNames().contains(spec.inputName())) {
                String names = session.getInputNames().toString();
                session.close();
                session = null;
                throw new IllegalStateException("model " + spec.key() + " has no input named '"
                        + spec.inputName() + "'; its inputs are " + names);
            }
            fixedBatch = FixedBatch.of(session, spec.inputName());
        }
        return session;
    }

    /** The batch size the model's input is fixed at, or 0 when any batch size runs. */
    public synchronized int fixedBatch() throws OrtException {
        if (whole != null) {
            return whole.fixedBatch();
        }
        session();
        return fixedBatch;
    }

    @Override
    public synchronized void close() throws OrtException {
        if (session != null) {
            session.close();
            session = null;
        }
    }

    @Override
    public String toString() {
        return "CatalogModel[" + spec.key() + "]";
    }
}
