package io.saliencystream.engine.model;

import java.util.Objects;

/**
 * Where a model file comes from: an npm-style gzipped tarball at {@code url} whose npm
 * {@code integrity} ("sha512-" + base64 digest) is checked, the tar {@code entry} holding the
 * model, and the model file's own {@code sha256} (hex).
 */
public record ModelSource(String url, String integrity, String entry, String sha256) {

    public ModelSource {
        Objects.requireNonNull(url, "source.url");
        Objects.requireNonNull(integrity, "source.integrity");
        Objects.requireNonNull(entry, "source.entry");
        Objects.requireNonNull(sha256, "source.sha256");
        if (!integrity.startsWith("sha512-")) {
            throw new IllegalArgumentException("source.integrity must be an npm sha512 integrity string, got " + integrity);
        }
    }
}
