package io.saliencystream.stream;

import java.time.Duration;
import java.util.Objects;

/**
 * Flagged explanations first within one process. The two lanes run on threads of their own and,
 * left alone, share the cores evenly, so a backlog of sampled requests halves what a flagged
 * explanation gets. Both lanes' processors share one of these: a sampled explanation does not
 * start while a flagged one is running, and waits at most {@code maxWait} for that (so a sampled
 * stream thread always gets back to its poll, and sampled requests still move when flagged ones
 * never stop). A sampled explanation already running is not interrupted.
 */
public final class LanePriority {

    private final long maxWaitNanos;
    private int flaggedRunning;
    private long waitedNanos;

    /**
     * @param maxWait the longest a sampled explanation waits for flagged ones; zero turns the priority off
     */
    public LanePriority(Duration maxWait) {
        Objects.requireNonNull(maxWait, "maxWait");
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("the sampled lane's longest wait must not be negative, got " + maxWait);
        }
        this.maxWaitNanos = maxWait.toNanos();
    }

    /** No priority: the lanes share the cores evenly. */
    public static LanePriority none() {
        return new LanePriority(Duration.ZERO);
    }

    public Duration maxWait() {
        return Duration.ofNanos(maxWaitNanos);
    }

    synchronized void flaggedStarted() {
        flaggedRunning++;
    }

    synchronized void flaggedFinished() {
        if (--flaggedRunning == 0) {
            notifyAll();
        }
    }

    /**
     * Blocks a sampled explanation while a flagged one runs, at most {@code maxWait}.
     *
     * @return whether it waited for a flagged explanation
     */
    synchronized boolean awaitSampledTurn() throws InterruptedException {
        if (flaggedRunning == 0 || maxWaitNanos == 0) {
            return false;
        }
        long start = System.nanoTime();
        long deadline = start + maxWaitNanos;
        for (long left = maxWaitNanos; flaggedRunning > 0 && left > 0; left = deadline - System.nanoTime()) {
            wait(left / 1_000_000, (int) (left % 1_000_000));
        }
        waitedNanos += System.nanoTime() - start;
        return true;
    }

    /** Time sampled explanations have spent waiting for flagged ones, in all. */
    public synchronized Duration sampledWaited() {
        return Duration.ofNanos(waitedNanos);
    }
}
