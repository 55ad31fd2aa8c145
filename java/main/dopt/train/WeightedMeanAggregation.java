package dopt.train;

import dopt.comm.Communicator;
import java.util.Arrays;

/**
 * FedAvg's aggregation (McMahan et al. 2017): Δ = Σ nᵢ(xᵢ − x) / Σ nᵢ over the clients that trained,
 * nᵢ the size of client i's shard. Each rank sums its own clients' weighted deltas, and one allreduce
 * carries the sums, Σ nᵢ and the control values. With a target client only the target trains and Δ is
 * its own delta: local-only training, MeritFed's baseline (Tupitsa et al. 2024).
 */
final class WeightedMeanAggregation implements RoundAggregation {
    private final Communicator comm;
    private final int n, only;
    /** The summed weighted deltas, then Σ nᵢ, then the control values. */
    private final float[] sum;
    private long commNanos;

    /** {@code only}: the one client that trains, or −1 for every sampled client. */
    WeightedMeanAggregation(Communicator comm, int n, int only) {
        this.comm = comm;
        this.n = n;
        this.only = only;
        this.sum = new float[n + 1 + CONTROL];
    }

    @Override public boolean trains(int client) { return only < 0 || client == only; }

    @Override
    public void begin(int[] sampled) { Arrays.fill(sum, 0f); }

    @Override
    public void add(int client, float[] global, float[] local, int size) {
        float w = size;
        for (int k = 0; k < n; k++) sum[k] += w * (local[k] - global[k]);
        sum[n] += w;
    }

    @Override
    public float[] aggregate(long round, float[] global, float[] control) {
        System.arraycopy(control, 0, sum, n + 1, CONTROL);
        long t0 = System.nanoTime();
        comm.allreduceSum(sum, 0, sum.length);
        commNanos = System.nanoTime() - t0;
        System.arraycopy(sum, n + 1, control, 0, CONTROL);
        float weights = sum[n];
        for (int k = 0; k < n; k++) sum[k] /= weights;
        return sum;
    }

    @Override public long commNanos() { return commNanos; }

    @Override public String describe() { return only < 0 ? "FedAvg" : "local-only (client " + only + ")"; }
}
