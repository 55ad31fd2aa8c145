package dopt.train;

import dopt.data.BatchLoader;
import dopt.data.TextBatchLoader;
import dopt.data.TokenBatchLoader;
import dopt.nn.Batch;

/**
 * This rank's training batches for a {@link Task}: a loader that fills one preallocated batch in
 * place, so drawing a batch allocates nothing.
 */
interface Batches<B> {
    /** Fills the batch with the next examples and returns it. */
    B next();

    /** The loader's live position, held by the state tree. */
    long[] position();

    /** Examples per batch. */
    int size();

    /** An independent source over the same share with its own buffers and seed (the training position is untouched). */
    Batches<B> reseeded(long seed);

    /** This rank's whole share in a fixed order, for full local gradients; only feature-row and image batches have one. */
    default Shard<B> shard() {
        throw new UnsupportedOperationException("only batches of labelled examples (mlp, cnn) have a full pass over the shard");
    }

    /**
     * The whole share in chunks of at most a batch, in the shard's own order, each filled on demand
     * into buffers of its own (the training batch and position are untouched).
     */
    interface Shard<B> {
        int chunks();

        /** Fills chunk {@code c} and returns it. */
        B chunk(int c);

        /** Examples in chunk {@code c}: a batch, fewer in the last. */
        int size(int c);
    }

    static Batches<Batch.Examples> examples(BatchLoader loader, int batch, int dim) {
        Batch.Examples b = new Batch.Examples(new float[batch * dim], new int[batch], batch);
        return new Batches<>() {
            @Override public Batch.Examples next() {
                loader.next(b.x(), b.y());
                return b;
            }
            @Override public long[] position() { return loader.position(); }
            @Override public int size() { return batch; }
            @Override public Batches<Batch.Examples> reseeded(long seed) { return examples(loader.reseeded(seed), batch, dim); }
            @Override public Shard<Batch.Examples> shard() { return examplesShard(loader, batch, dim); }
        };
    }

    /** The shard of {@code loader} in chunks of {@code batch}; the last chunk holds the remainder. */
    private static Shard<Batch.Examples> examplesShard(BatchLoader loader, int batch, int dim) {
        int n = loader.shardSize(), chunks = (n + batch - 1) / batch, tail = n - (chunks - 1) * batch;
        Batch.Examples full = new Batch.Examples(new float[batch * dim], new int[batch], batch);
        Batch.Examples last = tail == batch ? full : new Batch.Examples(full.x(), full.y(), tail);
        return new Shard<>() {
            @Override public int chunks() { return chunks; }
            @Override public int size(int c) { return c == chunks - 1 ? tail : batch; }
            @Override public Batch.Examples chunk(int c) {
                Batch.Examples b = c == chunks - 1 ? last : full;
                loader.copyInOrder(c * batch, b.size(), b.x(), b.y());
                return b;
            }
        };
    }

    static Batches<Batch.Windows> windows(TokenBatchLoader loader) {
        Batch.Windows b = new Batch.Windows(new int[loader.batch() * (loader.seqLen() + 1)], loader.batch(), loader.seqLen());
        return new Batches<>() {
            @Override public Batch.Windows next() {
                loader.next(b.tokens());
                return b;
            }
            @Override public long[] position() { return loader.position(); }
            @Override public int size() { return loader.batch(); }
            @Override public Batches<Batch.Windows> reseeded(long seed) { return windows(loader.reseeded(seed)); }
        };
    }

    static Batches<Batch.Texts> texts(TextBatchLoader loader, int batch, int seqLen) {
        Batch.Texts b = new Batch.Texts(new int[batch * seqLen], new int[batch], batch, seqLen);
        return new Batches<>() {
            @Override public Batch.Texts next() {
                loader.next(b.tokens(), b.labels());
                return b;
            }
            @Override public long[] position() { return loader.position(); }
            @Override public int size() { return batch; }
            @Override public Batches<Batch.Texts> reseeded(long seed) {
                throw new UnsupportedOperationException("the text classifier's loader has no second stream (adapters are refused for it)");
            }
        };
    }
}
