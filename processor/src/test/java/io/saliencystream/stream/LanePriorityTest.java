package io.saliencystream.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LanePriorityTest {

    @Test
    void aSampledExplanationWaitsUntilTheFlaggedOnesFinish() throws Exception {
        LanePriority priority = new LanePriority(Duration.ofSeconds(30));
        priority.flaggedStarted();
        priority.flaggedStarted();
        CompletableFuture<Boolean> sampled = new CompletableFuture<>();
        Thread sampledThread = new Thread(() -> {
            try {
                sampled.complete(priority.awaitSampledTurn());
            } catch (InterruptedException e) {
                sampled.completeExceptionally(e);
            }
        });
        sampledThread.start();
        // on a loaded machine the thread may start late: go on once it waits
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sampledThread.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(sampledThread.getState()).isEqualTo(Thread.State.TIMED_WAITING);
        priority.flaggedFinished();
        Thread.sleep(100);
        assertThat(sampled).as("one flagged explanation still runs").isNotDone();
        priority.flaggedFinished();
        assertThat(sampled.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(priority.sampledWaited()).isGreaterThanOrEqualTo(Duration.ofMillis(100));
    }

    @Test
    void aSampledExplanationWaitsAtMostTheLongestWait() throws Exception {
        LanePriority priority = new LanePriority(Duration.ofMillis(200));
        priority.flaggedStarted();
        long start = System.nanoTime();
        assertThat(priority.awaitSampledTurn()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void withoutFlaggedExplanationsOrWithoutPriorityNothingWaits() throws Exception {
        assertThat(new LanePriority(Duration.ofSeconds(30)).awaitSampledTurn()).isFalse();
        LanePriority none = LanePriority.none();
        none.flaggedStarted();
        assertThat(none.awaitSampledTurn()).isFalse();
        assertThat(none.sampledWaited()).isZero();
        assertThatThrownBy(() -> new LanePriority(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
