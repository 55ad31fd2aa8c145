package dopt.experiments.clients;

import dopt.compress.Compressor;
import dopt.compress.ErrorFeedback;
import dopt.job.Job;
import dopt.train.ExchangePolicies;

/** The error-feedback methods the C1 experiments compare, by their names in the papers. */
public enum EfMethod {
    EF14("EF14", Job.ErrorFeedbackName.EF14),
    EF21("EF21", Job.ErrorFeedbackName.EF21),
    EF21_NORMALIZED("‖EF21‖", Job.ErrorFeedbackName.EF21_NORMALIZED);

    private final String label;
    private final Job.ErrorFeedbackName jobName;

    EfMethod(String label, Job.ErrorFeedbackName jobName) {
        this.label = label;
        this.jobName = jobName;
    }

    public String label() { return label; }

    /** The method around {@code c}, built by the factory the jobs use. */
    public ErrorFeedback create(Compressor c) { return ExchangePolicies.errorFeedback(jobName, c); }
}
