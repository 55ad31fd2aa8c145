#!/usr/bin/env bash
# Engine benchmarks against PyTorch, measured in the same run on the same machine:
#   matmul GFLOP/s (512, 1024, 2048; 1 and 2 threads) and the MLP 784-512-512-10 training step
#   (batch 128, Adam) — dopt via JMH, PyTorch CPU via Debian's python3-torch.
# Writes benchmarks/results/engine-<date>.md (and the raw JSON beside it).
#   benchmarks/engine.sh [--quick]
# Then runs benchmarks/engine-lm.sh (the transformer LM training step, tokens/s vs PyTorch).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
quick=${1:-}
./dopt setup >/dev/null
. benchmarks/peer.sh
ensure_torch_peer
build_jmh
out=benchmarks/results
mkdir -p "$out"
day=$(date -u +%F)
jmh_args=(-f 1 -wi 3 -i 5 -w 1s -r 1s)
[ "$quick" = "--quick" ] && jmh_args=(-f 1 -wi 1 -i 2 -w 1s -r 1s)
java -XX:+UseParallelGC --add-modules=jdk.incubator.vector -jar benchmarks/jmh/target/benchmarks.jar \
  "${jmh_args[@]}" -rf json -rff "$out/engine-$day-jmh.json" 'dopt.bench.(MatmulBench|MlpStepBench)' 2>&1 | grep -v '^WARNING: Using incubator' | tail -15
for t in 1 2; do
  OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t /usr/bin/python3 benchmarks/engine_torch.py "$repo" $t >"$out/engine-$day-torch-$t.json"
done
/usr/bin/python3 -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:3]); [a[k].update(b[k]) for k in ("matmul","mlp_step")]; json.dump(a,open(sys.argv[3],"w"))' \
  "$out/engine-$day-torch-1.json" "$out/engine-$day-torch-2.json" "$out/engine-$day-torch.json"
rm -f "$out/engine-$day-torch-1.json" "$out/engine-$day-torch-2.json"
/usr/bin/python3 - "$out/engine-$day-jmh.json" "$out/engine-$day-torch.json" "$out/engine-$day.md" <<'PY'
import json, platform, subprocess, sys, datetime
jmh = json.load(open(sys.argv[1])); torch = json.load(open(sys.argv[2]))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
rows = []
for r in jmh:
    name = r["benchmark"].rsplit(".", 2)[-2]; p = r["params"]; ms = r["primaryMetric"]["score"]
    if name == "MatmulBench":
        n, t = int(p["n"]), p["threads"]; peer = torch["matmul"][f"{n}/{t}"]
        gf, pgf = 2 * n ** 3 / ms / 1e6, 2 * n ** 3 / peer / 1e6
        rows.append((f"matmul {n}x{n}x{n}", t, f"{gf:.1f} GFLOP/s", f"{pgf:.1f} GFLOP/s", gf / pgf))
    else:
        t = p["threads"]; peer = torch["mlp_step"][t]
        rows.append(("MLP 784-512-512-10 step, batch 128, Adam", t, f"{1e3 / ms:.1f} steps/s", f"{1e3 / peer:.1f} steps/s", peer / ms))
with open(sys.argv[3], "w") as f:
    f.write(f"# Engine benchmarks vs PyTorch CPU — {datetime.date.today()}\n\n")
    f.write(f"Machine: {cpu}, {cores} cores; {java}; PyTorch {torch['torch']} (Debian python3-torch). ")
    f.write("Both measured in the same run of `benchmarks/engine.sh`; dopt via JMH (average time), PyTorch via a timed loop.\n\n")
    f.write("| benchmark | threads | dopt | PyTorch | dopt / PyTorch |\n|---|---|---|---|---|\n")
    for r in rows:
        f.write(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]:.2f} |\n")
print(open(sys.argv[3]).read())
PY
benchmarks/engine-lm.sh $quick
