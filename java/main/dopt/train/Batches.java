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
