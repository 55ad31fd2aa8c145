/**
 * Finite-sum problems f(x) = (1/n) Σᵢ fᵢ(x) split over n clients simulated in one process, as the
 * communication-compression papers run their experiments: each client returns its own (full or
 * mini-batch) gradient at a flat parameter vector. Synthetic problems and models on real data
 * sets; and {@link dopt.experiments.clients.ErrorFeedbackGd}, gradient descent over such clients
 * with compressed messages and error feedback. Imports dopt.nn, dopt.data, dopt.compress,
 * dopt.state, dopt.random, and dopt.train for the error-feedback factory the jobs use (with the
 * names of dopt.job).
 */
package dopt.experiments.clients;
