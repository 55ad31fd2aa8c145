package dopt.nn.adapter;

import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * The adapters of one model, one per adapted weight, in the model's parameter order; their
 * trainable matrices, concatenated in that order, are the parameter list an optimizer gets.
 */
public final class AdapterSet {
    /** The attention and MLP weights of {@link dopt.nn.TransformerLm} and the hidden layers of {@link dopt.nn.Mlp}. */
    public static final Predicate<Param> MATRICES = p -> p.role() == Param.Role.MATRIX;

    private final List<Adapter> adapters;
    private final List<Param> trainable;

    public AdapterSet(List<? extends Adapter> adapters) {
        if (adapters.isEmpty()) throw new IllegalArgumentException("no weight to adapt");
        this.adapters = List.copyOf(adapters);
        List<Param> t = new ArrayList<>();
        for (Adapter a : adapters) t.addAll(a.trainable());
        this.trainable = Collections.unmodifiableList(t);
    }

    /** The parameters of {@code params} that {@code targets} selects, in order. */
    public static List<Param> select(List<Param> params, Predicate<Param> targets) {
        List<Param> out = new ArrayList<>();
        for (Param p : params) if (targets.test(p)) out.add(p);
        if (out.isEmpty()) throw new IllegalArgumentException("no parameter matches the adapter targets");
        return out;
    }

    /** LoRA of rank r, scaling α/r, on each target. */
    public static AdapterSet lora(List<Param> targets, int r, double alpha, Rng rng) {
        List<Adapter> a = new ArrayList<>();
        for (Param p : targets) a.add(new LoraAdapter(p, r, alpha, rng));
        return new AdapterSet(a);
    }

    /** LoRA-XS of rank r, scaling s, on each target (SVD of its current value). */
    public static AdapterSet loraXs(List<Param> targets, int r, double s, Rng rng) {
        List<Adapter> a = new ArrayList<>();
        for (Param p : targets) a.add(LatentAdapter.loraXs(p, r, s, rng));
        return new AdapterSet(a);
    }

    /** LoRA-SB of rank r on each target from its estimated first update ({@link FirstStepEstimate}), same order. */
    public static AdapterSet loraSb(List<Param> targets, int r, List<float[]> updates) {
        if (updates.size() != targets.size()) throw new IllegalArgumentException(updates.size() + " updates for " + targets.size() + " targets");
        List<Adapter> a = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) a.add(LatentAdapter.loraSb(targets.get(i), r, updates.get(i)));
        return new AdapterSet(a);
    }

    public List<Adapter> adapters() { return adapters; }

    /** The trainable adapter matrices (the optimizer's parameter list). */
    public List<Param> params() { return trainable; }

    /** Exact number of trained scalars (the sum of {@link Adapter#trainableCount()}). */
    public long trainableCount() {
        long c = 0;
        for (Adapter a : adapters) c += a.trainableCount();
        return c;
    }

    public void reset(Rng rng) { for (Adapter a : adapters) a.reset(rng); }

    public void merge() { for (Adapter a : adapters) a.merge(); }

    public void restore() { for (Adapter a : adapters) a.restore(); }

    public void backward() { for (Adapter a : adapters) a.backward(); }
}
