#!/usr/bin/env bash
# Transformer LM training step (forward + backward + AdamW) in tokens/s, dopt vs PyTorch CPU, at 1 and
# 2 threads, measured in the same run: rounds of [dopt via JMH, then PyTorch] back to back, medians
# over all repeats of all rounds (the machine may be shared; interleaving spreads the noise over both).
# Same architecture on both sides (benchmarks/lm_torch.py mirrors TransformerLm; the parameter lists
# are compared name by name and the run stops if they differ), batch 8 x 128 tokens.
# Writes benchmarks/results/engine-lm-<date>.{json,md}.
#   benchmarks/engine-lm.sh [--quick] [--profile]     (--quick: preset 1m only, one round)
# Environment: PRESETS (default "1m 20m"), ROUNDS (default 2).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
. benchmarks/peer.sh
quick=0; profile=0
for a in "$@"; do
  case "$a" in --quick) quick=1 ;; --profile) profile=1 ;; *) echo "usage: $0 [--quick] [--profile]" >&2; exit 2 ;; esac
done
presets=${PRESETS:-"1m 20m"}; rounds=${ROUNDS:-2}
[ $quick = 1 ] && { presets=1m; rounds=1; }
./dopt setup >/dev/null
ensure_torch_peer
build_jmh
out=benchmarks/results; mkdir -p "$out"
day=$(date -u +%F)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
plist=$(echo $presets | tr ' ' ,)
java --add-modules=jdk.incubator.vector -cp benchmarks/jmh/target/benchmarks.jar dopt.bench.LmParamList $presets 2>/dev/null >"$tmp/dopt-params.json"
for r in $(seq 1 "$rounds"); do
  echo "engine-lm: round $r/$rounds: dopt (JMH)" >&2
  jmh -f 1 -wi 1 -i 3 -w 3s -r 3s -jvmArgs "-Xmx6g -XX:+UseParallelGC --add-modules=jdk.incubator.vector" \
    -p preset="$plist" -rf json -rff "$tmp/jmh-$r.json" 'dopt.bench.LmTrainStepBench' | grep -E '^LmTrainStepBench' || true
  for p in $presets; do
    for t in 1 2; do
      echo "engine-lm: round $r/$rounds: PyTorch $p, $t thread(s)" >&2
      OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t /usr/bin/python3 benchmarks/lm_torch.py "$p" "$t" 8 128 3 >"$tmp/torch-$r-$p-$t.json"
    done
  done
done
if [ $profile = 1 ]; then
  echo "engine-lm: profiling dopt's 1m step, 1 thread (JMH stack sampler)" >&2
  jmh -f 1 -wi 1 -i 3 -w 3s -r 3s -p preset=1m -p threads=1 -prof 'stack:lines=1;top=12;detailLine=false' 'dopt.bench.LmTrainStepBench' \
    | sed -n '/Thread state: RUNNABLE/,/Thread state: TIMED_WAITING/p' | grep -v '^$' | head -40 >"$tmp/profile.txt"
fi
/usr/bin/python3 - "$tmp" "$out/engine-lm-$day" "$rounds" <<'PY'
import glob, json, statistics, subprocess, sys, datetime, os
tmp, base, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
dparams = json.load(open(f"{tmp}/dopt-params.json"))
ours, peer, counts, torch_version = {}, {}, {}, "?"
for f in sorted(glob.glob(f"{tmp}/jmh-*.json")):
    for r in json.load(open(f)):
        key = (r["params"]["preset"], int(r["params"]["threads"]))
        ours.setdefault(key, []).extend(x for it in r["primaryMetric"]["rawData"] for x in it)
for f in sorted(glob.glob(f"{tmp}/torch-*.json")):
    d = json.load(open(f)); torch_version = d["torch"]
    key = (d["preset"], d["threads"]); peer.setdefault(key, []).extend(d["ms"])
    mine = dparams[d["preset"]]
    if {k: list(v) for k, v in mine["params"].items()} != d["params"]:
        sys.exit(f"engine-lm: parameter lists differ for {d['preset']}: dopt {mine['params']} vs torch {d['params']}")
    counts[d["preset"]] = (mine["count"], d["param_count"])
tokens = 8 * 128
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
cores = os.cpu_count()
java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
load = open("/proc/loadavg").read().split()[:3]
rows = []
for key in sorted(ours, key=lambda k: (k[0] != "1m", k[1])):
    if key not in peer: continue
    mo, mp = statistics.median(ours[key]), statistics.median(peer[key])
    rows.append({"preset": key[0], "threads": key[1], "dopt_ms": mo, "torch_ms": mp,
                 "dopt_tokens_per_s": tokens / mo * 1e3, "torch_tokens_per_s": tokens / mp * 1e3, "ratio": mp / mo,
                 "dopt_samples": len(ours[key]), "torch_samples": len(peer[key]),
                 "dopt_ms_range": [min(ours[key]), max(ours[key])], "torch_ms_range": [min(peer[key]), max(peer[key])]})
result = {"date": str(datetime.date.today()), "machine": f"{cpu}, {cores} cores", "java": java, "torch": torch_version,
          "load_average_at_end": load, "batch": 8, "seq_len": 128, "tokens_per_step": tokens, "rounds": rounds,
          "param_counts": {p: {"dopt": c[0], "torch": c[1]} for p, c in counts.items()}, "rows": rows}
prof = f"{tmp}/profile.txt"
if os.path.exists(prof): result["profile_1m_1thread"] = open(prof).read()
json.dump(result, open(base + ".json", "w"), indent=1)
with open(base + ".md", "w") as f:
    f.write(f"# Transformer LM training step vs PyTorch CPU — {result['date']}\n\n")
    f.write(f"Machine: {result['machine']}; {java}; PyTorch {torch_version} (Debian python3-torch, OpenBLAS). "
            f"Load average at the end of the run: {' '.join(load)} — the machine was shared with other jobs, so absolute "
            "numbers are noisy; the ratio is what this run measures, both sides timed back to back in "
            f"{rounds} interleaved round(s) of `benchmarks/engine-lm.sh`, medians over all repeats.\n\n")
    f.write("Step: forward + mean cross-entropy + backward + AdamW (lr 1e-3, wd 1e-2; torch.optim.AdamW foreach=True), "
            "batch 8 x 128 tokens = 1024 tokens/step. Same LLaMA-style architecture on both sides "
            "(benchmarks/lm_torch.py mirrors TransformerLm; parameter names and shapes compared one by one):\n\n")
    for p, c in counts.items():
        f.write(f"- preset {p}: dopt {c[0]:,} parameters, PyTorch {c[1]:,} ({'equal' if c[0] == c[1] else 'DIFFERENT'})\n")
    f.write("\n| preset | threads | dopt tokens/s | PyTorch tokens/s | dopt / PyTorch | dopt ms/step (range) | PyTorch ms/step (range) |\n|---|---|---|---|---|---|---|\n")
    for r in rows:
        f.write(f"| {r['preset']} | {r['threads']} | {r['dopt_tokens_per_s']:.0f} | {r['torch_tokens_per_s']:.0f} | {r['ratio']:.2f} | "
                f"{r['dopt_ms']:.0f} ({r['dopt_ms_range'][0]:.0f}–{r['dopt_ms_range'][1]:.0f}) | "
                f"{r['torch_ms']:.0f} ({r['torch_ms_range'][0]:.0f}–{r['torch_ms_range'][1]:.0f}) |\n")
    f.write("\nThreads: dopt's `Dense.setThreads(t)` splits the output rows of every matrix product over a ForkJoinPool "
            "of t workers; attention (per batch x head), RMSNorm, SwiGLU, softmax/cross-entropy and the optimizer run on "
            "the calling thread. PyTorch: torch.set_num_threads(t) and OPENBLAS_NUM_THREADS=t.\n")
    if "profile_1m_1thread" in result:
        f.write("\n## Where dopt's step spends its time (preset 1m, 1 thread, JMH stack sampler, top frames)\n\n```\n"
                + result["profile_1m_1thread"] + "```\n")
print(open(base + ".md").read())
PY
