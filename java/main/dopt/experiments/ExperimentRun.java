package dopt.experiments;

import java.nio.file.Path;

/**
 * What an {@link Experiment} gets: the seeds to run, where its files go, whether to run the quick
 * (test-sized) version, and the report to fill. {@link #progress} prints one line to standard
 * error, with the wall time so far, so that long runs show where they are.
 */
public record ExperimentRun(long[] seeds, Path outputDir, boolean quick, Report report) {

    public void progress(String line) {
        System.err.println("[" + report.experiment() + " +" + report.elapsed() + "] " + line);
        System.err.flush();
    }
}
