/**
 * Projection-free constrained optimisation over finite sums f(x) = (1/n) Σ f_i(x): linear
 * minimisation oracles (ℓ1 ball, probability simplex, nuclear-norm ball), finite-sum problems
 * (ℓ1-constrained logistic regression over a data set), and the Frank–Wolfe family with
 * stochastic and variance-reduced gradient estimators (SFW, SVRF, SPIDER-FW, Sarah-FW,
 * Saga-Sarah-FW), each counting its component-gradient evaluations exactly and holding its state
 * in the state tree. May import dopt.tensor, dopt.random, dopt.state and dopt.data; not train,
 * comm or cli.
 */
package dopt.fw;
