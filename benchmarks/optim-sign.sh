#!/usr/bin/env bash
# The sign kernel (tensor.Sign) and Optimizer.step's fused learning-rate-and-add against the code they
# replaced, old and new side by side in each JMH run (OptimSignBench): the signSGD pass alone, FRUGAL's
# step (blocks, rho 0.25 + signSGD) and Adam's step, on MATRICES x 1000 x 1000 fp32 (default 20 = 20 M
# parameters). ROUNDS runs with the Vector API module (default 3; the ratios are taken within each
# run), then one run without it (Sign's scalar fallback). Prints the table of old/new ratios and
# writes benchmarks/results/optim-step-<date>-sign.json. Each row: median over JMH's iterations.
#   benchmarks/optim-sign.sh
# Environment: ROUNDS, MATRICES; JMH_CP: run org.openjdk.jmh.Main from this class path instead of
# building and using benchmarks/jmh/target/benchmarks.jar (e.g. benchmarks compiled against target/classes).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
. benchmarks/peer.sh
rounds=${ROUNDS:-3}; matrices=${MATRICES:-20}
if [ -z "${JMH_CP:-}" ]; then build_jmh; launcher=(-jar benchmarks/jmh/target/benchmarks.jar); else launcher=(-cp "$JMH_CP" org.openjdk.jmh.Main); fi
out=benchmarks/results; mkdir -p "$out"
day=$(date -u +%F)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run() { # name, JVM flags, benchmark regex
  java -XX:+UseParallelGC "${launcher[@]}" "$3" -p matrices="$matrices" -f 1 -wi 2 -i 6 -w 1s -r 1s \
    -jvmArgs "-Xmx4g $2" -rf json -rff "$tmp/$1.json" 2>&1 | grep -E '^OptimSignBench' || true
}
for r in $(seq 1 "$rounds"); do
  echo "optim-sign: round $r/$rounds (Vector API)" >&2
  run "simd-$r" "-XX:+UseParallelGC --add-modules=jdk.incubator.vector" 'dopt.bench.OptimSignBench'
done
echo "optim-sign: without the Vector API module (scalar fallback)" >&2
run scalar "-XX:+UseParallelGC" 'dopt.bench.OptimSignBench.(sign|signBefore|frugal|frugalBefore)$'
/usr/bin/python3 - "$tmp" "$out/optim-step-$day-sign.json" "$matrices" <<'PY'
import glob, json, os, statistics, sys
tmp, dst, matrices = sys.argv[1], sys.argv[2], int(sys.argv[3])
runs = {}
for f in sorted(glob.glob(f"{tmp}/*.json")):
    name = os.path.basename(f)[:-5]
    runs[name] = {}
    for r in json.load(open(f)):
        raw = [x for it in r["primaryMetric"]["rawData"] for x in it]
        # the median iteration: a burst of load on this shared machine moves one iteration, not the result
        runs[name][r["benchmark"].rsplit(".", 1)[1]] = {"ms": statistics.median(raw), "mean_ms": r["primaryMetric"]["score"],
                                                        "range_ms": [min(raw), max(raw)], "raw": raw}
load = open("/proc/loadavg").read().split()[:3]
json.dump({"matrices": matrices, "params": matrices * 10**6, "load_average_at_end": load, "runs": runs}, open(dst, "w"), indent=1)
print(f"{matrices} M parameters; load average at the end {' '.join(load)}")
print("| run | pass | old ms (median; range) | new ms (median; range) | old / new |\n|---|---|---|---|---|")
for name, rs in runs.items():
    for new in ("sign", "frugal", "adam"):
        if new in rs and new + "Before" in rs:
            o, n = rs[new + "Before"], rs[new]
            print(f"| {name} | {new} | {o['ms']:.1f} ({o['range_ms'][0]:.1f}–{o['range_ms'][1]:.1f}) | "
                  f"{n['ms']:.1f} ({n['range_ms'][0]:.1f}–{n['range_ms'][1]:.1f}) | {o['ms'] / n['ms']:.2f} |")
PY
