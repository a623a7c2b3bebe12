package io.saliencystream.stream;

import io.saliencystream.audit.AuditHashes;
import io.saliencystream.engine.input.ImageDecoder;
import io.saliencystream.engine.input.ImageHeader;
import io.saliencystream.engine.input.InvalidInputException;
import io.saliencystream.engine.model.Hashes;
import io.saliencystream.engine.model.ModelInput;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;
import io.saliencystream.schema.EncodedImage;
import io.saliencystream.schema.InputUri;
import io.saliencystream.schema.RawTensor;
import io.saliencystream.serde.FloatList;
import org.apache.kafka.common.utils.Utils;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads the three kinds of event input (encoded image, raw tensor, claim-check URI) into what
 * the engine takes, under size limits. Claim checks are resolved only for {@code file:} URIs
 * inside a configured root, so an event cannot make the processor read arbitrary files.
 */
public final class EventInputs {

    private final ImageDecoder decoder;
    private final int maxImageBytes;
    private final Optional<Path> fileRoot;

    public EventInputs(ImageDecoder decoder, int maxImageBytes, Optional<Path> fileRoot) {
        this.decoder = decoder;
        this.maxImageBytes = maxImageBytes;
        this.fileRoot = fileRoot.map(p -> p.toAbsolutePath().normalize());
    }

    public ImageDecoder decoder() {
        return decoder;
    }

    /** The encoded image bytes an event carries or points at; raw tensors have none. */
    public byte[] imageBytes(Object input) throws InvalidInputException {
        if (input instanceof EncodedImage image) {
            return Utils.toArray(image.getData());
        }
        if (input instanceof InputUri uri) {
            return fetch(uri);
        }
        throw new IllegalArgumentException("not an image input: " + input.getClass().getSimpleName());
    }

    /**
     * Header-only check of an image input: format known, dimensions and bytes within limits. An
     * encoded image's bytes are read in place, not copied.
     */
    public ImageHeader probe(Object input) throws InvalidInputException {
        if (input instanceof EncodedImage image) {
            return decoder.probe(image.getData());
        }
        return decoder.probe(imageBytes(input));
    }

    /** An input read once: ready for the model, with the SHA-256 of exactly what was read. */
    public record Resolved(ModelInput prepared, String sha256) {
    }

    /**
     * Reads an event input (encoded image, claim-check URI or raw tensor) for a model: fetched under
     * the claim-check rules, hashed as the audit records it ({@link AuditHashes}), decoded and
     * preprocessed. The one place an input is read for an explanation.
     */
    public Resolved resolve(ModelSpec spec, Object input) throws InvalidInputException {
        Preprocessor preprocessor = new Preprocessor(spec);
        if (input instanceof RawTensor raw) {
            return new Resolved(preprocessor.prepare(preprocessor.checkRawTensor(shape(raw), values(raw))),
                    AuditHashes.inputSha256(raw));
        }
        byte[] bytes = imageBytes(input);
        return new Resolved(preprocessor.prepare(decoder.decode(bytes)), AuditHashes.inputSha256(bytes));
    }

    public static long[] shape(RawTensor tensor) {
        long[] shape = new long[tensor.getShape().size() + 1];
        shape[0] = 1;
        for (int i = 0; i < tensor.getShape().size(); i++) {
            shape[i + 1] = tensor.getShape().get(i);
        }
        return shape;
    }

    /**
     * The tensor's values. What the event deserializer reads is a {@link FloatList}, copied
     * without boxing: a raw tensor's values are read for every event.
     */
    public static float[] values(RawTensor tensor) {
        if (tensor.getData() instanceof FloatList floats) {
            return floats.toFloatArray();
        }
        float[] values = new float[tensor.getData().size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = tensor.getData().get(i);
        }
        return values;
    }

    /**
     * Where a claim check points, checked without reading it: a {@code file:} URI inside
     * {@code inputs.file-root}. The selection stage checks this much on every event; only a
     * selected event's file is read.
     */
    public Path locate(InputUri claim) throws InvalidInputException {
        if (fileRoot.isEmpty()) {
            throw new InvalidInputException(InvalidInputException.INPUT_UNAVAILABLE,
                    "claim-check input " + claim.getUri() + " cannot be fetched: no inputs.file-root is configured");
        }
        Path file;
        try {
            URI uri = URI.create(claim.getUri());
            if (!"file".equals(uri.getScheme())) {
                throw new InvalidInputException(InvalidInputException.INPUT_UNAVAILABLE,
                        "claim-check scheme '" + uri.getScheme() + "' is not supported (only file:)");
            }
            file = Path.of(uri).toAbsolutePath().normalize();
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(InvalidInputException.INPUT_UNAVAILABLE,
                    "claim-check URI '" + claim.getUri() + "' is malformed: " + e.getMessage(), e);
        }
        if (!file.startsWith(fileRoot.get())) {
            throw new InvalidInputException(InvalidInputException.INPUT_UNAVAILABLE,
                    "claim-check file " + file + " is outside inputs.file-root " + fileRoot.get());
        }
        return file;
    }

    /**
     * The file a located claim check really is: links resolved, still inside the root's real
     * path, and not a hard link (another name of the file might be outside the root).
     */
    private Path real(Path file) throws InvalidInputException {
        Path real;
        Path realRoot;
        try {
            real = file.toRealPath();
            realRoot = fileRoot.get().toRealPath();
        } catch (IOException e) {
            throw new InvalidInputException(InvalidInputException.INPUT_UNAVAILABLE,
                    "claim-check file " + file + " cannot be read: " + e, e);
        }
        if (!real.startsWith(realRoot)) {
            throw new InvalidInputException(InvalidInputException.INPUT_UNAVAILABLE,
                    "claim-check file " + file + " is a link to " + real + ", outside inputs.file-root " + realRoot);
        }
        try {
            if (Files.getFileStore(real).supportsFileAttributeView("unix")
                    && ((Integer) Files.getAttribute(real, "unix:nlink")) > 1) {
                throw new InvalidInputException(InvalidInputException.INPUT_UNAVAILABLE,
                        "claim-check file " + file + " has other hard links, which may lie outside inputs.file-root");
            }
        } catch (IOException e) {
            throw new InvalidInputException(InvalidInputException.INPUT_UNAVAILABLE,
                    "claim-check file " + file + " cannot be read: " + e, e);
        }
        return real;
    }

    private byte[] fetch(InputUri claim) throws InvalidInputException {
        Path file = real(locate(claim));
        byte[] data;
        // the real path has no links left; NOFOLLOW_LINKS refuses one swapped in since
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            data = in.readNBytes(maxImageBytes + 1);
        } catch (IOException e) {
            throw new InvalidInputException(InvalidInputException.INPUT_UNAVAILABLE,
                    "claim-check file " + file + " cannot be read: " + e, e);
        }
        if (data.length > maxImageBytes) {
            throw new InvalidInputException(InvalidInputException.IMAGE_TOO_LARGE,
                    "claim-check file " + file + " is over the " + maxImageBytes + "-byte limit");
        }
        if (claim.getSha256() != null && !claim.getSha256().equalsIgnoreCase(Hashes.sha256Hex(data))) {
            throw new InvalidInputException(InvalidInputException.INPUT_UNAVAILABLE,
                    "claim-check file " + file + " does not match its sha256 " + claim.getSha256());
        }
        return data;
    }
}
