package dopt.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress line with rate and ETA, printed by rank 0 at most every {@code intervalMillis} and at
 * the end. Lines rather than carriage returns: MPJ forwards rank output line by line.
 */
final class Progress {
    private final PrintStream out;
    private final long total, first, intervalNanos;
    private final long startNanos = System.nanoTime();
    private long lastPrint = Long.MIN_VALUE;

    Progress(PrintStream out, long firstStep, long totalSteps, long intervalMillis) {
        this.out = out;
        this.first = firstStep;
        this.total = totalSteps;
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    void update(long step, double loss, String extra) {
        long now = System.nanoTime();
        if (step < total && extra == null && lastPrint != Long.MIN_VALUE && now - lastPrint < intervalNanos) return;
        lastPrint = now;
        double secs = (now - startNanos) / 1e9;
        long done = step - first + 1;
        double rate = done / Math.max(secs, 1e-9);
        double eta = (total - step) / Math.max(rate, 1e-9);
        int width = 24, filled = (int) (width * step / total);
        out.println(String.format(Locale.ROOT, "[%s%s] %3d%% step %d/%d  loss %.4f  %.1f it/s  elapsed %s  ETA %s%s",
                "#".repeat(filled), ".".repeat(width - filled), 100 * step / total, step, total, loss, rate,
                clock(secs), clock(eta), extra == null ? "" : "  " + extra));
        out.flush();
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }
}
