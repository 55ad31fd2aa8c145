package dopt.experiments;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** The experiments {@code ./dopt experiment} knows, by name. Add one line per experiment. */
public final class Experiments {
    private Experiments() { }

    private static final Map<String, Supplier<Experiment>> ALL = new LinkedHashMap<>();

    static {
        // one line per experiment
        register(LocalScalingExperiment::new);
        register(FrankWolfeExperiment::new);
        register(MlmcMarkovExperiment::new);
        register(SgldPosteriorExperiment::new);
        register(Ef21NormalizedExperiment::new);
        register(HeavyTailClippingExperiment::new);
        register(HeavyTailMomExperiment::new);
        register(LoraSbExperiment::new);
        register(SparseCbmExperiment::new);
        register(KateClassificationExperiment::new);
        register(HeavyTailLmExperiment::new);
        register(ByzantineRobustExperiment::new);
        register(MeritFedExperiment::new);
        register(ByzVrMarinaExperiment::new);
    }

    private static void register(Supplier<Experiment> s) {
        ALL.put(s.get().name(), s);
    }

    public static Map<String, Supplier<Experiment>> all() { return ALL; }

    /**
     * Runs {@code e} over {@code seeds} into {@code outputDir} and writes its report; returns the
     * report's path. {@code command} is the command line the report names for reproducing it.
     */
    public static java.nio.file.Path run(Experiment e, long[] seeds, java.nio.file.Path outputDir, boolean quick, String command)
            throws Exception {
        if (seeds.length == 0) throw new IllegalArgumentException("no seeds");
        java.nio.file.Files.createDirectories(outputDir);
        Report report = new Report(e.name(), outputDir, command);
        report.paragraph("Claim tested: " + e.claim() + "\n\nSeeds: " + java.util.Arrays.toString(seeds)
                + (quick ? " (quick mode: test-sized problems, not for conclusions)" : ""));
        e.run(new ExperimentRun(seeds, outputDir, quick, report));
        return report.write();
    }

    /** The experiment called {@code name}; the error lists the known ones. */
    public static Experiment byName(String name) {
        Supplier<Experiment> s = ALL.get(name);
        if (s == null) throw new IllegalArgumentException("unknown experiment '" + name + "'; known: " + String.join(", ", ALL.keySet()));
        return s.get();
    }
}
