package dopt.train;

import dopt.data.BatchLoader;
import dopt.data.Dataset;
import dopt.nn.Batch;
import dopt.random.Rng;

/**
 * The batches of the federated clients one rank hosts (clients r, r + ranks, r + 2·ranks, ...):
 * one loader per client over its own shard, each with its own position, and one shared batch buffer.
 * {@link #select} chooses whose batches {@link #next} draws; the rank itself has no loader of its
 * own, so {@link #position()} is a constant the state tree may hold harmlessly.
 */
final class ClientBatches implements Batches<Batch.Examples> {
    private final int rank, ranks, batch;
    private final BatchLoader[] loaders;
    private final int[] sizes;
    private final Batch.Examples b;
    private final long[] noPosition = {0, 0};
    /** A second stream over the target client's shard, on every rank (MeritFed's validation batches), or null. */
    private final BatchLoader validation;
    private BatchLoader current;

    /** Domain of the validation stream's seed, apart from the clients' own loaders. */
    private static final long VALIDATION_DOMAIN = 0x3E417FEDL;

    /** {@code shards[c]}: client c's sample indices, for every client; loaders are made for this rank's only. */
    ClientBatches(Dataset train, int[][] shards, int batch, long seed, int ranks, int rank) {
        this(train, shards, batch, seed, ranks, rank, -1);
    }

    /**
     * With {@code validationClient} ≥ 0, every rank also holds a loader over that client's shard with
     * its own seed and position ({@link #selectValidation}): MeritFed's validation batches, which every
     * rank draws alike (the authors' setting without a held-out split takes the target's training
     * data, {@code val_data = train_split[0]} in github.com/nazya/MeritFed codes/train.py).
     */
    ClientBatches(Dataset train, int[][] shards, int batch, long seed, int ranks, int rank, int validationClient) {
        this.rank = rank;
        this.ranks = ranks;
        this.batch = batch;
        this.sizes = new int[shards.length];
        this.loaders = new BatchLoader[shards.length];
        for (int c = 0; c < shards.length; c++) {
            sizes[c] = shards[c].length;
            // the client id seeds its loader, so a client's batches do not depend on the number of ranks
            if (c % ranks == rank) loaders[c] = new BatchLoader(train, shards[c], batch, seed, c);
        }
        this.b = new Batch.Examples(new float[batch * train.dim()], new int[batch], batch);
        this.validation = validationClient < 0 ? null
                : new BatchLoader(train, shards[validationClient], batch, Rng.derive(seed, VALIDATION_DOMAIN).nextLong(), validationClient);
    }

    /** From now on {@link #next} draws the validation batches of the target client. */
    void selectValidation() {
        if (validation == null) throw new IllegalStateException("no validation client");
        current = validation;
    }

    /** The live {epoch, cursor} of the validation stream (the same on every rank). */
    long[] validationPosition() {
        if (validation == null) throw new IllegalStateException("no validation client");
        return validation.position();
    }

    int clients() { return sizes.length; }

    boolean hosts(int client) { return client % ranks == rank; }

    /** Samples in {@code client}'s shard: its weight in the mean delta. */
    int size(int client) { return sizes[client]; }

    /** The live {epoch, cursor} of a client this rank hosts. */
    long[] position(int client) { return loader(client).position(); }

    /** From now on {@link #next} draws {@code client}'s batches. */
    void select(int client) { current = loader(client); }

    private BatchLoader loader(int client) {
        if (!hosts(client)) throw new IllegalArgumentException("client " + client + " is hosted by rank " + client % ranks + ", not " + rank);
        return loaders[client];
    }

    @Override
    public Batch.Examples next() {
        if (current == null) throw new IllegalStateException("no client selected");
        current.next(b.x(), b.y());
        return b;
    }

    @Override public long[] position() { return noPosition; }

    @Override public int size() { return batch; }

    @Override
    public Batches<Batch.Examples> reseeded(long seed) {
        throw new UnsupportedOperationException("federated clients have no second stream (adapters are refused with them)");
    }
}
