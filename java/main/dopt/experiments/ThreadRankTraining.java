package dopt.experiments;

import dopt.comm.InProcessCommunicator;
import dopt.io.RunSummary;
import dopt.io.Trace;
import dopt.io.TraceData;
import dopt.job.Job;
import dopt.train.NonFiniteException;
import dopt.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One job trained by the engine's {@link Trainer} on n thread ranks of an in-process group: the
 * same round loop, exchange policy and evaluation as {@code ./dopt run}, so an experiment built on
 * it is a driver of job files with no training loop of its own. The run folder (checkpoint, trace,
 * loss plot) is a scratch folder deleted afterwards: the experiment keeps the summary's numbers and the trace.
 */
final class ThreadRankTraining {
    private ThreadRankTraining() { }

    /**
     * How a run ended: its summary and trace (per-round tables included), or the divergence that
     * stopped it (the guard's or a non-finite parameter's message).
     */
    record Outcome(RunSummary summary, String diverged, TraceData trace) {
        boolean finished() { return summary != null; }
    }

    /** No thread rank waits this long for another unless something is broken. */
    private static final long RANK_TIMEOUT_MILLIS = 600_000;

    /** Trains {@code job} on {@code ranks} thread ranks; {@code repo} is where data sets are found. */
    static Outcome train(Job job, int ranks, Path repo) throws Exception {
        Path scratch = Files.createTempDirectory("dopt-" + job.name.replaceAll("[^A-Za-z0-9._-]", "_") + "-");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        try {
            RunSummary s = InProcessCommunicator.run(ranks, RANK_TIMEOUT_MILLIS, comm -> {
                Trainer t = new Trainer(job, comm, scratch, repo, quiet);
                return t.run();
            }).get(0);
            return new Outcome(s, null, Trace.read(dopt.io.RunFolder.trace(scratch)));
        } catch (NonFiniteException e) {
            return new Outcome(null, e.getMessage(), null);
        } finally {
            deleteTree(scratch);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
