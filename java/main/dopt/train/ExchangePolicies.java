package dopt.train;

import dopt.comm.Communicator;
import dopt.job.Job;
import dopt.optim.Optimizer;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;

/** The exchange policy a job's {@code comm} section asks for. */
final class ExchangePolicies {
    private ExchangePolicies() { }

    /**
     * Local steps when {@code comm.local_steps > 1}, else a synchronous gradient mean: dense, compressed
     * (state under ranks/&lt;r&gt;/ef and ef/) or PowerSGD (error under ranks/&lt;r&gt;/ef, Q under powersgd/).
     */
    static ExchangePolicy forJob(Job job, Communicator comm, Rng rankRng, List<Param> params, Optimizer optimizer,
                                 StateTree state) {
        if (job.comm.localSteps > 1)
            return new LocalSteps(params, optimizer, comm, job.comm.localSteps,
                    job.comm.averagePreconditioner ? optimizer.preconditionerState() : List.of());
        GradientMean.GradientCombiner combiner;
        if (job.comm.compressor == Job.CompressorName.POWERSGD)
            combiner = PowerSgdMean.create(job.comm, comm, params, state, Rng.derive(job.seed, 3).nextLong());
        else if (job.comm.compressor != Job.CompressorName.NONE)
            combiner = CompressedMean.forJob(job.comm, comm, rankRng, Flat.length(params), state);
        else
            combiner = new GradientMean.Dense(comm);
        return new GradientMean(params, optimizer, comm, combiner);
    }
}
