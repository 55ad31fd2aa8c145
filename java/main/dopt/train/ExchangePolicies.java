package dopt.train;

import dopt.comm.Communicator;
import dopt.compress.Compressor;
import dopt.compress.Ef14;
import dopt.compress.Ef21;
import dopt.compress.ErrorFeedback;
import dopt.job.Job;
import dopt.optim.Optimizer;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;

/** The exchange policy a job's {@code comm} section asks for, and the pieces it is built from. */
public final class ExchangePolicies {
    private ExchangePolicies() { }

    /**
     * Federated rounds over {@code task}'s clients when the job has a {@code federated} section (client
     * state under ranks/&lt;r&gt;/clients/&lt;i&gt;/, the server's under server/), Byz-VR-MARINA(-PP) with a
     * {@code byz_vr_marina} section (state under exchange/marina/ and exchange/robust/), a pipeline stage when it has a
     * {@code pipeline} section (its state under stages/&lt;r&gt;/), local steps when {@code comm.local_steps > 1}, else a synchronous gradient mean: dense, compressed
     * (state under ranks/&lt;r&gt;/ef and ef/) or PowerSGD (error under ranks/&lt;r&gt;/ef, Q under powersgd/).
     */
    static ExchangePolicy forJob(Job job, Communicator comm, Rng rankRng, List<Param> params, Optimizer optimizer,
                                 StateTree state, Task<?> task) {
        if (job.federated != null) return Federated.forJob(job, comm, params, task, state);
        if (job.byzVrMarina != null) return ByzVrMarina.forJob(job, comm, rankRng, params, optimizer, state, task);
        if (job.pipeline != null) return Pipeline.forJob(job, comm, rankRng, params, optimizer, state, task);
        if (job.comm.localSteps > 1)
            return new LocalSteps(params, optimizer, comm, job.comm.localSteps,
                    job.comm.averagePreconditioner ? optimizer.preconditionerState() : List.of());
        GradientMean.GradientCombiner combiner;
        if (job.aggregation != null || job.byzantine != null)
            combiner = RobustMean.forJob(job, comm, Flat.length(params), state);
        else if (job.comm.compressor == Job.CompressorName.POWERSGD)
            combiner = PowerSgdMean.create(job.comm, comm, params, state, Rng.derive(job.seed, 3).nextLong());
        else if (job.comm.compressor != Job.CompressorName.NONE)
            combiner = CompressedMean.forJob(job.comm, comm, rankRng, Flat.length(params), state);
        else
            combiner = new GradientMean.Dense(comm);
        return new GradientMean(params, optimizer, combiner);
    }

    /**
     * The error feedback of that name around {@code compressor}, or null for {@code NONE}: the one
     * place that maps the names to EF14 (Seide et al. 2014), EF21 and ‖EF21‖ (Richtárik et al. 2021;
     * Khirirat et al. 2024), for jobs and for the experiments that simulate clients alike.
     */
    public static ErrorFeedback errorFeedback(Job.ErrorFeedbackName name, Compressor compressor) {
        return switch (name) {
            case NONE -> null;
            case EF14 -> new Ef14(compressor);
            case EF21 -> new Ef21(compressor, false);
            case EF21_NORMALIZED -> new Ef21(compressor, true);
        };
    }
}
