package io.saliencystream.stream;

import io.saliencystream.schema.ClassScore;
import io.saliencystream.schema.InferenceEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Decides which events to explain. Deterministic: the decision depends only on the event and
 * the configuration, never on arrival order or on which instance sees it, so a replay picks
 * the same events. The sampled draw hashes the event id with SHA-256 (stable across JVMs and
 * languages, unlike {@link String#hashCode()}) to a point in [0, 1) that is compared with the
 * model's rate; the flag rules then add reasons of their own. Stateless and thread-safe.
 */
public final class Sampler {

    private final SamplingConfig config;
    private final RateBoost boost;

    public Sampler(SamplingConfig config) {
        this(config, RateBoost.NONE);
    }

    public Sampler(SamplingConfig config, RateBoost boost) {
        this.config = Objects.requireNonNull(config, "config");
        this.boost = Objects.requireNonNull(boost, "boost");
    }

    public Selection select(InferenceEvent event) {
        boolean sampled = unitHash(event.getEventId()) < rateFor(event.getModelName());
        return Selection.of(sampled, flagReasons(event));
    }

    /** The model's configured rate times its boost, capped at 1. */
    public double rateFor(String modelName) {
        return Math.min(1.0, config.rateFor(modelName) * boost.factorFor(modelName));
    }

    /**
     * Raises a model's sampling rate for a while (attention drift raises it while an alert is
     * open for the model). Must be thread-safe: every stream thread asks it.
     */
    @FunctionalInterface
    public interface RateBoost {
        RateBoost NONE = modelName -> 1.0;

        /** Factor (>= 1) on the model's rate now. */
        double factorFor(String modelName);
    }

    /**
     * The event id mapped uniformly to [0, 1): the first 8 bytes of SHA-256 of its UTF-8 bytes,
     * read big-endian, top 53 bits as a double fraction.
     */
    public static double unitHash(String eventId) {
        byte[] digest = sha256().digest(eventId.getBytes(StandardCharsets.UTF_8));
        long first8 = ByteBuffer.wrap(digest, 0, Long.BYTES).getLong();
        return (first8 >>> 11) * 0x1.0p-53;
    }

    private List<String> flagReasons(InferenceEvent event) {
        FlagRules rules = config.flagRules();
        List<String> reasons = new ArrayList<>(2);
        if (rules.producerFlag() && !event.getFlags().isEmpty()) {
            reasons.add(Selection.FLAG_PRODUCER);
        }
        List<ClassScore> ranked = new ArrayList<>(event.getTopK());
        // topK is documented best first; ranking again guards against producers that do not sort
        ranked.sort(Comparator.comparingDouble(ClassScore::getScore).reversed());
        if (ranked.isEmpty()) {
            return reasons;
        }
        ClassScore top1 = ranked.get(0);
        if (rules.lowConfidenceBelow() != null && top1.getScore() < rules.lowConfidenceBelow()) {
            reasons.add(Selection.FLAG_LOW_CONFIDENCE);
        }
        if (rules.smallMarginBelow() != null && ranked.size() >= 2
                && top1.getScore() - ranked.get(1).getScore() < rules.smallMarginBelow()) {
            reasons.add(Selection.FLAG_SMALL_MARGIN);
        }
        String truth = event.getGroundTruthLabel();
        if (rules.labelDisagreement() && truth != null && !names(top1, truth)) {
            reasons.add(Selection.FLAG_LABEL_DISAGREEMENT);
        }
        if (rules.watchedClasses().contains(top1.getClassIndex())
                || top1.getLabel() != null && rules.watchedLabels().contains(top1.getLabel())) {
            reasons.add(Selection.FLAG_WATCHED_CLASS);
        }
        return reasons;
    }

    /** Whether {@code label} names the class: its label, or its index written as a number. */
    private static boolean names(ClassScore score, String label) {
        return label.equals(score.getLabel()) || label.equals(Integer.toString(score.getClassIndex()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime must provide SHA-256", e);
        }
    }
}
