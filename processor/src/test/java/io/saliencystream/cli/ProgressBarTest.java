package io.saliencystream.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressBarTest {

    /** A clock the test moves: one second per step. */
    private long now = 0;

    @Test
    void interactiveRewritesOneLineWithCountsRateAndEta() {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), 4, true, () -> now);
        now = 1_000_000_000L;
        bar.step("a-rather-long-file-name-that-is-cut-down-to-size.png", true);
        now = 2_000_000_000L;
        bar.step("b.png", false);
        bar.finish();
        String[] updates = text.toString().split("\r");
        // nothing before the first \r, two updates, a newline at the end only
        assertThat(updates).hasSize(3);
        assertThat(updates[1]).startsWith("[######..................] 1/4 ok 1 failed 0  1.0/s  ETA 3s  \u2026")
                .endsWith("-cut-down-to-size.png");
        // 2 done in 2 s: 1.0/s, 2 left: 2 s; the shorter line is padded over the longer one
        assertThat(updates[2]).startsWith("[############............] 2/4 ok 1 failed 1  1.0/s  ETA 2s  b.png   ");
        assertThat(updates[2]).hasSize(updates[1].length() + System.lineSeparator().length());
        assertThat(text.toString()).endsWith(System.lineSeparator()).doesNotContain("\n\r");
    }

    @Test
    void slowItemsShowSecondsEach() {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), 3, true, () -> now);
        now = 7_000_000_000L;
        bar.step("a.png", true);
        assertThat(text.toString()).contains("1/3 ok 1 failed 0  7.0s each  ETA 14s  a.png");
    }

    @Test
    void notATerminalPrintsALinePerItem() {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), 2, false, () -> now);
        bar.step("a.png", true);
        bar.step("b.png", false);
        bar.finish();
        assertThat(text.toString()).isEqualTo("1/2 ok a.png" + System.lineSeparator() + "2/2 FAILED b.png" + System.lineSeparator());
    }

    @Test
    void durations() {
        assertThat(ProgressBar.duration(42.4)).isEqualTo("42s");
        assertThat(ProgressBar.duration(185)).isEqualTo("3m05s");
        assertThat(ProgressBar.duration(3720)).isEqualTo("1h02m");
    }
}
