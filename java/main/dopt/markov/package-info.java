/**
 * Stochastic first-order methods whose samples come from a Markov chain instead of i.i.d. draws
 * (Beznosikov, Samsonov, Sheshukova, Gasnikov, Naumov, Moulines 2023, "First Order Methods with
 * Markovian Noise: from Acceleration to Variational Inequalities", arXiv:2305.15938): the chains
 * ({@link dopt.markov.MarkovChain}: AR(1), lazy random walk over a finite set), the multilevel
 * Monte Carlo randomized batch ({@link dopt.markov.MlmcBatchEstimator}) and the methods that
 * consume it (SGD, the paper's accelerated SGD, extragradient for variational inequalities).
 * Works on small dense {@code double[]} vectors. Imports only {@code dopt.random}.
 */
package dopt.markov;
