#!/usr/bin/env bash
# Compressed data-parallel training on 2 ranks (NP=4 for 4; MPJ multicore): the MNIST MLP 784-512-512-10 with
# dense all-reduce, TopK 1 % and 10 % (EF14), scaled sign (EF14), QSGD s=16, natural dithering s=8
# (both unbiased, no error feedback) and PowerSGD rank 4 (EF14): same job, steps and seed for all.
# Collects bytes per step and time per step (trace.h5), test accuracy (summary.json) and each
# run's ratio to dense into benchmarks/results/compressed-training-<date>/{report.md,results.json}.
#
#   benchmarks/comm/compressed-training.sh [STEPS]   default 100 steps. LM=1 also runs the 1M
#                                                    transformer of jobs/sotu-lm.json on SOTU for
#                                                    LM_STEPS (default 30) steps into .../lm/;
#                                                    MLP=0 skips the MNIST set.
# The committed report.md ends with a discussion written by hand after the run; a rerun rewrites
# the tables only.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
steps=${1:-100}
lm_steps=${LM_STEPS:-30}
np=${NP:-2}
date=${DATE:-$(date -u +%F)}
out="benchmarks/results/compressed-training-$date"
[ "$np" = 2 ] || out="benchmarks/results/compressed-training-np$np-$date"
work="benchmarks/out/compressed-training"
./dopt setup --data mnist >/dev/null
if [ "${LM:-0}" = 1 ]; then ./dopt setup --data sotu >/dev/null; fi
rm -rf "$work" && mkdir -p "$work/jobs" "$out"
machine="$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(java -version 2>&1 | head -1); run $date"

# name | comm section | error feedback
variants=(
  'dense|{}|none'
  'topk-1pct|{"compressor": "topk", "ratio": 0.01, "error_feedback": "ef14"}|ef14'
  'topk-10pct|{"compressor": "topk", "ratio": 0.10, "error_feedback": "ef14"}|ef14'
  'sign|{"compressor": "sign", "error_feedback": "ef14"}|ef14'
  'qsgd-s16|{"compressor": "qsgd", "levels": 16}|none'
  'natural-dithering-s8|{"compressor": "natural-dithering", "levels": 8}|none'
  'powersgd-r4|{"compressor": "powersgd", "rank": 4, "error_feedback": "ef14"}|ef14'
)

# run_set TAG DEST MODEL_DATA_OPTIMIZER STEPS NOTE: one dopt run per variant, then the report in DEST
run_set() {
  local tag=$1 dest=$2 base=$3 n=$4 note=$5 args=() v name comm ef job dir load start=$SECONDS
  for v in "${variants[@]}"; do
    IFS='|' read -r name comm ef <<<"$v"
    job="$work/jobs/$tag-$name.json"; dir="$work/$tag-$name"
    printf '{"name": "%s", %s, "steps": %d, "seed": 1, "eval_every": 0,\n "checkpoint": {"every": 0, "keep": 1}, "comm": %s}\n' \
      "$tag-$name" "$base" "$n" "$comm" >"$job"
    load=$(cut -d' ' -f1 /proc/loadavg)
    echo "== $tag $name (load average $load)"
    ./dopt run "$job" --np "$np" --dev multicore --output "$dir" | grep -E '^dopt:|test accuracy|validation perplexity|steps/s'
    args+=("$name" "$ef" "$job" "$dir" "$load")
  done
  mkdir -p "$dest/jobs" && cp "$work"/jobs/"$tag"-*.json "$dest/jobs/"
  java -cp target/dopt.jar dopt.bench.CompressedTrainingReport "$dest" "$machine" \
    "NP=$np MLP=${MLP:-1} LM=${LM:-0} LM_STEPS=$lm_steps benchmarks/comm/compressed-training.sh $steps" "$note The ${#variants[@]} runs took $(( (SECONDS - start) / 60 )) min $(( (SECONDS - start) % 60 )) s here." "${args[@]}"
}

mlp='"model": {"type": "mlp", "hidden": [512, 512]}, "data": {"dataset": "mnist", "sharding": "iid", "batch_size": 64},
 "optimizer": {"name": "sgd", "lr": 0.05, "momentum": 0.9, "schedule": "warmup_cosine", "warmup_steps": 20}'
[ "${MLP:-1}" = 0 ] || run_set mlp "$out" "$mlp" "$steps" \
  "Full MNIST (60 000 train / 10 000 test); $steps steps of $np × 64 examples (about $((steps * np * 64 * 100 / 60000)) % of an epoch), short to keep the script near 10 minutes; the machine is shared (load average in the last column), so times are noisy."
if [ "${LM:-0}" = 1 ]; then
  # jobs/sotu-lm.json with fewer steps
  lm='"model": {"type": "transformer", "preset": "1m"}, "data": {"dataset": "sotu", "batch_size": 8, "seq_len": 128},
 "optimizer": {"name": "adamw", "lr": 0.001, "weight_decay": 0.0, "schedule": "warmup_cosine", "warmup_steps": 10}'
  run_set lm "$out/lm" "$lm" "$lm_steps" "The 1M-parameter transformer of jobs/sotu-lm.json on SOTU (byte tokens), $lm_steps steps instead of 600."
fi
echo "wrote $out"
