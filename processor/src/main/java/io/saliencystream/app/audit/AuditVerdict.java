package io.saliencystream.app.audit;

import java.util.Locale;

/**
 * The outcome of re-running one audited explanation.
 *
 * @param eventId the audited event, with {@code /target=<class>} for a target other than the predicted class
 * @param match   whether the recomputation reproduced the record
 * @param reason  why it matched ("map hash equal", "numerically equal ...") or the first reason it did not
 */
public record AuditVerdict(String eventId, boolean match, String reason) {

    static AuditVerdict match(String eventId, String reason) {
        return new AuditVerdict(eventId, true, reason);
    }

    static AuditVerdict mismatch(String eventId, String reason) {
        return new AuditVerdict(eventId, false, reason);
    }

    /** One line for people: {@code MATCH    e-1  map hash equal}. */
    public String line() {
        return String.format(Locale.ROOT, "%-8s %s  %s", match ? "MATCH" : "MISMATCH", eventId, reason);
    }
}
