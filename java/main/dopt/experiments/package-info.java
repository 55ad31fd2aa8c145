/**
 * Experiments that reproduce a paper's qualitative claim at our scale: each is an
 * {@link dopt.experiments.Experiment} run by {@code ./dopt experiment run NAME}, over several
 * seeds, writing a Markdown report (machine, date, command, tables), PNG plots and CSV files
 * under {@code benchmarks/results/}. Experiments that simulate n clients in one process (as the
 * papers' own experiments do) live here; data-parallel ones go through jobs and sweeps instead.
 * Where a simulated client trains like a rank (local-scaling), it is a thread rank of an in-process
 * group driving the engine's exchange policy ({@code dopt.train.LocalSteps}); where a cell is a
 * whole training run (byzantine-robust), it is a job file trained by the engine's Trainer on
 * thread ranks ({@code ThreadRankTraining}).
 * May import every dopt package except {@code cli}.
 */
package dopt.experiments;
