#!/bin/bash
# Copies a budget sweep's report into benchmarks/results: report.md, report.csv, tradeoff.csv, plots/, and per point
# the small files the report links to (job.json, job.log, summary.json, exit_code); checkpoints and traces stay behind.
# usage: benchmarks/budget/collect.sh SWEEP_FOLDER RESULT_FOLDER
set -euo pipefail
src=$1 dst=$2
mkdir -p "$dst/plots" "$dst/points"
cp "$src"/report.md "$src"/report.csv "$src"/points.json "$dst/"
[ -f "$src/tradeoff.csv" ] && cp "$src/tradeoff.csv" "$dst/"
cp "$src"/plots/*.png "$dst/plots/"
for p in "$src"/points/p*; do
  id=$(basename "$p")
  mkdir -p "$dst/points/$id"
  for f in job.json job.log summary.json exit_code; do [ -f "$p/$f" ] && cp "$p/$f" "$dst/points/$id/"; done
done
echo "collected $(ls "$dst/points" | wc -l) points into $dst"
