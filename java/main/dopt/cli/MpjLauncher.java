package dopt.cli;

import dopt.io.Checkpoint;
import dopt.io.CheckpointException;
import dopt.job.Job;
import dopt.job.JobException;
import dopt.job.JobFile;
import dopt.train.StopRequest;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Starts a job's ranks with MPJ Express's {@code starter.jar} and decides the outcome.
 *
 * <p>Everything that can be checked before any rank starts is checked here (the job file, the data,
 * the rank count against the data, the output folder, the checkpoint to resume), so a bad request
 * fails in a second with one clear message. MPJ's exit code is always 0, so success is rank 0's
 * marker file, written after the final checkpoint, trace and summary.
 */
public final class MpjLauncher {

    /**
     * What to launch. {@code resume} may be null, a checkpoint file, or "auto" (newest valid one);
     * {@code portBase} (niodev) null, or where the job's three MPJ ports start ({@link MpjPorts}).
     */
    public record Request(Path jobFile, int np, String dev, Path machines, String resume, Path output, Integer portBase, boolean overwrite) {
        /** A request that does not overwrite an earlier run. */
        public Request(Path jobFile, int np, String dev, Path machines, String resume, Path output, Integer portBase) {
            this(jobFile, np, dev, machines, resume, output, portBase, false);
        }
    }

    /** Exit code of a run stopped on request after checkpointing (sysexits' EX_TEMPFAIL: try again). */
    public static final int EXIT_STOPPED = 75;
    private static final long STOP_GRACE_SECONDS = 120;

    /** ParallelGC (G1 is 2.4x slower on big float arrays here); the Vector API for the dense kernels. */
    static final List<String> RANK_JVM_OPTIONS = List.of("-XX:+UseParallelGC", "--add-modules=jdk.incubator.vector");

    private final Path repo;

    public MpjLauncher(Path repo) { this.repo = repo; }

    /** Runs the job and returns the process exit code for {@code dopt run}. */
    public int launch(Request req) throws JobException, IOException, InterruptedException {
        if (req.np() < 1) throw new JobException("--np must be at least 1 (got " + req.np() + ")");
        if (!req.dev().equals("multicore") && !req.dev().equals("niodev"))
            throw new JobException("--dev must be multicore or niodev (got " + req.dev() + ")");
        if (req.portBase() != null && (req.portBase() < 1024 || req.portBase() > 65533))
            throw new JobException("--port-base must be from 1024 to 65533 (got " + req.portBase() + ")");
        if (req.overwrite() && req.resume() != null)
            throw new JobException("--overwrite starts the run over and --resume continues it: give one of them");
        Job job = Preflight.check(req.jobFile(), repo, req.np(), req.dev().equals("multicore") ? req.np() : 1, Preflight.rankHeapBytes());
        Path out = (req.output() != null ? req.output() : Path.of(job.output != null ? job.output : "runs/" + job.name))
                .toAbsolutePath().normalize();
        try (OutputFolder folder = OutputFolder.lock(out)) {
            return launch(req, job, folder);
        }
    }

    /** The run, with the output folder held by this process. */
    private int launch(Request req, Job job, OutputFolder folder) throws JobException, IOException, InterruptedException {
        Path out = folder.dir();
        Path jobFile = req.jobFile();
        Optional<String> complete = "auto".equals(req.resume()) ? FinishedRun.describe(out, job.steps) : Optional.empty();
        if (complete.isPresent()) {
            // a requeued job that had finished: nothing to do, and nothing it wrote may change
            System.out.println("dopt: job '" + job.name + "' is already complete (" + complete.get() + "); nothing to resume. "
                    + "To train further, raise \"steps\" in " + req.jobFile() + " and run with --resume auto again.");
            return 0;
        }
        String earlier = folder.earlierRun();
        if (!earlier.isEmpty() && req.resume() == null) {
            if (!req.overwrite())
                throw new JobException("output folder " + out + " holds an earlier run (" + earlier + "); continue it with --resume auto, "
                        + "start it over with --overwrite (deletes those files), or choose another --output");
            folder.clearEarlierRun();
            System.out.println("dopt: --overwrite: removed the earlier run's files from " + out + " (" + earlier + ")");
        }
        List<String> unfinished = folder.removeUnfinishedWrites();
        if (!unfinished.isEmpty())
            System.out.println("dopt: removed " + unfinished.size() + " unfinished temporary file(s) of an interrupted run from " + out + ": "
                    + String.join(", ", unfinished));
        if (!JobFile.toJson(job).equals(JobFile.toJson(JobFile.read(req.jobFile())))) {
            jobFile = out.resolve("job.json");
            Files.writeString(jobFile, JobFile.toJson(job));
        }
        Path resume = resolveResume(req.resume(), out);
        if (resume != null) ResumeCompatibility.check(resume, job, req.np());
        Path mpjHome = mpjHome();
        for (String stale : new String[] {dopt.io.RunFolder.SUCCESS, StopRequest.FILE, StopRequest.STOPPED_MARKER, RankFailure.FILE})
            Files.deleteIfExists(out.resolve(stale));

        // rank JVM options go among the starter's options: it forwards them to the JVM it starts for
        // the multicore ranks and, through the daemons, to every niodev rank JVM
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-jar", mpjHome.resolve("lib/starter.jar").toString(),
                "-np", Integer.toString(req.np()), "-dev", req.dev()));
        cmd.addAll(RANK_JVM_OPTIONS);
        cmd.add("-D" + LauncherWatch.PROPERTY + "=" + LauncherWatch.describe(ProcessHandle.current()));
        if (job.backend != Job.BackendName.CPU) cmd.add(JCudaJars.bootClassPathOption(job.backend == Job.BackendName.CUDA));
        boolean startedDaemon = false;
        Integer daemonPort = null;
        if (req.dev().equals("niodev")) {
            Path machines = req.machines();
            // a job that starts its own daemon takes free ports; one that uses running daemons (--machines)
            // takes theirs: --port-base, else the MPJ_HOME's (the SLURM script's private one)
            Integer portBase = req.portBase();
            if (portBase == null && machines == null) portBase = MpjPorts.pickFreeBase(ProcessHandle.current().pid());
            if (portBase != null) {
                mpjHome = MpjPorts.writeHome(repo, out.resolve("mpj-home"), portBase);
                System.out.println("dopt: MPJ ports " + portBase + ".." + (portBase + 2) + " (starter, daemon, port manager)");
            }
            checkStarterPortFree(mpjHome);
            if (machines == null) {
                machines = out.resolve("machines");
                Files.writeString(machines, "localhost\n");
                startedDaemon = daemon("start", mpjHome, out);
                if (startedDaemon) daemonPort = confPort(mpjHome, "mpjexpress.mpjdaemon.port.1=", 40055);
            } else if (!Files.isReadable(machines)) {
                throw new JobException("--machines " + machines + " does not exist or is not readable");
            }
            Path wdir = out.resolve("mpj-wdir");
            Files.createDirectories(wdir);
            cmd.addAll(List.of("-machinesfile", machines.toAbsolutePath().toString(), "-wdir", wdir.toString()));
        } else if (req.machines() != null) {
            throw new JobException("--machines applies to --dev niodev only");
        } else if (req.portBase() != null) {
            throw new JobException("--port-base applies to --dev niodev only (multicore ranks are threads of one JVM)");
        }
        cmd.addAll(List.of("-cp", classPath(), RankMain.class.getName(),
                jobFile.toAbsolutePath().toString(), out.toString(), repo.toString(),
                resume == null ? "-" : resume.toString()));

        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().put("MPJ_HOME", mpjHome.toString());
        RankOutcome outcome;
        Process ranks = pb.start();
        RankProcesses processes = new RankProcesses(ranks, daemonPort == null ? null : repo.resolve("mpi/run/daemon-" + daemonPort + ".pid"));
        // SIGTERM/SIGINT to this launcher (SLURM preemption, Ctrl-C): ask the ranks to checkpoint and wait for them
        Thread onSignal = new Thread(() -> {
            try {
                Files.writeString(out.resolve(StopRequest.FILE), "stop requested by a signal to dopt run\n");
                ranks.waitFor(STOP_GRACE_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
                // the JVM is exiting on the signal (code 143); a checkpointed stop still says 75 and how to resume
                if (Files.exists(out.resolve(StopRequest.STOPPED_MARKER))) {
                    reportStopped(job, req, out);
                    Runtime.getRuntime().halt(EXIT_STOPPED);
                }
            } catch (IOException | InterruptedException e) {
                ranks.destroy();
            }
        }, "dopt-launcher-stop");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try {
            outcome = awaitRanks(processes, out, req.np(), startupDeadlineSeconds(job), failureGraceSeconds(job));
        } finally {
            if (startedDaemon) daemon("stop", mpjHome, out);
        }
        if (!removeShutdownHook(onSignal)) {
            // a signal has started the JVM's shutdown: the hook reports the outcome and chooses the exit
            // code (75 after a checkpoint, else the signal's); reporting here too would say it twice
            onSignal.join();
            return EXIT_STOPPED; // System.exit blocks while the shutdown runs: the hook's code is the one that counts
        }
        if (outcome.message() == null && Files.exists(out.resolve(dopt.io.RunFolder.SUCCESS))) return 0;
        if (outcome.message() == null && Files.exists(out.resolve(StopRequest.STOPPED_MARKER))) {
            reportStopped(job, req, out);
            return EXIT_STOPPED;
        }
        String why = outcome.message() != null ? outcome.message() : RankFailure.read(out)
                .map(f -> "a rank reported: " + f)
                .orElseGet(() -> processes.silentDeath(req.dev()));
        System.err.println("dopt: job '" + job.name + "' failed: " + why + "; rank logs are in " + out.resolve("logs"));
        return 1;
    }

    /** False when the JVM is already shutting down (a signal arrived), so the hook can no longer be removed. */
    private static boolean removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            return true;
        } catch (IllegalStateException shutdownInProgress) {
            return false;
        }
    }

    private static void reportStopped(Job job, Request req, Path out) throws IOException {
        System.err.println("dopt: job '" + job.name + "' stopped on request (" + Files.readString(out.resolve(StopRequest.STOPPED_MARKER)).trim()
                .replace('\n', ',') + "); continue with: dopt run " + req.jobFile() + " --resume auto --output " + out);
        System.err.flush();
    }

    /** How long every rank has to start and log its first line (MPJ's starter waits forever otherwise). */
    private static long startupDeadlineSeconds(Job job) {
        return Math.max(60, Math.round(job.comm.timeoutS) + 60);
    }

    /**
     * How long the ranks have to end after one has reported a failure: every other rank waits in a
     * collective bounded by comm.timeout_s, so they have reported or ended by then; one that has
     * not is stuck (stopped, hung in I/O) and is killed.
     */
    private static long failureGraceSeconds(Job job) {
        return Math.round(Math.ceil(job.comm.timeoutS)) + 10;
    }

    /** How the wait for the ranks ended: null message when the starter exited by itself. */
    private record RankOutcome(String message) { }

    /**
     * Waits for the starter. If some rank has not logged "started" within the deadline (a rank JVM
     * that failed to start: a bad class path, a bad JVM option, a host without a daemon), the starter
     * would wait forever; if a rank has reported a failure and the ranks have not all ended within
     * {@code graceSeconds} (a stopped or hung rank), the starter would wait for it forever too. Both
     * times the rank processes are killed and the outcome names why.
     */
    private static RankOutcome awaitRanks(RankProcesses ranks, Path out, int np, long deadlineSeconds, long graceSeconds)
            throws InterruptedException, IOException {
        long launched = System.currentTimeMillis() - 1000, deadline = System.nanoTime() + deadlineSeconds * 1_000_000_000L;
        long failureSeen = 0;
        while (!ranks.starter().waitFor(500, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            ranks.note();
            if (failureSeen == 0 && Files.exists(out.resolve(RankFailure.FILE))) failureSeen = System.nanoTime();
            if (failureSeen != 0 && System.nanoTime() - failureSeen > graceSeconds * 1_000_000_000L) {
                String report = RankFailure.read(out).orElse("a failure");
                List<Long> killed = ranks.killAll();
                return new RankOutcome("a rank reported: " + report + "; the ranks had not ended " + graceSeconds
                        + " s later (comm.timeout_s + 10 s), so dopt run killed the remaining rank processes " + killed
                        + " (a stopped or hung rank never returns by itself)");
            }
            if (deadline == 0 || System.nanoTime() < deadline) continue;
            List<Integer> missing = new ArrayList<>();
            for (int r = 0; r < np; r++) {
                Path log = out.resolve("logs/rank-" + r + ".log");
                // logs append across resumed runs: only a line written since this launch counts
                if (!Files.exists(log) || Files.getLastModifiedTime(log).toMillis() < launched
                        || !Files.readString(log).contains(" started ")) missing.add(r);
            }
            if (missing.isEmpty()) {
                deadline = 0; // all ranks are up: from here their own collective timeouts bound the run
                continue;
            }
            ranks.killAll();
            return new RankOutcome("rank(s) " + missing + " did not start within " + deadlineSeconds
                    + " s (see the MPJ output above and " + out.resolve("logs") + "); dopt run stopped the job");
        }
        return new RankOutcome(null);
    }

    private Path resolveResume(String resume, Path out) throws JobException {
        if (resume == null) return null;
        if (resume.equals("auto")) {
            Optional<Path> latest = Checkpoint.latestValid(out.resolve("checkpoints"), "ckpt-");
            if (latest.isEmpty()) {
                System.out.println("dopt: no valid checkpoint in " + out.resolve("checkpoints") + "; starting from step 0");
                return null;
            }
            return latest.get();
        }
        Path p = Path.of(resume).toAbsolutePath();
        try {
            Checkpoint.read(p);
        } catch (CheckpointException e) {
            Optional<Path> other = Checkpoint.latestValid(p.getParent(), "ckpt-");
            throw new JobException(e.getMessage() + "; refusing to resume from it"
                    + other.map(o -> " (the newest valid checkpoint there is " + o + ")").orElse(""));
        }
        return p;
    }

    /**
     * MPJ's niodev starter listens on a fixed port (mpjexpress.mpjrun.port.1 in MPJ_HOME/conf) and
     * hangs when it is taken, so a second niodev job on the same host is refused up front.
     */
    /** A port from MPJ_HOME/conf/mpjexpress.conf ({@code key} with its '='), or {@code fallback}. */
    private static int confPort(Path mpjHome, String key, int fallback) throws IOException {
        Path conf = mpjHome.resolve("conf/mpjexpress.conf");
        if (Files.exists(conf))
            for (String line : Files.readAllLines(conf))
                if (line.startsWith(key)) return Integer.parseInt(line.substring(key.length()).trim());
        return fallback;
    }

    private static void checkStarterPortFree(Path mpjHome) throws JobException, IOException {
        int port = confPort(mpjHome, "mpjexpress.mpjrun.port.1=", 40002);
        Path conf = mpjHome.resolve("conf/mpjexpress.conf");
        try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new java.net.InetSocketAddress(port));
        } catch (IOException e) {
            throw new JobException("port " + port + " (MPJ's niodev starter port, " + conf + ") is in use: another niodev job "
                    + "is probably running on this host; wait for it or run this one with --dev multicore");
        }
    }

    /** The private MPJ_HOME that mpi/setup-mpj.sh assembles (or $MPJ_HOME if set). */
    Path mpjHome() throws JobException {
        String env = System.getenv("MPJ_HOME");
        Path home = env != null && !env.isBlank() ? Path.of(env) : repo.resolve("mpi/home");
        if (!Files.exists(home.resolve("lib/starter.jar")))
            throw new JobException("MPJ Express is not set up at " + home + "; run ./dopt setup (it installs Debian libmpj-java and assembles mpi/home)");
        return home.toAbsolutePath();
    }

    /** mpi/daemon.sh with the job's MPJ_HOME (its ports); the daemon's user.home and log go to the job's folder. */
    private boolean daemon(String action, Path mpjHome, Path out) throws IOException, InterruptedException, JobException {
        ProcessBuilder pb = new ProcessBuilder("bash", repo.resolve("mpi/daemon.sh").toString(), action).inheritIO();
        pb.environment().put("MPJ_HOME", mpjHome.toString());
        pb.environment().put("DOPT_MPJ_DAEMON_HOME", out.resolve("mpj-daemon").toString());
        pb.environment().put("DOPT_MPJ_DAEMON_OWNER", Long.toString(ProcessHandle.current().pid()));
        Process p = pb.start();
        int code = p.waitFor();
        if (code == 3 && action.equals("start")) return false; // already running: someone else owns it
        if (code != 0) throw new JobException("mpi/daemon.sh " + action + " failed (exit " + code + ")");
        return true;
    }

    /** This program's own class path, absolute, without MPJ's jars (the starter provides them). */
    static String classPath() {
        List<String> parts = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.isBlank() || Path.of(e).getFileName().toString().startsWith("mpj")) continue;
            parts.add(Path.of(e).toAbsolutePath().toString());
        }
        return String.join(File.pathSeparator, parts);
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
