package io.saliencystream.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a batch on the terminal. Interactive: one line rewritten in place with a
 * carriage return, "[#####.....] 12/40 ok 11 failed 1  2.9/s  ETA 10s  name" (below one item a
 * second the speed reads "3.4s each"). Otherwise (a
 * pipe or a log file) one plain line per item, so logs stay readable.
 */
public final class ProgressBar {

    private static final int BAR_WIDTH = 24;
    private static final int NAME_WIDTH = 32;

    private final PrintWriter out;
    private final int total;
    private final boolean interactive;
    private final LongSupplier nanoClock;
    private final long start;
    private int done;
    private int failed;
    private int lastLength;

    /**
     * @param out         where to write (stderr, so stdout stays for results)
     * @param total       items in the batch
     * @param interactive rewrite one line (a terminal) rather than print a line per item
     * @param nanoClock   monotonic clock in nanoseconds, e.g. {@code System::nanoTime}
     */
    public ProgressBar(PrintWriter out, int total, boolean interactive, LongSupplier nanoClock) {
        if (total < 0) {
            throw new IllegalArgumentException("total must be non-negative, got " + total);
        }
        this.out = out;
        this.total = total;
        this.interactive = interactive;
        this.nanoClock = nanoClock;
        this.start = nanoClock.getAsLong();
    }

    /** Records one finished item. */
    public void step(String name, boolean ok) {
        done++;
        if (!ok) {
            failed++;
        }
        if (interactive) {
            String line = line(name);
            // pad over the rest of a longer previous line
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
        } else {
            out.println(String.format(Locale.ROOT, "%d/%d %s %s", done, total, ok ? "ok" : "FAILED", name));
        }
        out.flush();
    }

    /** Ends the progress line, so what follows starts on a fresh one. */
    public void finish() {
        if (interactive && done > 0) {
            out.println();
            out.flush();
        }
    }

    /** The interactive line for the current counts. */
    String line(String name) {
        int filled = total == 0 ? BAR_WIDTH : (int) ((long) BAR_WIDTH * done / total);
        double seconds = (nanoClock.getAsLong() - start) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        String eta = rate > 0 ? duration((total - done) / rate) : "?";
        String shortName = name.length() > NAME_WIDTH ? "\u2026" + name.substring(name.length() - NAME_WIDTH + 1) : name;
        // slow items read better as seconds each than as 0.1/s
        String speed = rate >= 1 || rate == 0
                ? String.format(Locale.ROOT, "%.1f/s", rate)
                : String.format(Locale.ROOT, "%.1fs each", 1 / rate);
        return String.format(Locale.ROOT, "[%s%s] %d/%d ok %d failed %d  %s  ETA %s  %s",
                "#".repeat(filled), ".".repeat(BAR_WIDTH - filled), done, total, done - failed, failed, speed, eta, shortName);
    }

    /** "42s", "3m05s" or "1h02m". */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}
