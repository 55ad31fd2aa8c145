#!/usr/bin/env bash
# Chezhegov et al. 2024 (Clip-RAdaGradD): AdaGrad, AdaGrad with delay (coordinate and norm), Clip-RAdaGradD,
# Adam and clipped Adam under Student-t (nu = 2) and symmetric alpha-stable (alpha = 1.5) gradient noise, on a
# synthetic rotated quadratic (d = 100, condition number 100) and on logistic regression over spambase-standardized.
# Step sizes tuned by median final loss; reports the median and 95th percentile over 30 seeds (10 per --seeds).
# Output: benchmarks/results/heavy-tail-clipping-<date>/ (report.md, final-loss.csv, p95-*.png).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
./dopt setup --data spambase >/dev/null
day=$(date -u +%F)
./dopt experiment run heavy-tail-clipping --seeds "${SEEDS:-3}" --output "benchmarks/results/heavy-tail-clipping-$day"
