#!/usr/bin/env bash
# MEMOPT headline experiment: AdamW, FRUGAL (rho 0.25 and 0), GaLore and BAdam pre-training the 1M LLaMA-style LM on
# SOTU on 2 data-parallel ranks, same token budget and schedule, 3 seeds. Runs both sweeps here (--local; on a
# cluster use ./dopt sweep submit), then the sweep reports (plots) and one combined table.
#   benchmarks/memopt/memopt-lm.sh [OUT]     (default benchmarks/results/memopt-lm-3seeds-<date>)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$repo/benchmarks/results/memopt-lm-3seeds-$(date +%F)}
cd "$repo"
./dopt setup --data sotu
for s in memopt-lm-3seeds memopt-lm-frugal-rho0; do
  ./dopt sweep run "jobs/sweeps/$s.json" --local
  ./dopt sweep report "runs/sweeps/$s" > /dev/null
  mkdir -p "$out/$s"
  cp -r "runs/sweeps/$s/report.md" "runs/sweeps/$s/report.csv" "runs/sweeps/$s/plots" "$out/$s/"
done
python3 benchmarks/memopt/combine_memopt.py "$out" runs/sweeps/memopt-lm-3seeds runs/sweeps/memopt-lm-frugal-rho0
