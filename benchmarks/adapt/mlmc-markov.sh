#!/usr/bin/env bash
# Reproduces benchmarks/results/mlmc-markov-<date>/ (report.md, CSV tables, PNG plots): 3 seeds, in process.
# B5 (Beznosikov et al. 2023): error vs mixing time tau, MLMC randomized batch vs batch-1 consecutive samples, synthetic problems.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
./dopt experiment run mlmc-markov --seeds 3 "$@"
