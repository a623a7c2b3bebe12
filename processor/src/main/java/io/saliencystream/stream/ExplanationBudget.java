package io.saliencystream.stream;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Compute budget per model name: one token bucket each (see {@link BudgetConfig}), so a
 * burst on one model can neither stall the stream thread nor use up another model's share.
 * Time comes from the caller (the processor passes the stream's wall-clock time, which
 * TopologyTestDriver controls). One instance is shared by every task of the application
 * instance, so the limit is per instance and per model, whatever the number of partitions.
 * Budget decisions depend on timing and are therefore not replay-deterministic, unlike
 * {@link Sampler}; every refusal is counted by the caller.
 */
public final class ExplanationBudget {

    private final SamplingConfig config;
    private final Map<String, TokenBucket> buckets = new HashMap<>();

    public ExplanationBudget(SamplingConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Takes one token from the model's bucket if the event may have it: a flagged event when
     * at least one token is left, a sampled one only while the tokens left after spending
     * stay at or above the reserved share of the burst.
     */
    public synchronized boolean tryAcquire(String modelName, boolean flagged, long nowMillis) {
        BudgetConfig budget = config.budgetFor(modelName);
        if (budget.isUnlimited()) {
            return true;
        }
        return buckets.computeIfAbsent(modelName, m -> new TokenBucket(budget, nowMillis))
                .tryTake(flagged, nowMillis);
    }

    /** Tokens the model has right now (for tests and diagnostics). */
    public synchronized double available(String modelName, long nowMillis) {
        BudgetConfig budget = config.budgetFor(modelName);
        if (budget.isUnlimited()) {
            return Double.POSITIVE_INFINITY;
        }
        TokenBucket bucket = buckets.get(modelName);
        if (bucket == null) {
            return budget.burst();
        }
        bucket.refill(nowMillis);
        return bucket.tokens;
    }

    private static final class TokenBucket {
        private final BudgetConfig budget;
        private double tokens;
        private long lastRefillMillis;

        TokenBucket(BudgetConfig budget, long nowMillis) {
            this.budget = budget;
            this.tokens = budget.burst();
            this.lastRefillMillis = nowMillis;
        }

        boolean tryTake(boolean flagged, long nowMillis) {
            refill(nowMillis);
            double floor = flagged ? 0 : budget.reservedForFlagged() * budget.burst();
            // the epsilon keeps refills like 10 x 0.1 token from falling a hair short of one
            if (tokens - 1 + 1e-9 < floor) {
                return false;
            }
            tokens -= 1;
            return true;
        }

        void refill(long nowMillis) {
            // clocks of different stream threads may disagree a little: never refill backwards
            if (nowMillis > lastRefillMillis) {
                tokens = Math.min(budget.burst(),
                        tokens + (nowMillis - lastRefillMillis) * budget.explanationsPerSecond() / 1000.0);
                lastRefillMillis = nowMillis;
            }
        }
    }
}
