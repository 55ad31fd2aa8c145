#!/usr/bin/env bash
# Choudhury et al. 2024 (KATE), network part: KATE (eta = 1e-3, eps = 1e-3) vs Adam vs AdaGrad on MNIST
# (MLP 784-256-10, 1 epoch of batch 128) and SpamAssassin (byte n-gram classifier, first 512 bytes, 400 steps
# of batch 32); each method's learning rate picked from a 4-point grid by the mean final test loss over seeds.
# About 8 minutes of one core with 3 seeds. Needs the data sets: ./dopt setup --data all.
# Output: benchmarks/results/kate-classification-<date>/ (report.md, final.csv, grid.csv, accuracy-*.png).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
day=$(date -u +%F)
./dopt experiment run kate-classification --seeds "${SEEDS:-3}" --output "benchmarks/results/kate-classification-$day"
