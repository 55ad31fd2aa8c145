package dopt.data;

import dopt.random.Rng;

/**
 * Deterministic mini-batches from one rank's shard: each epoch visits the shard in the order of a
 * permutation drawn from {@code Rng.derive(seed, rank, epoch)}, dropping the last partial batch.
 * The whole position is {@link #position()} = {epoch, cursor}, a live array the state tree holds;
 * after a checkpoint restores it, the next batch is exactly the one the original run drew next.
 */
public final class BatchLoader {
    private final Dataset data;
    private final int[] indices, perm;
    private final int batch;
    private final long seed;
    private final int rank;
    private final long[] position = {0, 0};
    private long permEpoch = -1;

    public BatchLoader(Dataset data, int[] indices, int batch, long seed, int rank) {
        if (indices.length < batch)
            throw new IllegalArgumentException("shard of " + indices.length + " samples cannot fill a batch of " + batch);
        this.data = data;
        this.indices = indices.clone();
        this.perm = new int[indices.length];
        this.batch = batch;
        this.seed = seed;
        this.rank = rank;
    }

    /** A loader over the same shard with its own seed and its own position (at the start). */
    public BatchLoader reseeded(long newSeed) { return new BatchLoader(data, indices, batch, newSeed, rank); }

    /** The live {epoch, cursor} array. */
    public long[] position() { return position; }

    public int batchesPerEpoch() { return indices.length / batch; }

    /** Samples in the shard. */
    public int shardSize() { return indices.length; }

    /**
     * Copies the shard's samples {@code [start, start + count)} in the shard's own order (not an
     * epoch's permutation) into {@code xOut} and {@code yOut}: a pass over the whole shard, for full
     * local gradients. The position is untouched.
     */
    public void copyInOrder(int start, int count, float[] xOut, int[] yOut) {
        int dim = data.dim();
        for (int i = 0; i < count; i++) {
            int s = indices[start + i];
            System.arraycopy(data.x(), s * dim, xOut, i * dim, dim);
            yOut[i] = data.y()[s];
        }
    }

    /** Copies the next batch into {@code xOut[batch×dim]} and {@code yOut[batch]}. */
    public void next(float[] xOut, int[] yOut) {
        if (position[1] + batch > indices.length) {
            position[0]++;
            position[1] = 0;
        }
        if (permEpoch != position[0]) reshuffle(position[0]);
        int dim = data.dim(), start = (int) position[1];
        float[] x = data.x();
        int[] y = data.y();
        for (int i = 0; i < batch; i++) {
            int s = perm[start + i];
            System.arraycopy(x, s * dim, xOut, i * dim, dim);
            yOut[i] = y[s];
        }
        position[1] += batch;
    }

    private void reshuffle(long epoch) {
        System.arraycopy(indices, 0, perm, 0, indices.length);
        Rng.derive(seed, rank, epoch).shuffle(perm);
        permEpoch = epoch;
    }
}
