/**
 * Training loops: synchronous data-parallel training with checkpoints, traces, progress and the
 * end-of-run summary. Imports comm, data, io, job, nn, optim, state, tensor, random.
 */
package dopt.train;
