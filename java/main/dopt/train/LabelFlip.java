package dopt.train;

import dopt.nn.Batch;

/**
 * The label-flipping attack, which acts on data, not on messages: a Byzantine rank trains on its
 * own shard with every class label y replaced by C − 1 − y (C classes) and sends the gradient of
 * that data, honest-looking, through the same collective as everyone else.
 *
 * <p>Convention of V ({@code SamuelHorvath/VR_Byzantine}, {@code code/attacks/labelflipping.py}, the
 * same file as E's): {@code LabelflippingMNIST} and {@code LabelflippingCIFAR10} map target → 9 −
 * target, {@code LabelflippingLibSVM} maps its 0/1 labels y → 1 − y; both are C − 1 − y. V's
 * {@code LableFlippingWorker} flips the labels its training iterator yields, while its MARINA
 * worker's full gradient reads the unwrapped loader (true labels); here the flip is on the rank's
 * batches, so every gradient a flipping rank computes, a full one included, sees flipped labels.
 */
final class LabelFlip implements Batches<Batch.Examples> {
    private final Batches<Batch.Examples> data;
    private final int classes;

    /** The batches of {@code data} with labels flipped among {@code classes} classes. */
    LabelFlip(Batches<Batch.Examples> data, int classes) {
        if (classes < 2) throw new IllegalArgumentException("label flipping needs at least 2 classes, got " + classes);
        this.data = data;
        this.classes = classes;
    }

    /** y[i] ← C − 1 − y[i] for the first {@code count} labels, in place. */
    static void flip(int[] y, int count, int classes) {
        for (int i = 0; i < count; i++) y[i] = classes - 1 - y[i];
    }

    @Override
    public Batch.Examples next() {
        Batch.Examples b = data.next();
        flip(b.y(), b.size(), classes);
        return b;
    }

    @Override public long[] position() { return data.position(); }

    @Override public int size() { return data.size(); }

    @Override public Batches<Batch.Examples> reseeded(long seed) { return new LabelFlip(data.reseeded(seed), classes); }

    @Override
    public Shard<Batch.Examples> shard() {
        Shard<Batch.Examples> honest = data.shard();
        return new Shard<>() {
            @Override public int chunks() { return honest.chunks(); }
            @Override public int size(int c) { return honest.size(c); }
            @Override public Batch.Examples chunk(int c) {
                Batch.Examples b = honest.chunk(c);
                flip(b.y(), b.size(), classes);
                return b;
            }
        };
    }
}
