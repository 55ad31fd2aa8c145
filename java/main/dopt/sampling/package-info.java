/**
 * Sampling with Ito chains x_{k+1} = x_k − γ b(x_k) + √γ σ(x_k) ξ_k (Ustimenko and Beznosikov,
 * "Ito Diffusion Approximation of Universal Ito Chains for Sampling, Optimization and Boosting",
 * ICLR 2024, arXiv:2310.06081) with isotropic, possibly non-Gaussian noise ξ, SGLD as the case
 * b = stochastic ∇U, σ = √(2/β); a Bayesian linear regression whose Gaussian posterior is known in
 * closed form; and the distances that check a sampler against it (Gaussian/Bures W2, sliced W2),
 * with the small dense symmetric linear algebra they need. A chain's state (x_k, the RNG words, a
 * mini-batch drift's RNG) is registered in the {@link dopt.state.StateTree} by reference
 * ({@link dopt.sampling.ItoChain#register}), so a checkpoint resumes it bit-exactly. Imports only
 * {@code dopt.random} and {@code dopt.state}.
 */
package dopt.sampling;
