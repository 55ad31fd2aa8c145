package dopt.comm;

import dopt.cli.DoptProcess;
import java.util.List;

/** Starts and stops this host's MPJ daemon through the project's own script (mpi/daemon.sh). */
public final class Daemon {
    private Daemon() { }

    public static void start() throws Exception {
        int code = script("start");
        if (code != 0 && code != 3) throw new IllegalStateException("mpi/daemon.sh start failed with exit code " + code);
    }

    public static void stop() throws Exception { script("stop"); }

    private static int script(String action) throws Exception {
        return DoptProcess.exec(List.of("bash", DoptProcess.repo().resolve("mpi/daemon.sh").toString(), action),
                DoptProcess.repo(), 60).exitCode();
    }
}
