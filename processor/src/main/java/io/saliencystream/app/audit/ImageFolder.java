package io.saliencystream.app.audit;

import io.saliencystream.engine.model.Hashes;
import io.saliencystream.schema.EncodedImage;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.ImageFormat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Image files located by content: every regular file of the folder (recursively) is hashed and
 * found by the audit's input SHA-256. When no file has that hash, a file named after the event
 * id ({@code <eventId>.<ext>}) is returned instead, so that an edited image is reported as a
 * changed input rather than a missing one.
 */
public final class ImageFolder implements InputSource {

    private final Path folder;
    private final Map<String, Path> bySha256 = new HashMap<>();
    private final Map<String, Path> byStem = new HashMap<>();

    public ImageFolder(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IOException("input folder " + folder + " is not a folder");
        }
        this.folder = folder;
        List<Path> files;
        try (Stream<Path> walk = Files.walk(folder)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            bySha256.putIfAbsent(Hashes.sha256Hex(f), f);
            String name = f.getFileName().toString();
            int dot = name.lastIndexOf('.');
            byStem.putIfAbsent(dot > 0 ? name.substring(0, dot) : name, f);
        }
    }

    @Override
    public Optional<Object> find(ExplanationAudit audit) {
        Path file = bySha256.getOrDefault(audit.getInputSha256().toLowerCase(Locale.ROOT), byStem.get(audit.getEventId()));
        if (file == null) {
            return Optional.empty();
        }
        try {
            // the decoder recognises the format from the bytes
            return Optional.of(new EncodedImage(ImageFormat.UNKNOWN, ByteBuffer.wrap(Files.readAllBytes(file))));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read input file " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return "folder " + folder + " (" + bySha256.size() + " distinct files)";
    }
}
