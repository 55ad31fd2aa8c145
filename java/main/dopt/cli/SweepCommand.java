package dopt.cli;

import dopt.sweep.Expansion;
import dopt.sweep.LocalRunner;
import dopt.sweep.Point;
import dopt.sweep.PointOutcome;
import dopt.sweep.SlurmSubmission;
import dopt.sweep.Sweep;
import dopt.sweep.SweepException;
import dopt.sweep.SweepFile;
import dopt.sweep.SweepFolder;
import dopt.sweep.SweepReport;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dopt sweep expand|submit|run|report}: parameter sweeps on SLURM or on this machine. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Parameter sweeps: a sweep file (jobs/sweeps/*.json) names a base job and axes (dotted job fields "
                + "with lists of values); every point of their cartesian product is one job, run as a SLURM array task or locally."},
        subcommands = {SweepCommand.Expand.class, SweepCommand.Submit.class, SweepCommand.Run.class, SweepCommand.Report.class})
final class SweepCommand implements Callable<Integer> {

    @Override public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    /** Options shared by the commands that read a sweep file. */
    abstract static class FromFile {
        @Parameters(index = "0", paramLabel = "FILE", description = "Sweep file, e.g. jobs/sweeps/lr-seed.json.")
        Path file;
        @Option(names = "--dir", description = "Sweep folder (default: the sweep's 'output', else runs/sweeps/<name>).")
        Path dir;
        @Option(names = "--only", split = ",", paramLabel = "INDEX",
                description = "Only these points (array indices, e.g. --only 3,5): to rerun failed ones.")
        List<Integer> only;
        @Option(names = "--quick", description = "The sweep file's quick variant (its 'quick' section: tiny steps, fewer points), "
                + "named <name>-quick, in its own folder.")
        boolean quick;

        Sweep sweep;
        SweepFolder folder;
        List<Point> points;

        /** Reads, expands and writes the sweep; returns the points selected by --only. */
        List<Point> prepare() throws SweepException {
            sweep = SweepFile.read(file, Main.repo(), quick);
            points = Expansion.expand(sweep);
            folder = new SweepFolder(dir != null ? dir : sweep.folder());
            folder.write(sweep, points);
            if (only == null) return points;
            List<Point> chosen = new ArrayList<>();
            for (int i : only) {
                if (i < 0 || i >= points.size())
                    throw new SweepException("--only " + i + ": sweep " + sweep.name() + " has points 0 to " + (points.size() - 1));
                chosen.add(points.get(i));
            }
            return chosen;
        }

        static int fail(SweepException e) {
            System.err.println("dopt sweep: error: " + e.getMessage());
            return 2;
        }
    }

    @Command(name = "expand", mixinStandardHelpOptions = true,
            description = "Write one job file per point (points/pNNN/job.json) and the index (points.json, points.csv).")
    static final class Expand extends FromFile implements Callable<Integer> {
        @Override public Integer call() {
            try {
                prepare();
                System.out.println("sweep " + sweep.name() + ": " + points.size() + " point(s) in " + folder.dir());
                for (Point p : points) System.out.println("  " + p.id() + "  " + p.describe());
                return 0;
            } catch (SweepException e) {
                return fail(e);
            }
        }
    }

    @Command(name = "submit", mixinStandardHelpOptions = true,
            description = {"Expand the sweep and submit it as one SLURM job array (task i runs point i).",
                    "Extra sbatch options go after --, e.g. dopt sweep submit FILE -- --partition=gpu --time=01:00:00."})
    static final class Submit extends FromFile implements Callable<Integer> {
        @Option(names = "--dry-run", description = "Print the sbatch command instead of running it.")
        boolean dryRun;
        @Parameters(index = "1..*", paramLabel = "SBATCH_OPTION", description = "Extra sbatch options (after --).")
        List<String> extra = new ArrayList<>();

        @Override public Integer call() {
            try {
                prepare();
                List<String> cmd = SlurmSubmission.command(sweep, folder, Main.repo(), only, points.size());
                cmd.addAll(1, extra);
                if (dryRun) {
                    System.out.println(String.join(" ", cmd));
                    return 0;
                }
                String id = SlurmSubmission.submit(cmd, folder, Main.repo());
                System.out.println("sweep " + sweep.name() + ": submitted array job " + id + " with " + (only == null ? points.size() : only.size())
                        + " task(s); folder " + folder.dir());
                System.out.println("  watch: squeue -j " + id + "    report: dopt sweep report " + folder.dir());
                return 0;
            } catch (SweepException e) {
                return fail(e);
            }
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run the sweep's points one after another on this machine (--local), then write the report.",
                    "Finished points are kept, the others run (again) with --resume auto. Exit code 0 when every point of the sweep "
                            + "is ok, 1 otherwise (the report says which and why)."})
    static final class Run extends FromFile implements Callable<Integer> {
        @Option(names = "--local", description = "Run here, without SLURM (required: on a cluster use submit).")
        boolean local;

        @Override public Integer call() {
            if (!local) {
                System.err.println("dopt sweep run: add --local to run the points on this machine; on a SLURM cluster use dopt sweep submit");
                return 2;
            }
            try {
                List<Point> chosen = prepare();
                LocalRunner.Result r = new LocalRunner(doptRun(), System.out).run(sweep, folder, chosen);
                SweepReport report = SweepReport.collect(folder.dir());
                Path md = report.write();
                System.out.println("sweep " + sweep.name() + ": " + report.tally() + "; report " + md);
                boolean allOk = report.counts().get(PointOutcome.Status.OK) == points.size();
                return r.ran() + r.skipped() == chosen.size() && allOk ? 0 : 1;
            } catch (SweepException e) {
                return fail(e);
            }
        }

        /** This program's own {@code dopt run}, in a fresh JVM per point. */
        private static List<String> doptRun() {
            List<String> cp = new ArrayList<>();
            for (String e : System.getProperty("java.class.path").split(File.pathSeparator))
                if (!e.isBlank()) cp.add(Path.of(e).toAbsolutePath().toString());
            return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseParallelGC",
                    "-Ddopt.home=" + Main.repo(), "-cp", String.join(File.pathSeparator, cp), Main.class.getName(), "run");
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = "Gather a sweep folder's points into report.csv, report.md and plots/*.png; failed and missing points are listed as such.")
    static final class Report implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR", description = "Sweep folder (the one expand, submit or run wrote).")
        Path dir;

        @Override public Integer call() {
            try {
                SweepReport report = SweepReport.collect(dir);
                Path md = report.write();
                System.out.print(report.markdown(List.of()));
                System.out.println("\nreport: " + md + ", " + md.resolveSibling("report.csv") + ", plots in " + md.resolveSibling("plots"));
                return 0;
            } catch (SweepException e) {
                System.err.println("dopt sweep: error: " + e.getMessage());
                return 2;
            }
        }
    }
}
