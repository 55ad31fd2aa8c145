package dopt.experiments;

/**
 * One reproducible experiment: what the paper claims ({@link #claim}), and a {@link #run} that
 * measures it over {@link ExperimentRun#seeds()} and writes its tables and plots into
 * {@link ExperimentRun#report()}. The report must say whether the claim held on this run; an
 * experiment never decides that ahead of the numbers.
 */
public interface Experiment {

    /** The name on the command line, e.g. {@code ef21-normalized}. */
    String name();

    /** One line: the paper's claim this experiment tests, with the paper named. */
    String claim();

    /**
     * Runs the experiment. With {@link ExperimentRun#quick()} it must finish in seconds (tests use
     * it) on smaller problems, still producing every table and plot.
     */
    void run(ExperimentRun run) throws Exception;
}
