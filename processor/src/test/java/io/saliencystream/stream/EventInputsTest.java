package io.saliencystream.stream;

import io.saliencystream.audit.AuditHashes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saliencystream.engine.input.ImageDecoder;
import io.saliencystream.engine.input.InvalidInputException;
import io.saliencystream.engine.model.Hashes;
import io.saliencystream.schema.InputUri;
import io.saliencystream.schema.RawTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

class EventInputsTest {

    @TempDir
    Path root;

    private EventInputs inputs(Optional<Path> fileRoot) {
        return new EventInputs(ImageDecoder.withDefaults(), 1_000, fileRoot);
    }

    @Test
    void claimCheckInsideTheRootIsReadAndItsHashChecked() throws Exception {
        Path file = Files.write(root.resolve("a.png"), new byte[] {1, 2, 3});
        String sha = Hashes.sha256Hex(new byte[] {1, 2, 3});
        assertThat(inputs(Optional.of(root)).imageBytes(new InputUri(file.toUri().toString(), sha)))
                .containsExactly(1, 2, 3);
        assertThatThrownBy(() -> inputs(Optional.of(root)).imageBytes(new InputUri(file.toUri().toString(), "00" + sha.substring(2))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("does not match its sha256");
    }

    @Test
    void claimChecksAreRefusedWithoutARootOutsideItForOtherSchemesAndOverTheSizeLimit() throws Exception {
        Path inside = Files.write(root.resolve("big.png"), new byte[1_001]);
        Path outside = Files.createTempFile("outside", ".png");
        try {
            assertCode(() -> inputs(Optional.empty()).imageBytes(new InputUri(inside.toUri().toString(), null)),
                    InvalidInputException.INPUT_UNAVAILABLE, "no inputs.file-root");
            assertCode(() -> inputs(Optional.of(root)).imageBytes(new InputUri(outside.toUri().toString(), null)),
                    InvalidInputException.INPUT_UNAVAILABLE, "outside inputs.file-root");
            assertCode(() -> inputs(Optional.of(root)).imageBytes(
                    new InputUri(root.resolve("../" + root.getFileName() + "/../x.png").toUri().toString(), null)),
                    InvalidInputException.INPUT_UNAVAILABLE, "outside inputs.file-root");
            assertCode(() -> inputs(Optional.of(root)).imageBytes(new InputUri("https://example.com/a.png", null)),
                    InvalidInputException.INPUT_UNAVAILABLE, "not supported");
            assertCode(() -> inputs(Optional.of(root)).imageBytes(new InputUri(inside.toUri().toString(), null)),
                    InvalidInputException.IMAGE_TOO_LARGE, "1000-byte limit");
            assertCode(() -> inputs(Optional.of(root)).imageBytes(
                    new InputUri(root.resolve("missing.png").toUri().toString(), null)),
                    InvalidInputException.INPUT_UNAVAILABLE, "cannot be read");
        } finally {
            Files.delete(outside);
        }
    }

    @Test
    void linksOutOfTheRootDotsAndHardLinksAreRefusedLinksWithinItAreRead() throws Exception {
        Path outsideDir = Files.createTempDirectory("outside");
        try {
            Path secret = Files.write(outsideDir.resolve("secret.png"), new byte[] {9, 9, 9});
            Path inside = Files.write(root.resolve("inside.png"), new byte[] {1, 2, 3});
            Path linkOut = Files.createSymbolicLink(root.resolve("out.png"), secret);
            Path dirLinkOut = Files.createSymbolicLink(root.resolve("elsewhere"), outsideDir);
            Path linkIn = Files.createSymbolicLink(root.resolve("alias.png"), inside);
            EventInputs inputs = inputs(Optional.of(root));

            assertCode(() -> inputs.imageBytes(new InputUri(linkOut.toUri().toString(), null)),
                    InvalidInputException.INPUT_UNAVAILABLE, "outside inputs.file-root");
            assertCode(() -> inputs.imageBytes(new InputUri(root.toUri() + "elsewhere/secret.png", null)),
                    InvalidInputException.INPUT_UNAVAILABLE, "outside inputs.file-root");
            assertCode(() -> inputs.imageBytes(new InputUri(root.toUri() + "../" + outsideDir.getFileName()
                    + "/secret.png", null)), InvalidInputException.INPUT_UNAVAILABLE, "outside inputs.file-root");
            assertCode(() -> inputs.imageBytes(new InputUri(root.toUri() + "%2e%2e/" + outsideDir.getFileName()
                    + "/secret.png", null)), InvalidInputException.INPUT_UNAVAILABLE, "outside inputs.file-root");
            assertThat(inputs.imageBytes(new InputUri(linkIn.toUri().toString(), null))).containsExactly(1, 2, 3);
            assertThat(dirLinkOut).isSymbolicLink();

            Path hardLink = root.resolve("hard.png");
            try {
                Files.createLink(hardLink, secret);
            } catch (UnsupportedOperationException | java.io.IOException e) {
                return; // no hard links here (or not across these folders): nothing more to check
            }
            assertCode(() -> inputs.imageBytes(new InputUri(hardLink.toUri().toString(), null)),
                    InvalidInputException.INPUT_UNAVAILABLE, "other hard links");
        } finally {
            org.apache.kafka.common.utils.Utils.delete(outsideDir.toFile());
        }
    }

    @Test
    void locatingAClaimCheckChecksWhereItPointsWithoutReadingIt() throws Exception {
        Path missing = root.resolve("not-yet-written.png");
        assertThat(inputs(Optional.of(root)).locate(new InputUri(missing.toUri().toString(), null))).isEqualTo(missing);
        assertCode(() -> inputs(Optional.of(root)).locate(new InputUri("file:///etc/passwd", null)),
                InvalidInputException.INPUT_UNAVAILABLE, "outside inputs.file-root");
        assertCode(() -> inputs(Optional.empty()).locate(new InputUri(missing.toUri().toString(), null)),
                InvalidInputException.INPUT_UNAVAILABLE, "no inputs.file-root");
    }

    @Test
    void rawTensorHashCoversShapeAndValues() {
        RawTensor a = new RawTensor(List.of(1, 2), List.of(0.5f, 1f));
        // shape 1, 2 then 0.5, 1.0 as little-endian int32 / float32, hashed independently here
        byte[] expected = {1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0x3f, 0, 0, (byte) 0x80, 0x3f};
        assertThat(AuditHashes.inputSha256(a)).isEqualTo(Hashes.sha256Hex(expected));
        assertThat(AuditHashes.inputSha256(new RawTensor(List.of(2, 1), List.of(0.5f, 1f)))).isNotEqualTo(AuditHashes.inputSha256(a));
    }

    private static void assertCode(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String code, String text) {
        assertThatThrownBy(call).isInstanceOfSatisfying(InvalidInputException.class,
                e -> assertThat(e.code()).isEqualTo(code)).hasMessageContaining(text);
    }
}
