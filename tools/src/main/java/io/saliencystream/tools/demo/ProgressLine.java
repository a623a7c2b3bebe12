package io.saliencystream.tools.demo;

import java.io.PrintStream;

/**
 * One status line that rewrites itself on a terminal; when output goes to a file or a CI log
 * it prints a plain line at most every few seconds, and the final state on {@link #done()}.
 */
public final class ProgressLine {

    private static final long PLAIN_INTERVAL_NANOS = 5_000_000_000L;

    private final PrintStream out;
    private final boolean terminal = System.console() != null;
    private String shown = "";
    private String latest = "";
    private long lastPrinted;

    public ProgressLine(PrintStream out) {
        this.out = out;
    }

    public void update(String line) {
        latest = line;
        if (terminal) {
            out.print("\r" + line + " ".repeat(Math.max(0, shown.length() - line.length())));
            out.flush();
            shown = line;
        } else if (!line.equals(shown) && System.nanoTime() - lastPrinted > PLAIN_INTERVAL_NANOS) {
            out.println(line);
            shown = line;
            lastPrinted = System.nanoTime();
        }
    }

    /** Ends the line, printing the latest state if it was held back. */
    public void done() {
        if (terminal) {
            out.println();
        } else if (!latest.equals(shown)) {
            out.println(latest);
        }
    }
}
