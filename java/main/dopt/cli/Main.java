package dopt.cli;

import dopt.io.Inspect;
import dopt.job.JobException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code dopt} command line (the {@code ./dopt} script adds {@code setup} and {@code test}). */
@Command(name = "dopt", mixinStandardHelpOptions = true, version = "dopt 0.1.0",
        description = "Memory-efficient and communication-efficient distributed training on MPJ Express "
                + "(Byzantine-robust aggregation: the rules and aggregate-replay exist; training with them is planned).",
        subcommands = {Main.Run.class, Main.Demo.class, Main.InspectCmd.class, OptimReplayCommand.class, AggregateReplayCommand.class,
                CompareCommand.class, SweepCommand.class, ExperimentCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Set-up and tests go through the script: ./dopt setup [--data mnist], ./dopt test."})
public final class Main implements Callable<Integer> {

    static Path repo() {
        String r = System.getProperty("dopt.home");
        if (r != null) return Path.of(r).toAbsolutePath();
        try {
            // target/dopt.jar → the repository is two levels up
            Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().getParent().toAbsolutePath();
        } catch (Exception e) {
            return Path.of("").toAbsolutePath();
        }
    }

    @Override public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    abstract static class LaunchOptions {
        @Option(names = "--np", description = "Number of MPJ Express ranks (default: ${DEFAULT-VALUE}).", defaultValue = "2")
        int np;
        @Option(names = "--dev", description = "MPJ device: multicore (threads in one JVM) or niodev (one JVM per rank, "
                + "needs MPJ daemons; started on this machine if no --machines is given). Default: ${DEFAULT-VALUE}.",
                defaultValue = "multicore")
        String dev;
        @Option(names = "--machines", description = "MPJ machines file for niodev (one host per line; a daemon must run on each).")
        Path machines;
        @Option(names = "--port-base", paramLabel = "P", description = "niodev: MPJ ports P (starter), P+1 (daemon), P+2 "
                + "(port manager). Default: free ports of this host when dopt run starts the daemon, else those of $MPJ_HOME "
                + "(with --machines, start the daemons with ./dopt daemon start --port-base P).")
        Integer portBase;
        @Option(names = "--resume", description = "Checkpoint to resume from, or 'auto' for the newest valid one in the output folder. "
                + "The job may differ from the checkpoint's only in " + ResumeCompatibility.MAY_CHANGE_TEXT + ".")
        String resume;
        @Option(names = "--output", description = "Output folder (default: the job's 'output', else runs/<job name>). One dopt run "
                + "at a time holds it (a lock file); a folder with an earlier run's files needs --resume or --overwrite.")
        Path output;
        @Option(names = "--overwrite", description = "Start over in an output folder that holds an earlier run: deletes its "
                + "checkpoints, trace, summary, plot and markers first (logs stay). Without it such a folder is refused.")
        boolean overwrite;

        int launch(Path job) throws Exception {
            try {
                return new MpjLauncher(repo()).launch(new MpjLauncher.Request(job, np, dev, machines, resume, output, portBase, overwrite));
            } catch (JobException e) {
                System.err.println("dopt: error: " + e.getMessage());
                return 2;
            }
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run a job file (model, data, sharding, optimizer, steps, checkpoints, output) on N ranks.")
    static final class Run extends LaunchOptions implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "JOB", description = "Job file, e.g. jobs/demo.json.")
        Path job;

        @Override public Integer call() throws Exception { return launch(job); }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Data-parallel MLP on the embedded MNIST slice on 2 ranks (jobs/demo.json); each demo starts over "
                    + "(its earlier run in the output folder is replaced unless --resume is given).")
    static final class Demo extends LaunchOptions implements Callable<Integer> {
        @Override public Integer call() throws Exception {
            // the first README command: running it again must work, so a demo replaces its own earlier run
            if (resume == null) overwrite = true;
            return launch(repo().resolve("jobs/demo.json"));
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Print what an HDF5 checkpoint or trace holds: step, job, tensors and shapes, metrics.")
    static final class InspectCmd implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "A checkpoint (ckpt-*.h5) or trace (trace.h5).")
        Path file;

        @Override public Integer call() {
            try {
                System.out.print(Inspect.describe(file));
                return 0;
            } catch (Exception e) {
                System.err.println("dopt: error: " + e.getMessage());
                return 2;
            }
        }
    }

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        System.exit(code);
    }

}
