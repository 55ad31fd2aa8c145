#!/usr/bin/env bash
# Chezhegov et al. 2024 (Clip-RAdaGradD), LM fine-tuning part: measures the tail of the mini-batch gradient noise
# (Hill estimator on 400 noise norms vs a Gaussian with the same covariance, per-coordinate kurtosis) of a tiny
# byte-level LM pre-trained on SOTU 1790-1998, then fine-tunes all its weights on SOTU 1999-2021 (batch 1 x 64 bytes,
# 400 steps) with AdaGrad, AdaGradD, Clip-RAdaGradD, Adam and clipped Adam; step size per method from a 3-point
# half-decade grid by the median over 3 tuning seeds; reports median / 95th percentile / max of the final validation
# loss over 40 seeds (10 per --seeds). About 15 minutes with SEEDS=4 when the 2 cores are not contended, up to ~50 when they are.
# Output: benchmarks/results/heavy-tail-lm-<date>/ (report.md, final-loss.csv, tuning-grid.csv, seeds.csv,
# noise-*.csv, *.png; the pre-trained weights pretrained-*.h5 are a cache, not committed).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
./dopt setup --data sotu >/dev/null
day=$(date -u +%F)
./dopt experiment run heavy-tail-lm --seeds "${SEEDS:-4}" --output "benchmarks/results/heavy-tail-lm-$day"
