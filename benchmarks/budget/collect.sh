#!/bin/bash
# Copies a budget sweep's report into benchmarks/results: report.md, report.csv, tradeoff.csv, plots/, and per point
# the small files the report links to (job.json, job.log, summary.json, exit_code); checkpoints and traces stay behind.
# Paths inside the copied text are made relative to the checkout the sweep ran in (no machine's /work/... in the repo).
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
root=$(cd "$src" && git rev-parse --show-toplevel 2>/dev/null || true)
if [ -n "$root" ]; then
  find "$dst" -type f \( -name '*.json' -o -name '*.log' -o -name '*.md' -o -name '*.csv' \) ! -name README.md \
    -exec sed -i -e "s#$root/##g" -e "s#$root#.#g" {} +
fi
echo "collected $(ls "$dst/points" | wc -l) points into $dst"
