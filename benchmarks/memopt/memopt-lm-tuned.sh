#!/usr/bin/env bash
# MEMOPT with a tuned learning rate per optimizer: AdamW, FRUGAL (rho 0.25 and 0), GaLore and BAdam pre-training the 1M
# LLaMA-style LM on SOTU on 2 ranks, 300 steps, everything else as jobs/memopt-lm-base.json (and memopt-lm.sh).
#   1. jobs/sweeps/memopt-lm-lr-grid.json (and memopt-lm-lr-grid-frugal-rho0.json): seed 1, lr 6.32e-4 / 2e-3 /
#      6.32e-3 (half-decades around the old shared lr);
#      where a method's best lr is at an edge, one more half-decade past it (generated memopt-lm-lr-grid-ext.json);
#      then the quarter-decades either side of each method's best (generated memopt-lm-lr-grid-fine.json);
#   2. pick per method the lr with the lowest seed-1 validation loss over all of these; jobs/sweeps/memopt-lm-tuned.json
#      (written here, seeds 2 and 3 at the picks) runs the other seeds;
#   3. sweep reports (plots) and memopt_tuned.py's grid table, picks and 3-seed table into OUT.
# Runs the points here (--local); on a cluster submit the same sweep files with ./dopt sweep submit, stage by stage.
#   benchmarks/memopt/memopt-lm-tuned.sh [OUT]     (default benchmarks/results/memopt-lm-tuned-<date>)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$repo/benchmarks/results/memopt-lm-tuned-$(date +%F)}
py="python3 $repo/benchmarks/memopt/memopt_tuned.py"
cd "$repo"
./dopt setup --data sotu
grid=runs/sweeps/memopt-lm-lr-grid
ext=runs/sweeps/memopt-lm-lr-grid-ext
fine=runs/sweeps/memopt-lm-lr-grid-fine
tuned=runs/sweeps/memopt-lm-tuned
rho0=runs/sweeps/memopt-lm-lr-grid-frugal-rho0
./dopt sweep run jobs/sweeps/memopt-lm-lr-grid.json --local || true   # a failed point shows in the report
./dopt sweep run jobs/sweeps/memopt-lm-lr-grid-frugal-rho0.json --local || true
dirs="$grid $rho0"
$py extend "$ext.json" $dirs
if [ -f "$ext.json" ]; then
  ./dopt sweep run "$ext.json" --local || true
  dirs="$dirs $ext"
fi
$py refine "$fine.json" $dirs
if [ -f "$fine.json" ]; then
  ./dopt sweep run "$fine.json" --local || true
  dirs="$dirs $fine"
fi
$py tuned jobs/sweeps/memopt-lm-tuned.json 2,3 $dirs
./dopt sweep run jobs/sweeps/memopt-lm-tuned.json --local || true
mkdir -p "$out"
for d in $dirs $tuned; do
  s=$(basename "$d")
  ./dopt sweep report "$d" > /dev/null
  mkdir -p "$out/$s"
  cp -r "$d/report.md" "$d/report.csv" "$d/plots" "$out/$s/"
done
for f in "$ext.json" "$fine.json"; do if [ -f "$f" ]; then cp "$f" "$out/"; fi; done
cp jobs/sweeps/memopt-lm-tuned.json "$out/"
$py report "$out" $tuned $dirs
