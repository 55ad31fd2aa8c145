#!/usr/bin/env bash
# Semenov, Ivanov, Beznosikov, Gasnikov 2024 (Sparse-CBM): concept bottleneck layers trained with l1, contrastive
# and Gumbel-Softmax objectives, plus a linear probe, on Fashion-MNIST (60k train / 10k test). No CLIP here: the
# encoder is a frozen random ReLU projection (d = 512) and the 16 concepts a hand-written table (FashionConcepts).
# About 3-4 minutes single-threaded for 3 seeds.
# Output: benchmarks/results/sparse-cbm-<date>/ (report.md, results.csv, top-concepts.csv, verdict.csv, accuracy.png).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
day=$(date -u +%F)
./dopt experiment run sparse-cbm --seeds "${SEEDS:-3}" --output "benchmarks/results/sparse-cbm-${OUT_DATE:-$day}"
