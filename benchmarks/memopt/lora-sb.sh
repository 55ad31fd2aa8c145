#!/usr/bin/env bash
# LoRA-SB vs LoRA, LoRA-XS and full fine-tuning (Ponkshe et al. 2024): the tiny LLaMA-style byte LM
# pre-trained on the State of the Union addresses 1790-1998, fine-tuned on those of 1999-2021;
# learning rate chosen per method on a grid, 3 seeds. Single-threaded, about 7 minutes of CPU.
# Report, tables (CSV) and plots in benchmarks/results/lora-sb-<date>/; the pre-trained weights
# are cached there (pretrained-*.h5) and reused by a rerun.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
./dopt setup --data sotu >/dev/null   # also builds target/dopt.jar
# as ./dopt experiment run, plus the Vector API (SIMD products) the results were produced with
java --add-modules=jdk.incubator.vector -Ddopt.home="$repo" -jar target/dopt.jar experiment run lora-sb --seeds 3 \
  --output "benchmarks/results/lora-sb-$(date -u +%F)" "$@"
