package dopt.cli;

import dopt.io.RunFolder;
import dopt.job.JobException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One run's output folder, held by one {@code dopt run} at a time ([RELY]: two runs on one folder
 * overwrote each other's checkpoints, and the second exited 0 on the first's {@code _SUCCESS}).
 *
 * <p>The lock is an OS file lock on {@value #LOCK} (released by the kernel when its holder dies,
 * even by {@code kill -9}), and the file names the holder (pid, host, start) for the messages: a
 * lock file whose lock nobody holds is stale and is taken over with a line saying whose it was.
 */
final class OutputFolder implements AutoCloseable {
    static final String LOCK = ".dopt-run.lock";
    /** What a run leaves that another run into the same folder would overwrite or prune. */
    private static final List<String> RUN_FILES = List.of(RunFolder.SUCCESS, RunFolder.STOPPED, RunFolder.TRACE, RunFolder.SUMMARY,
            RunFolder.LOSS_PLOT);
    /** Bytes written and forced to disk before any rank starts: a folder on a full disk fails here, in one line. */
    static final int PROBE_BYTES = 1 << 20;

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private OutputFolder(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    Path dir() { return dir; }

    /** Creates {@code dir} if needed, proves that it takes a real write, and locks it for this process. */
    static OutputFolder lock(Path dir) throws JobException {
        FileChannel ch = null;
        try {
            Files.createDirectories(dir.resolve(RunFolder.LOGS));
            probeWrite(dir);
            ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            String previous = readOwner(ch);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException sameJvm) {
                l = null;
            }
            if (l == null) {
                ch.close();
                throw new JobException("output folder " + dir + " is in use by another dopt run (" + (previous.isEmpty() ? "owner unknown" : previous)
                        + "); wait for it to end, or choose another --output");
            }
            if (!previous.isEmpty())
                System.out.println("dopt: taking over the lock of " + dir + " from " + previous + ", which is no longer running");
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(owner().getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
            return new OutputFolder(dir, ch, l);
        } catch (IOException | SecurityException e) {
            try {
                if (ch != null) ch.close();
            } catch (IOException ignored) {
                // the error below is the one to report
            }
            throw new JobException("output folder " + dir + " is not writable: " + reason(e));
        }
    }

    /** "pid 1234 on host h, started 2025-...": who holds the lock. */
    private static String owner() {
        ProcessHandle me = ProcessHandle.current();
        return "dopt run pid " + me.pid() + " on " + Hosts.name() + me.info().startInstant().map(t -> ", started " + t).orElse("");
    }

    private static String readOwner(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(512);
        ch.read(b, 0);
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).trim();
    }

    /** A real write of {@value #PROBE_BYTES} bytes, forced to disk (creating a file succeeds on a full disk). */
    private static void probeWrite(Path dir) throws IOException {
        Path probe = Files.createTempFile(dir, ".write-probe", ".tmp");
        try (OutputStream o = Files.newOutputStream(probe)) {
            o.write(new byte[PROBE_BYTES]);
            o.flush();
            try (FileChannel c = FileChannel.open(probe, StandardOpenOption.WRITE)) {
                c.force(true);
            }
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    private static String reason(Exception e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) m = f.getReason();
        return m != null && !m.isBlank() ? m : e.getClass().getSimpleName();
    }

    /**
     * What an earlier run left here ("_SUCCESS, trace.h5, 3 checkpoints"), or empty: a new run must
     * not silently overwrite it (its keep-pruning removed the new, lower-numbered checkpoints).
     */
    String earlierRun() throws IOException {
        List<String> found = new ArrayList<>();
        for (String f : RUN_FILES) if (Files.exists(dir.resolve(f))) found.add(f);
        long checkpoints = checkpoints().size();
        if (checkpoints > 0) found.add(checkpoints + " checkpoint" + (checkpoints == 1 ? "" : "s"));
        return String.join(", ", found);
    }

    /** Deletes what an earlier run left (its files and checkpoints; logs stay, they append). */
    void clearEarlierRun() throws IOException {
        for (String f : RUN_FILES) Files.deleteIfExists(dir.resolve(f));
        for (Path c : checkpoints()) Files.delete(c);
    }

    private List<Path> checkpoints() throws IOException {
        Path ck = dir.resolve(RunFolder.CHECKPOINTS);
        if (!Files.isDirectory(ck)) return List.of();
        try (Stream<Path> s = Files.list(ck)) {
            return s.filter(p -> p.getFileName().toString().startsWith("ckpt-")).sorted().toList();
        }
    }

    /**
     * Removes the temporary files of writes that an interrupted run never finished (a rank killed
     * between temp file and rename) and returns their names; nobody else writes here while we hold the lock.
     */
    List<String> removeUnfinishedWrites() throws IOException {
        List<String> removed = new ArrayList<>();
        for (Path d : List.of(dir, dir.resolve(RunFolder.CHECKPOINTS))) {
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> s = Files.list(d)) {
                for (Path p : s.sorted().toList()) {
                    String n = p.getFileName().toString();
                    if (Files.isRegularFile(p) && (n.endsWith(".tmp") || n.endsWith(".tmp.png"))) {
                        Files.delete(p);
                        removed.add(dir.relativize(p).toString());
                    }
                }
            }
        }
        return removed;
    }

    /** Releases the folder; the emptied lock file tells the next run that nobody died holding it. */
    @Override public void close() throws IOException {
        try {
            channel.truncate(0);
            channel.force(false);
            lock.release();
        } finally {
            channel.close();
        }
    }
}
