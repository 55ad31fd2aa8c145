/**
 * Stochastic first-order methods whose samples come from a Markov chain instead of i.i.d. draws
 * (Beznosikov, Samsonov, Sheshukova, Gasnikov, Naumov, Moulines 2023, "First Order Methods with
 * Markovian Noise: from Acceleration to Variational Inequalities", arXiv:2305.15938): the chains
 * ({@link dopt.markov.MarkovChain}: AR(1), lazy random walk over a finite set), the multilevel
 * Monte Carlo randomized batch ({@link dopt.markov.MlmcBatchEstimator}) and the methods that
 * consume it (SGD, the paper's accelerated SGD, extragradient for variational inequalities).
 * Works on small dense {@code double[]} vectors. Every piece of state (iterates, auxiliary
 * sequences, sample counters, RNG words, the chain's current state) is registered in the
 * {@link dopt.state.StateTree} by reference ({@link dopt.markov.MarkovMethod#register}), so a
 * checkpoint resumes a run bit-exactly. Imports only {@code dopt.random} and {@code dopt.state}.
 */
package dopt.markov;
