/**
 * Optimizers as composable gradient transformations (optax style): base rules, clipping,
 * schedules, and the memory-efficient families built from them. Imports dopt.tensor and dopt.state.
 */
package dopt.optim;
