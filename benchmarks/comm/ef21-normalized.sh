#!/usr/bin/env bash
# methods.md C1: normalized EF21 vs EF21 vs EF14 with top-k (Khirirat et al. 2024, arXiv:2410.16871).
# Step-size sweeps over 3 seeds on a synthetic quartic (two starting distances), logistic regression
# on Spambase over 10 simulated clients and a small ResNet on 2,000 Fashion-MNIST images over 4
# clients, all in one process (~5 CPU minutes, single-threaded). Report, CSVs and PNGs in
# benchmarks/results/ef21-normalized-<date>/.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
./dopt setup --data spambase >/dev/null
./dopt setup --data fashion-mnist >/dev/null
./dopt experiment run ef21-normalized --seeds "${SEEDS:-3}" "$@"
