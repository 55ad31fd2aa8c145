#!/usr/bin/env bash
# Choudhury et al. 2024 (KATE), network part: KATE (eta = 1e-3, eps = 1e-3) vs Adam vs AdaGrad on MNIST
# (MLP 784-256-10, 1 epoch of batch 128) and SpamAssassin (byte n-gram classifier, first 512 bytes, 400 steps
# of batch 32); each method's learning rate picked from a 4-point grid by the mean final test loss over seeds,
# the grid extended past a winning edge by up to two half-decades (EdgeExtendedGrid).
# About 6 minutes of one core with 3 seeds (7 on 2026-12-07, with two extension points, on a loaded 2-core machine). Runs java directly with the Vector API module: without it
# (as ./dopt experiment runs today) the MLP's GEMMs fall back to the scalar loop and take several times longer.
# Output: benchmarks/results/kate-classification-<date>/ (report.md, final.csv, grid.csv, accuracy-*.png).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
day=$(date -u +%F)
./dopt setup --data all >/dev/null
mvn -B -q -o package -DskipTests
java --add-modules=jdk.incubator.vector -XX:+UseParallelGC -jar target/dopt.jar experiment run kate-classification \
    --seeds "${SEEDS:-3}" --output "benchmarks/results/kate-classification-$day" "$@"
