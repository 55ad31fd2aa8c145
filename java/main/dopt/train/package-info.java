/**
 * Training loops: synchronous data-parallel training with checkpoints, traces, progress and the
 * end-of-run summary; fine-tuning from a checkpoint, through adapters (FineTuning). Imports comm,
 * data, io, job, nn (and nn.adapter), optim, state, tensor, random.
 */
package dopt.train;
