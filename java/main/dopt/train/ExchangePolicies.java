package dopt.train;

import dopt.comm.Communicator;
import dopt.job.Job;
import dopt.optim.Optimizer;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The exchange policy a job's {@code comm} section asks for. */
final class ExchangePolicies {
    private ExchangePolicies() { }

    /**
     * Local steps when {@code comm.local_steps > 1}, else a synchronous gradient mean: dense, compressed
     * (state under ranks/&lt;r&gt;/ef and ef/) or PowerSGD (error under ranks/&lt;r&gt;/ef, Q under powersgd/).
     * {@code optimStatePrefix} is where the optimizer keeps its state (local methods' preconditioner).
     */
    static ExchangePolicy forJob(Job job, Communicator comm, Rng rankRng, List<Param> params, Optimizer optimizer,
                                 StateTree state, String optimStatePrefix) {
        if (job.comm.localSteps > 1)
            return new LocalSteps(params, optimizer, comm, job.comm.localSteps,
                    job.comm.averagePreconditioner ? secondMoments(state, optimStatePrefix) : List.of());
        GradientMean.GradientCombiner combiner;
        if (job.comm.compressor == Job.CompressorName.POWERSGD)
            combiner = PowerSgdMean.create(job.comm, comm, params, state, Rng.derive(job.seed, 3).nextLong());
        else if (job.comm.compressor != Job.CompressorName.NONE)
            combiner = CompressedMean.forJob(job.comm, comm, rankRng, Flat.length(params), state);
        else
            combiner = new GradientMean.Dense(comm);
        return new GradientMean(params, optimizer, comm, combiner);
    }

    /** The second-moment buffers (ν) among the optimizer's state leaves, in tree order. */
    private static List<float[]> secondMoments(StateTree state, String optimStatePrefix) {
        List<float[]> nu = new ArrayList<>();
        for (Map.Entry<String, StateTree.Leaf> e : state.leaves().entrySet())
            if (e.getKey().startsWith(optimStatePrefix) && e.getKey().contains("/nu/") && e.getValue() instanceof StateTree.FloatLeaf f)
                nu.add(f.data());
        return nu;
    }
}
