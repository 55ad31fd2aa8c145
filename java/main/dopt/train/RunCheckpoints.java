package dopt.train;

import dopt.comm.Communicator;
import dopt.io.Checkpoint;
import dopt.io.CheckpointException;
import dopt.io.TraceData;
import dopt.job.JobException;
import dopt.state.StateTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A run's checkpoints: rank 0 writes the whole state tree (what every rank holds alike, each rank's
 * own {@code ranks/<r>/} part gathered from it, and the trace so far) atomically as
 * {@code checkpoints/ckpt-NNNNNN.h5}, keeps the newest {@code keep}, and every rank restores its
 * part from one file.
 */
final class RunCheckpoints {
    private static final Logger LOG = LogManager.getLogger(RunCheckpoints.class);

    private final Replica replica;
    private final Communicator comm;
    private final Path dir;
    private final int keep;
    private Path last;

    RunCheckpoints(Replica replica, Communicator comm, Path outDir) {
        this.replica = replica;
        this.comm = comm;
        this.dir = outDir.resolve("checkpoints");
        this.keep = replica.job.checkpoint.keep;
    }

    /** The newest checkpoint written or resumed from by this run, or null. */
    Path last() { return last; }

    /** Gathers every rank's own state and writes the checkpoint after step {@code s} with {@code trace}; a collective call. */
    void write(long s, TraceData trace) throws IOException {
        int rank = comm.rank(), ranks = comm.size();
        List<String> mine = replica.ownedPrefixes(rank);
        List<byte[][]> all = new ArrayList<>();
        for (String prefix : mine) all.add(comm.allgatherBytes(RankState.encode(replica.state, prefix)));
        Path file = dir.resolve(String.format(java.util.Locale.ROOT, "ckpt-%06d.h5", s));
        if (rank == 0) {
            StateTree snapshot = new StateTree();
            for (Map.Entry<String, StateTree.Leaf> e : replica.state.leaves().entrySet())
                if (!Replica.rankOwned(e.getKey())) copyLeaf(snapshot, e.getKey(), e.getValue());
            for (int r = 0; r < ranks; r++)
                for (int k = 0; k < all.size(); k++) RankState.decodeInto(all.get(k)[r], snapshot, replica.ownedPrefixes(r).get(k));
            TraceRecorder.store(trace, snapshot, ranks);
            Files.createDirectories(dir);
            Map<String, Object> attrs = new LinkedHashMap<>();
            attrs.put("step", s);
            attrs.put("job_name", replica.job.name);
            attrs.put("ranks", (long) ranks);
            attrs.put("optimizer", replica.optimizer.name());
            attrs.put("optimizer_state_bytes", replica.optimizer.stateBytes());
            Checkpoint.write(snapshot, file, attrs);
            prune();
            LOG.info("checkpoint {} written ({} bytes)", file, Files.size(file));
        }
        last = file;
    }

    /**
     * Restores this rank's state from {@code checkpoint} (all ranks read the same file) and hands the
     * trace leaves to {@code trace}.
     */
    void restore(Path checkpoint, TraceRecorder trace) throws JobException {
        Checkpoint.Loaded loaded;
        try {
            loaded = Checkpoint.read(checkpoint);
        } catch (CheckpointException e) {
            throw new JobException(e.getMessage());
        }
        int rank = comm.rank(), ranks = comm.size();
        Long r;
        try {
            r = loaded.longValue("ranks");
        } catch (IllegalArgumentException e) {
            throw new JobException("checkpoint " + checkpoint + ": " + e.getMessage());
        }
        if (r == null || r != ranks)
            throw new JobException("checkpoint " + checkpoint + " was written by " + r + " ranks; resume it with --np " + r);
        StateTree mine = new StateTree();
        for (Map.Entry<String, StateTree.Leaf> e : loaded.tree().leaves().entrySet()) {
            String path = e.getKey();
            if (path.startsWith("trace/")) {
                trace.restore(path.substring("trace/".length()), e.getValue(), ranks, rank);
            } else if (!path.equals("job") && (!Replica.rankOwned(path) || isMine(path, rank))) {
                copyLeaf(mine, path, e.getValue());
            }
        }
        for (String path : mine.leaves().keySet())
            if (!replica.state.contains(path))
                throw new JobException("checkpoint " + checkpoint + " holds '" + path + "', which this job does not have: it was written by a different job");
        try {
            replica.state.restoreFrom(mine);
        } catch (IllegalStateException e) {
            throw new JobException(e.getMessage());
        }
        replica.restored();
        last = checkpoint;
        LOG.info("resumed from {} at step {}", checkpoint, replica.step[0]);
    }

    private boolean isMine(String path, int rank) {
        for (String prefix : replica.ownedPrefixes(rank)) if (path.startsWith(prefix)) return true;
        return false;
    }

    private void prune() throws IOException {
        List<Path> files = new ArrayList<>();
        try (var st = Files.list(dir)) {
            st.filter(p -> p.getFileName().toString().matches("ckpt-\\d+\\.h5")).sorted().forEach(files::add);
        }
        for (int i = 0; i < files.size() - keep; i++) Files.deleteIfExists(files.get(i));
    }

    private static void copyLeaf(StateTree t, String path, StateTree.Leaf leaf) {
        if (leaf instanceof StateTree.FloatLeaf f) t.putFloats(path, f.data(), f.shape());
        else if (leaf instanceof StateTree.DoubleLeaf d) t.putDoubles(path, d.data(), d.shape());
        else if (leaf instanceof StateTree.LongLeaf l) t.putLongs(path, l.data());
        else if (leaf instanceof StateTree.StringLeaf s) t.putString(path, s.value());
    }
}
