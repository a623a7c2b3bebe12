package io.saliencystream.stream;

import java.util.Objects;

/**
 * The topics that connect the selection stage to the explanation stage: one for flagged
 * requests and one for sampled ones, so that each is read by its own stream threads and a
 * backlog of sampled requests never delays a flagged one.
 */
public record RequestTopics(String flagged, String sampled) {

    public RequestTopics {
        Objects.requireNonNull(flagged, "flagged");
        Objects.requireNonNull(sampled, "sampled");
        if (flagged.equals(sampled)) {
            throw new IllegalArgumentException("flagged and sampled explanation requests need two topics, got "
                    + flagged + " for both");
        }
    }

    public static RequestTopics defaults() {
        return new RequestTopics("explanation-requests-flagged", "explanation-requests-sampled");
    }

    /** The topic of one lane. */
    public String of(Lane lane) {
        return lane == Lane.FLAGGED ? flagged : sampled;
    }

    /** Flagged or sampled: the two lanes of explanation requests. */
    public enum Lane {
        FLAGGED("flagged"), SAMPLED("sampled");

        private final String label;

        Lane(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public static Lane of(Selection selection) {
            return selection.flagged() ? FLAGGED : SAMPLED;
        }
    }
}
