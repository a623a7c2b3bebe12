package io.saliencystream.engine.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.io.IOException;
import java.io.UncheckedIOException;
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
    private Path file;
    private String sha256;
    private OrtSession session;
    private SessionSettings sessionSettings = SessionSettings.DEFAULTS;

    CatalogModel(ModelSpec spec, FileResolver resolver) {
        this.spec = spec;
        this.resolver = resolver;
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
        file();
        return sha256;
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
        if (session == null) {
            OrtEnvironment env = OrtRuntime.environment();
            try (OrtSession.SessionOptions options = sessionSettings.options()) {
                session = env.createSession(file().toString(), options);
            }
            if (!session.getInputNames().contains(spec.inputName())) {
                String names = session.getInputNames().toString();
                session.close();
                session = null;
                throw new IllegalStateException("model " + spec.key() + " has no input named '"
                        + spec.inputName() + "'; its inputs are " + names);
            }
        }
        return session;
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
