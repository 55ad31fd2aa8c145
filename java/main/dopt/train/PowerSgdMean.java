package dopt.train;

import dopt.comm.Communicator;
import dopt.compress.PowerSgd;
import dopt.job.Job;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.List;

/**
 * PowerSGD inside the data-parallel step (Vogels et al. 2019, Algorithm 1): P = M Q is
 * all-reduced, orthonormalised, Q = Mᵀ P̂ is all-reduced together with the dense 1-D tensors,
 * and every rank rebuilds the same P̂ Qᵀ. Parameters with two or more dimensions are viewed as
 * shape[0] × (the rest) matrices, as the reference code does for convolutions.
 */
final class PowerSgdMean implements GradientMean.GradientCombiner {
    private final PowerSgd powerSgd;
    private final Communicator comm;
    private final float[] p, q;

    private PowerSgdMean(PowerSgd powerSgd, Communicator comm) {
        this.powerSgd = powerSgd;
        this.comm = comm;
        this.p = new float[powerSgd.pLength()];
        this.q = new float[powerSgd.qLength()];
    }

    /** Q is seeded by {@code qSeed} (the same on every rank); the error under ranks/&lt;r&gt;/ef, Q under powersgd/q/. */
    static PowerSgdMean create(Job.Comm c, Communicator comm, List<Param> params, StateTree state, long qSeed) {
        PowerSgd ps = new PowerSgd(blocks(params), c.rank, c.errorFeedback == Job.ErrorFeedbackName.EF14);
        ps.init(state, "ranks/" + comm.rank() + "/ef", "powersgd", qSeed);
        return new PowerSgdMean(ps, comm);
    }

    /** The flat gradient's blocks: every parameter of two or more dimensions a matrix (rows × the rest), the others vectors. */
    static List<PowerSgd.Block> blocks(List<Param> params) {
        List<PowerSgd.Block> blocks = new ArrayList<>();
        int offset = 0;
        for (Param prm : params) {
            int[] shape = prm.shape();
            blocks.add(shape.length >= 2 ? PowerSgd.Block.matrix(prm.name(), offset, shape[0], prm.size() / shape[0])
                    : PowerSgd.Block.vector(prm.name(), offset, prm.size()));
            offset += prm.size();
        }
        return blocks;
    }

    @Override
    public int combine(float[] flat, int n) {
        powerSgd.project(flat, p);
        comm.allreduceMean(p, 0, p.length);
        powerSgd.projectBack(p, q);
        comm.allreduceMean(q, 0, q.length);
        powerSgd.reconstruct(p, q, flat);
        comm.allreduceMean(flat, n, 2);
        return 0;
    }

    @Override
    public String describe() { return powerSgd.name(); }
}
