/**
 * Low-rank adapters for fine-tuning a trained model with its weights frozen: LoRA (Hu et al.
 * 2021), LoRA-XS (Bałazy et al. 2024) and LoRA-SB (Ponkshe et al. 2024), and the wrappers that put
 * them around a {@link dopt.nn.TokenModel} or {@link dopt.nn.Model} without changing the model.
 * Imports dopt.nn, dopt.tensor, dopt.random and EJML (for the truncated SVD).
 */
package dopt.nn.adapter;
