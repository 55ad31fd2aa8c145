package dopt.train;

import dopt.io.RunFolder;
import dopt.io.RunSummary;
import dopt.io.Trace;
import dopt.io.TraceData;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a run leaves for people and tools, written by rank 0: the HDF5 trace, the loss plot, the
 * summary (console table and {@code summary.json}) and the markers that tell the launcher and the
 * sweep how the run ended ({@link RunFolder}). The success marker is written last, atomically, so
 * its presence means every other output is complete.
 */
final class RunOutputs {
    private final Path dir;
    private final PrintStream console;
    private final String jobJson, jobName;
    private final int ranks;

    RunOutputs(Path dir, PrintStream console, String jobJson, String jobName, int ranks) {
        this.dir = dir;
        this.console = console;
        this.jobJson = jobJson;
        this.jobName = jobName;
        this.ranks = ranks;
    }

    Path trace() { return dir.resolve(RunFolder.TRACE); }

    Path plot() { return dir.resolve(RunFolder.LOSS_PLOT); }

    Path summary() { return RunFolder.summary(dir); }

    /** True when a stop was requested through a file in the output folder. */
    boolean stopFileExists() { return Files.exists(dir.resolve(RunFolder.STOP_REQUEST)); }

    void writeTrace(TraceData gathered) throws IOException {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("job", jobJson);
        attrs.put("job_name", jobName);
        attrs.put("ranks", (long) ranks);
        attrs.put("written", Instant.now().toString());
        Trace.write(trace(), gathered, attrs);
    }

    /** The global loss curve with the held-out evaluations, all from the trace (so a resumed run shows the earlier ones too). */
    void writePlot(String title, TraceData gathered) throws IOException {
        TraceData.Evaluations ev = gathered.evaluations();
        double[] es = new double[ev.size()];
        for (int i = 0; i < es.length; i++) es[i] = ev.steps()[i];
        LossPlot.write(plot(), title, gathered.floats("global_loss"), es, ev.loss());
    }

    /** Prints the table, writes summary.json and then, atomically, the success marker. */
    void finish(RunSummary summary) throws IOException {
        console.print(summary.table());
        String json = summary.toJson();
        Files.writeString(summary(), json);
        Path tmp = dir.resolve(RunFolder.SUCCESS + ".tmp");
        Files.writeString(tmp, json);
        Files.move(tmp, RunFolder.success(dir), StandardCopyOption.ATOMIC_MOVE);
    }

    /** The marker of a run stopped on request, naming the step and the checkpoint to resume from. */
    void stopped(long step, long total, Path checkpoint) throws IOException {
        Files.writeString(RunFolder.stopped(dir), "step " + step + "\ncheckpoint " + checkpoint + "\n");
        console.printf(Locale.ROOT, "dopt: stopped on request after step %d of %d; checkpoint %s%n", step, total, checkpoint);
    }

}
