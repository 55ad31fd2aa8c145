package dopt.cli;

import dopt.job.JobException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

/**
 * The ports of one niodev job. MPJ Express reads its three ports from {@code MPJ_HOME/conf}, fixed
 * at 40002 (starter), 40055 (daemon) and 40052 (the daemon's port manager), so two niodev jobs on
 * one host, or two users, would take each other's. A job gets a private MPJ_HOME instead
 * ({@code mpi/private-home.sh}) whose ports are {@code base}, {@code base + 1} and {@code base + 2},
 * as {@code slurm/dopt-job.sbatch} does per SLURM job.
 */
final class MpjPorts {
    /**
     * Where {@link #pickFreeBase} looks: under Linux's ephemeral range (32768-60999, where the OS
     * numbers outgoing connections) and under the SLURM script's 20000-31999 (derived from the job id).
     */
    static final int LOWEST = 12000, HIGHEST = 19998;

    private MpjPorts() { }

    /**
     * A base whose three ports nobody listens on now, searched from a start that differs between
     * processes (their ids), so that jobs started at the same moment rarely try the same ports.
     */
    static int pickFreeBase(long processId) throws JobException {
        int slots = (HIGHEST - LOWEST) / 3;
        int first = (int) Math.floorMod(processId * 7919L, (long) slots);
        for (int i = 0; i < slots; i++) {
            int base = LOWEST + 3 * ((first + i) % slots);
            if (free(base) && free(base + 1) && free(base + 2)) return base;
        }
        throw new JobException("no three free consecutive ports between " + LOWEST + " and " + (HIGHEST + 2)
                + " for MPJ Express; pass one with --port-base");
    }

    /** True when this host lets a server listen on {@code port} now. */
    static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    /** Writes {@code dest} as an MPJ_HOME with the ports from {@code base} (mpi/private-home.sh) and returns it. */
    static Path writeHome(Path repo, Path dest, int base) throws JobException, IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", repo.resolve("mpi/private-home.sh").toString(), dest.toString(), Integer.toString(base))
                .inheritIO().start();
        int code = p.waitFor();
        if (code != 0) throw new JobException("mpi/private-home.sh " + dest + " " + base + " failed (exit " + code + ")");
        return dest.toAbsolutePath();
    }
}
