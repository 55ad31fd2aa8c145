#!/usr/bin/env bash
# KATE's claim (Choudhury et al. 2024): scale invariance on a GLM, and KATE vs AdaGrad vs Adam.
# Logistic (softmax) regression on UCI Spambase, standardized and with features rescaled by
# 10^U(-2,2), 3 seeds each; tables and loss plots in benchmarks/results/kate-<date>.md / *.png.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
./dopt setup --data spambase >/dev/null
day=$(date -u +%F)
runs=runs/kate-experiment
mkdir -p "$runs" benchmarks/results
report=benchmarks/results/kate-$day.md
# kate: the authors' GLM setting (b0^2 = eps = 1e-6, eta = 1/g1^2 per coordinate); kate0: eta = eps = 0,
# the exactly scale-invariant form, whose first step is sqrt(2)/g per coordinate
declare -A opt=(
  [kate]='{"name": "kate", "lr": 0.05, "eta": -1, "eps": 1e-6}'
  [kate0]='{"name": "kate", "lr": 0.05, "eta": 0, "eps": 0}'
  [adagrad]='{"name": "adagrad", "lr": 0.05, "eps": 0}'
  [adam]='{"name": "adam", "lr": 0.01}'
)
{
  echo "# KATE on Spambase — $day"
  echo
  echo "Softmax regression (zero init), batch 64, 400 steps, 1 rank; 'rescaled' multiplies each standardized feature by 10^u, u ~ U(-2, 2)."
  echo "Test accuracy from each run's summary; loss = mean training loss over the last 50 steps."
  echo
  echo "| optimizer | data | seed | final loss (last 50) | test accuracy |"
  echo "|---|---|---|---|---|"
} >"$report"
for o in kate kate0 adagrad adam; do
  for d in spambase-standardized spambase-rescaled; do
    for seed in 1 2 3; do
      name="$o-$d-$seed"
      sed -e "s/\"name\": \"kate-spambase\"/\"name\": \"$name\"/" -e "s/\"spambase-rescaled\"/\"$d\"/" \
          -e "s/\"seed\": 1/\"seed\": $seed/" -e "s#\"optimizer\": {[^}]*}#\"optimizer\": ${opt[$o]}#" \
          -e "s#runs/kate-spambase#$runs/$name#" jobs/adapt/kate-spambase.json >"$runs/$name.json"
      ./dopt run "$runs/$name.json" --np 1 >"$runs/$name.log" 2>&1 || echo "run $name failed (see $runs/$name.log)" >&2
      acc=$(/usr/bin/python3 -c "import json,sys; print('%.2f %%' % (100 * json.load(open(sys.argv[1]))['test_accuracy']))" "$runs/$name/summary.json" 2>/dev/null || echo failed)
      loss=$(/usr/bin/python3 -c "import h5py,sys; l=h5py.File(sys.argv[1],'r')['trace/global_loss'][:,0]; print('%.4f' % l[-50:].mean())" "$runs/$name/trace.h5" 2>/dev/null || echo failed)
      echo "| $o | $d | $seed | $loss | $acc |" >>"$report"
    done
  done
done
./dopt compare --title "Spambase, seed 1: solid = standardized, rescaled features" --out "benchmarks/results/kate-$day.png" \
  "KATE=$runs/kate-spambase-standardized-1" "KATE rescaled=$runs/kate-spambase-rescaled-1" \
  "KATE eta=eps=0=$runs/kate0-spambase-standardized-1" "KATE eta=eps=0 rescaled=$runs/kate0-spambase-rescaled-1" \
  "AdaGrad=$runs/adagrad-spambase-standardized-1" "AdaGrad rescaled=$runs/adagrad-spambase-rescaled-1" \
  "Adam=$runs/adam-spambase-standardized-1" "Adam rescaled=$runs/adam-spambase-rescaled-1" >>"$report"
echo >>"$report"
echo "![loss curves](kate-$day.png)" >>"$report"
cat "$report"
