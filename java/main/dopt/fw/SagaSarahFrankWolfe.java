package dopt.fw;

import dopt.state.StateTree;

/**
 * Saga-Sarah-FW (Beznosikov, Dobre and Gidel 2024, Algorithm 2): the ZeroSARAH estimator (Li and
 * Richtárik 2021, Algorithm 1) inside Frank–Wolfe — a SARAH recursion pulled towards a SAGA
 * estimate built from a table y_1..y_n of the last gradient seen of each component, so that
 * neither full gradients nor large batches are ever needed:
 * <pre>
 *   v_t = (1/b) Σ_{i∈S_t} [∇f_i(x_t) − ∇f_i(x_{t−1})] + (1 − λ) v_{t−1}
 *         + λ [ (1/b) Σ_{i∈S_t} (∇f_i(x_{t−1}) − y_i) + (1/n) Σ_j y_j ],
 *   y_i ← ∇f_i(x_t) for i ∈ S_t,
 * </pre>
 * 2b evaluations per iteration. Start as ZeroSARAH: x_{−1} = x_0, v_{−1} = 0, y ≡ 0 and λ_0 = 1,
 * which makes v_0 the mini-batch gradient (b evaluations) and fills the sampled rows of the table.
 * The default λ = b/(2n) is ZeroSARAH's (their Theorem 1); the batch S_t holds b distinct indices.
 * The table is n × dim floats, the memory price SAGA-type methods pay for needing no full pass.
 * The paper's algorithm box could not be read with our tools (only its abstract and summaries,
 * which name the estimator "zerosarah"); the recursion above is ZeroSARAH's, as that name and
 * methods.md B4 describe, not checked line by line against the paper.
 */
public final class SagaSarahFrankWolfe extends FrankWolfeMethod {
    private final int b;
    private final double lambda;
    private float[] previous, table, tableMean, fresh, old;

    public SagaSarahFrankWolfe(FiniteSumProblem problem, LinearMinimizationOracle lmo, int batch, double lambda, long seed) {
        super(problem, lmo, seed);
        this.b = checkBatch(batch, problem.n());
        if (!(lambda > 0 && lambda <= 1)) throw new IllegalArgumentException("lambda must be in (0, 1]: " + lambda);
        this.lambda = lambda;
    }

    /** With ZeroSARAH's λ = b/(2n). */
    public SagaSarahFrankWolfe(FiniteSumProblem problem, LinearMinimizationOracle lmo, int batch, long seed) {
        this(problem, lmo, batch, batch / (2.0 * problem.n()), seed);
    }

    @Override public String name() { return "Saga-Sarah-FW"; }

    @Override
    protected void initEstimator(StateTree state, String prefix) {
        previous = state.putFloats(prefix + "/x_previous", new float[dim]);
        table = state.putFloats(prefix + "/gradient_table", new float[n * dim], n, dim);
        tableMean = state.putFloats(prefix + "/gradient_table_mean", new float[dim]);
        fresh = new float[dim];
        old = new float[dim];
    }

    @Override
    protected void estimate(long t) {
        sampleBatch(b);
        if (t == 0) {
            zero(v);
            for (int k = 0; k < b; k++) {
                int i = batch[k];
                zero(fresh);
                oracle.addComponent(i, x, 1.0, fresh);
                for (int j = 0; j < dim; j++) v[j] += fresh[j] / b;
                storeRow(i, fresh);
            }
        } else {
            for (int j = 0; j < dim; j++) v[j] = (float) ((1 - lambda) * v[j] + lambda * tableMean[j]);
            for (int k = 0; k < b; k++) {
                int i = batch[k];
                zero(fresh);
                zero(old);
                oracle.addComponent(i, x, 1.0, fresh);
                oracle.addComponent(i, previous, 1.0, old);
                int off = i * dim;
                for (int j = 0; j < dim; j++)
                    v[j] += (float) (((double) fresh[j] - old[j] + lambda * ((double) old[j] - table[off + j])) / b);
                storeRow(i, fresh);
            }
        }
        copy(x, previous);
    }

    /** y_i ← g, keeping (1/n) Σ y_j current (the batch has distinct indices, so no row is read after it is overwritten). */
    private void storeRow(int i, float[] g) {
        int off = i * dim;
        for (int j = 0; j < dim; j++) {
            tableMean[j] += (float) (((double) g[j] - table[off + j]) / n);
            table[off + j] = g[j];
        }
    }

    /** The table row of component i (a copy), for tests. */
    float[] tableRow(int i) { return java.util.Arrays.copyOfRange(table, i * dim, (i + 1) * dim); }

    /** The running mean of the table (a copy), for tests. */
    float[] tableMean() { return tableMean.clone(); }

    @Override protected long estimatorStateBytes() { return 4L * dim * (n + 2); }
}
