#!/usr/bin/env bash
# Reproduces benchmarks/results/sgld-posterior-<date>/ (report.md, CSV tables, PNG plots): 3 seeds, in process.
# B6 (Ustimenko & Beznosikov 2024): SGLD as an Ito chain on the Bayesian linear-regression posterior of heart-scale, W2 vs step size.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
./dopt setup --data heart-scale >/dev/null
./dopt experiment run sgld-posterior --seeds 3 "$@"
