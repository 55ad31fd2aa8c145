#!/usr/bin/env bash
# Puchkin et al. 2024 (smoothed medians of means): clipped-SGD and clipped-SSTM fed the mean or the smoothed
# median of means of 15 gradient samples per step, on a synthetic rotated quadratic (d = 100, condition number 100)
# with symmetric alpha-stable noise (alpha = 1.5 and 1.2); 95th percentile over 30 seeds (10 per --seeds).
# Output: benchmarks/results/heavy-tail-mom-<date>/ (report.md, final-loss.csv, p95-*.png).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
day=$(date -u +%F)
./dopt experiment run heavy-tail-mom --seeds "${SEEDS:-3}" --output "benchmarks/results/heavy-tail-mom-$day"
