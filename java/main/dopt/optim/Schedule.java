package dopt.optim;

/** A learning rate as a function of the 1-based step. */
@FunctionalInterface
public interface Schedule {
    double lr(long step);

    static Schedule constant(double lr) { return step -> lr; }

    /**
     * Linear warm-up from 0 over {@code warmup} steps, then cosine decay to {@code minRatio·lr} at
     * {@code total} steps (the schedule of the FRUGAL and GaLore pre-training runs).
     */
    static Schedule warmupCosine(double lr, long warmup, long total, double minRatio) {
        return step -> {
            if (warmup > 0 && step <= warmup) return lr * step / warmup;
            double progress = Math.min(1.0, (double) (step - warmup) / Math.max(1, total - warmup));
            return lr * (minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
        };
    }
}
