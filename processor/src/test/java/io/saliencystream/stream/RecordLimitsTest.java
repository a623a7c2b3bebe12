package io.saliencystream.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.engine.model.Hashes;
import io.saliencystream.schema.DeadLetter;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.testing.InMemorySchemaRegistry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordLimitsTest {

    static {
        io.saliencystream.serde.AvroTrust.install();
    }

    private final AvroSerdes serdes = new AvroSerdes(new InMemorySchemaRegistry());
    private final Serializer<DeadLetter> letters = serdes.specific(DeadLetter.class).serializer();
    private final Deserializer<DeadLetter> readLetter = serdes.specific(DeadLetter.class).deserializer();
    private final Serializer<SaliencyOverlay> overlays = serdes.specific(SaliencyOverlay.class).serializer();
    private final Deserializer<SaliencyOverlay> readOverlay = serdes.specific(SaliencyOverlay.class).deserializer();

    @TempDir
    Path dir;

    @Test
    void deadLettersKeepOriginalsThatFitAndCutThoseThatDoNot() {
        RecordLimits limits = RecordLimits.defaultBroker();
        Serializer<DeadLetter> fitting = limits.deadLetters(letters);
        for (int size : new int[] {900_000, 1_050_000, 1_500_000}) {
            byte[] original = noise(size);
            byte[] bytes = fitting.serialize("dead-letters", letter(original));
            DeadLetter read = readLetter.deserialize("dead-letters", bytes);
            assertThat(bytes.length).as("%d-byte original", size).isLessThanOrEqualTo(limits.deadLetterBytes());
            if (size == 900_000) {
                assertThat(read.getOriginalValueTruncated()).isFalse();
                assertThat(Utils.toArray(read.getOriginalValue())).isEqualTo(original);
            } else {
                assertThat(read.getOriginalValueTruncated()).isTrue();
                assertThat(Utils.toArray(read.getOriginalValue()))
                        .isEqualTo(Arrays.copyOf(original, RecordLimits.HEAD_BYTES));
                assertThat(read.getOriginalValueSize()).isEqualTo(size);
                assertThat(read.getOriginalValueSha256()).isEqualTo(Hashes.sha256Hex(original));
            }
        }
    }

    @Test
    void aConfiguredMaximumCutsOriginalsThatWouldFit() {
        RecordLimits limits = new RecordLimits(RecordLimits.DEFAULT_PRODUCER_BYTES, 1 << 20, 1 << 20, Optional.of(10_000),
                Optional.empty());
        DeadLetter read = readLetter.deserialize("dead-letters",
                limits.deadLetters(letters).serialize("dead-letters", letter(noise(10_001))));
        assertThat(read.getOriginalValueTruncated()).isTrue();
        assertThat(read.getOriginalValueSize()).isEqualTo(10_001);
        read = readLetter.deserialize("dead-letters",
                limits.deadLetters(letters).serialize("dead-letters", letter(noise(10_000))));
        assertThat(read.getOriginalValueTruncated()).isFalse();
    }

    @Test
    void anOverlayTooLargeIsDownscaledUntilItFits() throws Exception {
        SaliencyOverlay big = overlay(896);
        int limit = 1_000_000;
        assertThat(overlays.serialize("saliency-overlays", big).length).isGreaterThan(limit);
        RecordLimits limits = new RecordLimits(limit, limit, limit, Optional.empty(), Optional.empty());
        byte[] bytes = limits.overlays(overlays).serialize("saliency-overlays", big);
        SaliencyOverlay read = readOverlay.deserialize("saliency-overlays", bytes);
        assertThat(bytes.length).isLessThanOrEqualTo(limit);
        assertThat(read.getFit()).isEqualTo("downscaled");
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(Utils.toArray(read.getPng())));
        assertThat(png.getWidth()).isEqualTo(read.getWidth()).isLessThan(896);
        assertThat(png.getHeight()).isEqualTo(read.getHeight());
    }

    @Test
    void anOverlayTooLargeIsStoredByClaimCheckWhenAFolderIsConfigured() throws Exception {
        SaliencyOverlay big = overlay(896);
        byte[] png = Utils.toArray(big.getPng());
        RecordLimits limits = new RecordLimits(1_000_000, 1_000_000, 1_000_000, Optional.empty(), Optional.of(dir));
        SaliencyOverlay read = readOverlay.deserialize("saliency-overlays",
                limits.overlays(overlays).serialize("saliency-overlays", big));
        assertThat(read.getFit()).isEqualTo("claim-check");
        assertThat(read.getPng().remaining()).isZero();
        assertThat(read.getPngSize()).isEqualTo(png.length);
        assertThat(read.getPngSha256()).isEqualTo(Hashes.sha256Hex(png));
        assertThat(Files.readAllBytes(Path.of(URI.create(read.getPngUri())))).isEqualTo(png);
        assertThat(read.getWidth()).isEqualTo(896);
    }

    @Test
    void overlaysThatFitAreWrittenAsRendered() {
        SaliencyOverlay small = overlay(64);
        byte[] bytes = RecordLimits.defaultBroker().overlays(overlays).serialize("saliency-overlays", small);
        assertThat(bytes).isEqualTo(overlays.serialize("saliency-overlays", small));
        assertThat(readOverlay.deserialize("saliency-overlays", bytes).getFit()).isEqualTo("inline");
    }

    private static DeadLetter letter(byte[] original) {
        return DeadLetter.newBuilder().setSourceTopic("inference-events").setSourcePartition(0).setSourceOffset(7)
                .setSourceTimestamp(Instant.EPOCH).setOriginalKey(ByteBuffer.wrap(new byte[] {1}))
                .setOriginalValue(ByteBuffer.wrap(original)).setStage("validate").setErrorCode("image-undecodable")
                .setErrorClass("x").setReason("unreadable").setFailedAt(Instant.EPOCH).build();
    }

    /** An overlay whose PNG is noise: it does not compress, the worst case for its size. */
    private static SaliencyOverlay overlay(int side) {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(1);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return SaliencyOverlay.newBuilder().setEventId("e").setModelName("m").setModelVersion("1")
                .setPredictedClass(0).setMethod("occlusion").setColorMap("viridis").setWidth(side).setHeight(side)
                .setPng(ByteBuffer.wrap(out.toByteArray())).build();
    }

    private static byte[] noise(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}
