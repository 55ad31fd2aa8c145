package dopt.train;

import dopt.comm.Communicator;
import dopt.job.Job;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;

/**
 * How ranks agree on one gradient when the job compresses it: a per-vector compressor whose
 * messages travel in their wire encoding ({@link CompressedExchange}), or PowerSGD's two
 * all-reduces of low-rank factors ({@link PowerSgdExchange}).
 */
interface GradientExchange {

    /** Replaces {@code grad[0, n)} by the direction all ranks agree on. A collective call. */
    void exchange(float[] grad);

    /** What the job compresses with, for the run's first line. */
    String describe();

    /**
     * The exchange a job asks for, or null for plain allreduce. Per-rank state goes under
     * ranks/&lt;r&gt;/ef, state every rank holds alike under ef/ (EF21) or powersgd/ (Q).
     */
    static GradientExchange forJob(Job job, Communicator comm, Rng rankRng, List<Param> params, StateTree state) {
        int n = 0;
        for (Param p : params) n += p.size();
        if (job.comm.compressor == Job.CompressorName.POWERSGD)
            return PowerSgdExchange.create(job.comm, comm, params, state, Rng.derive(job.seed, 3).nextLong());
        return CompressedExchange.forJob(job.comm, comm, rankRng, n, state);
    }
}
