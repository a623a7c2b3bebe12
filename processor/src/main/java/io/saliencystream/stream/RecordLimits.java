package io.saliencystream.stream;

import io.saliencystream.engine.model.Hashes;
import io.saliencystream.render.OverlayRenderer;
import io.saliencystream.schema.DeadLetter;
import io.saliencystream.schema.SaliencyOverlay;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The largest record value the dead-letter, overlay and explanation-request sinks may write (what
 * both the producer's {@code max.request.size} and the topic's {@code max.message.bytes} accept,
 * less headroom), and serializers that make oversize records fit instead of letting the producer
 * refuse them, which would fail the transaction and replay the same record forever. A request
 * carries the original event whole, so it cannot be cut: the selection stage dead-letters a
 * selected event whose request is larger than {@link #requestBytes()}.
 *
 * @param deadLetterBytes            largest serialized dead letter
 * @param overlayBytes               largest serialized overlay
 * @param requestBytes               largest serialized explanation request, key included
 * @param deadLetterMaxOriginalBytes original values above this are cut even when they would fit
 * @param overlayClaimCheckDir       where overlays too large for the topic are stored; absent: they are downscaled
 */
public record RecordLimits(int deadLetterBytes, int overlayBytes, int requestBytes,
        Optional<Integer> deadLetterMaxOriginalBytes, Optional<Path> overlayClaimCheckDir) {

    /** Bytes of an oversize original value a dead letter keeps: enough to see what it was. */
    public static final int HEAD_BYTES = 1024;
    /** Longest reason a dead letter carries. */
    static final int MAX_REASON_CHARS = 4096;
    /** Overlays are not downscaled below this width or height. */
    static final int MIN_OVERLAY_SIDE = 16;

    private static final Logger LOG = LoggerFactory.getLogger(RecordLimits.class);

    public RecordLimits {
        Objects.requireNonNull(deadLetterMaxOriginalBytes, "deadLetterMaxOriginalBytes");
        Objects.requireNonNull(overlayClaimCheckDir, "overlayClaimCheckDir");
        if (deadLetterBytes < 2 * HEAD_BYTES || overlayBytes < 1 || requestBytes < 1) {
            throw new IllegalArgumentException("record limits too small: dead letters " + deadLetterBytes
                    + " bytes, overlays " + overlayBytes + " bytes, requests " + requestBytes + " bytes");
        }
    }

    /** Room left below a limit for the record batch, the record's header and its key. */
    public static final int HEADROOM_BYTES = 16 * 1024;
    /** The producer's default max.request.size; a broker's default max.message.bytes is 12 bytes more. */
    public static final int DEFAULT_PRODUCER_BYTES = 1024 * 1024;

    /** What a producer and topics with Kafka's defaults accept. */
    public static RecordLimits defaultBroker() {
        int limit = DEFAULT_PRODUCER_BYTES - HEADROOM_BYTES;
        return new RecordLimits(limit, limit, limit, Optional.empty(), Optional.empty());
    }

    /** Bytes of {@code record} in the Confluent wire format (5 header bytes and its Avro binary encoding). */
    public static int wireSize(SpecificRecord record) {
        CountingStream counted = new CountingStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(counted, null);
        try {
            new SpecificDatumWriter<SpecificRecord>(record.getSchema()).write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return WIRE_HEADER_BYTES + (int) Math.min(Integer.MAX_VALUE, counted.count);
    }

    /** Magic byte and schema id in front of every value in the Confluent wire format. */
    static final int WIRE_HEADER_BYTES = 5;

    /** Counts what is written: sizing a request must not copy its original value. */
    private static final class CountingStream extends OutputStream {
        private long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

    /** Dead letters through {@code inner}, their original value cut to its first bytes when too large. */
    public Serializer<DeadLetter> deadLetters(Serializer<DeadLetter> inner) {
        return (topic, letter) -> {
            if (letter == null) {
                return inner.serialize(topic, null);
            }
            int size = letter.getOriginalValue() == null ? 0 : letter.getOriginalValue().remaining();
            DeadLetter fitted = deadLetterMaxOriginalBytes.filter(max -> size > max).isPresent()
                    ? truncated(letter) : letter;
            byte[] bytes = inner.serialize(topic, fitted);
            if (bytes.length > deadLetterBytes && !fitted.getOriginalValueTruncated()) {
                fitted = truncated(letter);
                bytes = inner.serialize(topic, fitted);
            }
            return bytes;
        };
    }

    private DeadLetter truncated(DeadLetter letter) {
        byte[] value = Utils.toArray(letter.getOriginalValue());
        LOG.info("dead letter of {}-{}@{} ({}): original value of {} bytes replaced by its first {} bytes and its"
                        + " SHA-256, to fit {} bytes", letter.getSourceTopic(), letter.getSourcePartition(),
                letter.getSourceOffset(), letter.getErrorCode(), value.length, HEAD_BYTES, deadLetterBytes);
        String reason = letter.getReason();
        return DeadLetter.newBuilder(letter)
                .setOriginalValue(ByteBuffer.wrap(Arrays.copyOf(value, Math.min(value.length, HEAD_BYTES))))
                .setOriginalValueTruncated(true)
                .setOriginalValueSize(value.length)
                .setOriginalValueSha256(Hashes.sha256Hex(value))
                .setReason(reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) + "…" : reason)
                .build();
    }

    /**
     * Overlays through {@code inner}; one too large is stored by claim check when a folder is
     * configured, otherwise its PNG is halved until it fits.
     */
    public Serializer<SaliencyOverlay> overlays(Serializer<SaliencyOverlay> inner) {
        return (topic, overlay) -> {
            byte[] bytes = inner.serialize(topic, overlay);
            if (overlay == null || bytes.length <= overlayBytes) {
                return bytes;
            }
            byte[] png = Utils.toArray(overlay.getPng());
            if (overlayClaimCheckDir.isPresent()) {
                return inner.serialize(topic, claimChecked(overlay, png, overlayClaimCheckDir.get()));
            }
            SaliencyOverlay fitted = overlay;
            while (bytes.length > overlayBytes && Math.min(fitted.getWidth(), fitted.getHeight()) / 2 >= MIN_OVERLAY_SIDE) {
                BufferedImage half = half(fitted.getPng());
                fitted = SaliencyOverlay.newBuilder(fitted).setPng(ByteBuffer.wrap(png(half)))
                        .setWidth(half.getWidth()).setHeight(half.getHeight()).setFit("downscaled").build();
                bytes = inner.serialize(topic, fitted);
            }
            LOG.info("overlay of event {}: PNG of {} bytes ({}x{}) downscaled to {}x{} to fit {} bytes",
                    overlay.getEventId(), png.length, overlay.getWidth(), overlay.getHeight(), fitted.getWidth(),
                    fitted.getHeight(), overlayBytes);
            return bytes;
        };
    }

    private static SaliencyOverlay claimChecked(SaliencyOverlay overlay, byte[] png, Path dir) {
        String sha256 = Hashes.sha256Hex(png);
        // named by content: a replayed record writes the same file again
        Path file = dir.resolve(sha256 + ".png");
        try {
            Files.createDirectories(dir);
            if (!Files.exists(file)) {
                Path temp = Files.createTempFile(dir, sha256, ".tmp");
                Files.write(temp, png);
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the overlay of event " + overlay.getEventId() + " in "
                    + dir + " (overlays.claim-check-dir)", e);
        }
        return SaliencyOverlay.newBuilder(overlay).setPng(ByteBuffer.allocate(0)).setFit("claim-check")
                .setPngUri(file.toUri().toString()).setPngSize(png.length).setPngSha256(sha256).build();
    }

    private static BufferedImage half(ByteBuffer png) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(Utils.toArray(png)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        BufferedImage half = new BufferedImage(Math.max(1, image.getWidth() / 2), Math.max(1, image.getHeight() / 2),
                BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = half.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, half.getWidth(), half.getHeight(), null);
        g.dispose();
        return half;
    }

    private static byte[] png(BufferedImage image) {
        return OverlayRenderer.png(image);
    }
}
