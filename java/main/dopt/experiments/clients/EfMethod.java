package dopt.experiments.clients;

import dopt.compress.Compressor;
import dopt.compress.Ef14;
import dopt.compress.Ef21;
import dopt.compress.ErrorFeedback;

/** The error-feedback methods the C1 experiments compare, by their names in the papers. */
public enum EfMethod {
    EF14("EF14"),
    EF21("EF21"),
    EF21_NORMALIZED("‖EF21‖");

    private final String label;

    EfMethod(String label) { this.label = label; }

    public String label() { return label; }

    public ErrorFeedback create(Compressor c) {
        return switch (this) {
            case EF14 -> new Ef14(c);
            case EF21 -> new Ef21(c, false);
            case EF21_NORMALIZED -> new Ef21(c, true);
        };
    }
}
