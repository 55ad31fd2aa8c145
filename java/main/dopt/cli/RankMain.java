package dopt.cli;

import dopt.comm.CommTimeoutException;
import dopt.comm.MpjCommunicator;
import dopt.job.Job;
import dopt.job.JobException;
import dopt.job.JobFile;
import dopt.train.NonFiniteException;
import dopt.train.StopRequest;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The program every MPJ Express rank runs ({@code starter.jar ... dopt.cli.RankMain job out repo resume}).
 * Users start it through {@code dopt run}, which checks the request first and decides the outcome
 * from rank 0's success marker (MPJ's own exit code is always 0).
 */
public final class RankMain {
    private RankMain() { }

    public static void main(String[] argv) {
        String[] args = MpjCommunicator.init(argv);
        Path jobPath = Path.of(args[0]), outDir = Path.of(args[1]), repo = Path.of(args[2]);
        Path resume = args.length > 3 && !args[3].equals("-") ? Path.of(args[3]) : null;
        // before the first logger: log4j reads these when it starts, per rank class loader in multicore mode
        System.setProperty("dopt.logdir", outDir.resolve("logs").toString());
        System.setProperty("log4j2.isThreadContextMapInheritable", "true");
        int rank = mpi.MPI.COMM_WORLD.Rank();
        org.apache.logging.log4j.ThreadContext.put("rank", Integer.toString(rank));
        var log = org.apache.logging.log4j.LogManager.getLogger(RankMain.class);
        StopRequest.stopOnSignal(120_000);
        String watch = LauncherWatch.start(System.getProperty(LauncherWatch.PROPERTY), rank);
        try {
            Job job = JobFile.read(jobPath);
            Files.createDirectories(outDir.resolve("logs"));
            MpjCommunicator comm = MpjCommunicator.world(Math.round(job.comm.timeoutS * 1000));
            log.info("rank {} of {} started (job {}, output {}; {}; dense kernels: {}; JVM options {})", rank, comm.size(), job.name, outDir, watch,
                    dopt.tensor.Dense.simd() ? "SIMD (Vector API)" : "plain loops (no --add-modules=jdk.incubator.vector)",
                    java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
            // resuming reads everything from the checkpoint (a fine-tune's model.init_from is not needed again)
            dopt.train.Trainer trainer = new dopt.train.Trainer(job, comm, outDir, repo, System.out, resume);
            trainer.run();
            log.info("rank {} finished", rank);
            StopRequest.finished();
            comm.close();
        } catch (Throwable caught) {
            // MPJ reports a peer that died while a message was being posted as its own exceptions
            // (e.g. xdev.XDevException: ClosedChannelException inside an mpi.MPIException)
            Throwable t = connectionLost(caught) ? new CommTimeoutException("rank " + rank
                    + ": the connection to that rank was lost (it has probably died): " + caught.getMessage()) : caught;
            if (t != caught) t.initCause(caught);
            boolean sameOnAllRanks = t instanceof JobException || t instanceof NonFiniteException
                    || t instanceof dopt.train.ReplicaMismatchException;
            log.error("rank " + rank + " failed: " + t.getMessage(), t);
            RankFailure.record(outDir, rank, t.getMessage());
            if (rank == 0 || !sameOnAllRanks) {
                System.err.println("dopt rank " + rank + ": error: " + t.getMessage()
                        + (t instanceof CommTimeoutException || sameOnAllRanks ? "" : " (" + t.getClass().getName() + ")"));
            }
            System.err.flush();
            System.out.flush();
            StopRequest.finished();
            // in multicore mode all ranks share one JVM: let rank 0 report before any exit ends it
            if (rank != 0) sleepQuietly(1500);
            System.exit(1);
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True when MPJ Express's device reports a broken connection anywhere in the cause chain. */
    static boolean connectionLost(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String n = c.getClass().getName();
            if (n.equals("mpi.MPIException") || n.startsWith("xdev.") || c instanceof java.nio.channels.ClosedChannelException) return true;
            if (c.getCause() == c) break;
        }
        return false;
    }
}
