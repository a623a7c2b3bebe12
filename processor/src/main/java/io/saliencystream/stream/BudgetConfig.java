package io.saliencystream.stream;

/**
 * A compute budget for one model: a token bucket refilled at {@code explanationsPerSecond},
 * holding at most {@code burst} tokens, one token per explanation. Sampled events may only
 * spend tokens above the share {@code reservedForFlagged} of the burst; flagged events may
 * spend all of them, so a burst of sampled traffic cannot starve the flagged events behind it.
 */
public record BudgetConfig(double explanationsPerSecond, double burst, double reservedForFlagged) {

    public BudgetConfig {
        if (!(explanationsPerSecond > 0)) {
            throw new IllegalArgumentException("explanationsPerSecond must be > 0, got " + explanationsPerSecond);
        }
        if (!(burst >= 1) || Double.isInfinite(burst) && !Double.isInfinite(explanationsPerSecond)) {
            throw new IllegalArgumentException("burst must be >= 1 (and finite for a finite rate), got " + burst);
        }
        if (!(reservedForFlagged >= 0 && reservedForFlagged <= 1)) {
            throw new IllegalArgumentException("reservedForFlagged must be within [0, 1], got " + reservedForFlagged);
        }
    }

    /** No limit: every selected event is explained. */
    public static BudgetConfig unlimited() {
        return new BudgetConfig(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, 0);
    }

    public boolean isUnlimited() {
        return Double.isInfinite(explanationsPerSecond);
    }
}
