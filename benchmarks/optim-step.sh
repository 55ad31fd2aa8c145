#!/usr/bin/env bash
# One optimizer step on 100 M fp32 parameters (100 matrices 1000 x 1000), dopt vs torch.optim.Adam
# on CPU at 1 and 2 threads, against the memory-bandwidth floor measured in the same run:
#   floor = bytes one Adam step must move (read p, g, m, v; write p, m, v: 7 x 4 bytes per parameter)
#           / STREAM-triad bandwidth (the better of dopt's Java triad and torch.add(b, c, alpha, out=a))
# dopt via JMH (Adam's full step, its direction pass alone, FRUGAL blocks rho 0.25 + signSGD) and a
# Java triad; PyTorch: Adam foreach=True and foreach=False, torch triad. Rounds of [dopt, PyTorch]
# back to back, medians over all repeats of all rounds (the machine may be shared).
# Writes benchmarks/results/optim-step-<date>.{json,md}.
#   benchmarks/optim-step.sh [--quick]      (--quick: one round, fewer repeats)
# Environment: ROUNDS (default 2). Needs about 2.5 GB of free memory per side (not both at once).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
. benchmarks/peer.sh
rounds=${ROUNDS:-2}; iters=3; repeats=3
[ "${1:-}" = "--quick" ] && { rounds=1; iters=2; repeats=2; }
./dopt setup >/dev/null
ensure_torch_peer
build_jmh
out=benchmarks/results; mkdir -p "$out"
day=$(date -u +%F)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
jvm="-Xmx6g -XX:+UseParallelGC --add-modules=jdk.incubator.vector"
java $jvm -cp benchmarks/jmh/target/benchmarks.jar dopt.bench.OptimStateBytes 2>/dev/null >"$tmp/state.json"
for r in $(seq 1 "$rounds"); do
  echo "optim-step: round $r/$rounds: dopt (JMH)" >&2
  jmh -f 1 -wi 1 -i $iters -w 2s -r 2s -jvmArgs "$jvm" -rf json -rff "$tmp/jmh-$r.json" 'dopt.bench.(OptimStepBench|TriadBench)' \
    | grep -E '^(OptimStepBench|TriadBench)' || true
  for t in 1 2; do
    echo "optim-step: round $r/$rounds: PyTorch, $t thread(s)" >&2
    OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t /usr/bin/python3 benchmarks/optim_torch.py $t $repeats >"$tmp/torch-$r-$t.json"
  done
done
/usr/bin/python3 - "$tmp" "$out/optim-step-$day" "$rounds" <<'PY'
import glob, json, statistics, subprocess, sys, datetime, os
tmp, base, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
state = json.load(open(f"{tmp}/state.json"))
n = state["params"]
ours, triad_java, peer, torch_version = {}, {}, {}, "?"
for f in sorted(glob.glob(f"{tmp}/jmh-*.json")):
    for r in json.load(open(f)):
        t = int(r["params"]["threads"]); xs = [x for it in r["primaryMetric"]["rawData"] for x in it]
        if r["benchmark"].endswith("TriadBench.triad"): triad_java.setdefault(t, []).extend(xs)
        else: ours.setdefault((r["params"]["rule"], t), []).extend(xs)
for f in sorted(glob.glob(f"{tmp}/torch-*.json")):
    d = json.load(open(f)); torch_version = d["torch"]; t = d["threads"]
    for k in ("triad_ms", "adam_foreach_ms", "adam_loop_ms"): peer.setdefault((k, t), []).extend(d[k])
med = statistics.median
N_TRIAD = 1 << 25
ADAM_BYTES = 7 * 4 * n
# FRUGAL (blocks, rho 0.25): a quarter of the parameters under Adam (28 B each), the rest under signSGD
# (read g and p, write p: 12 B each); its optimizer state is a quarter of Adam's
FRUGAL_BYTES = 28 * n // 4 + 12 * (n - n // 4)
rows, bw = [], {}
for t in (1, 2):
    gj = 12 * N_TRIAD / med(triad_java[t]) / 1e6; gt = 12 * N_TRIAD / med(peer[("triad_ms", t)]) / 1e6
    bw[t] = {"java_triad_GBps": gj, "torch_triad_GBps": gt, "floor_GBps": max(gj, gt)}
    floor_ms = ADAM_BYTES / bw[t]["floor_GBps"] / 1e6
    bw[t]["adam_floor_ms"] = floor_ms
    torch_best = min(med(peer[("adam_foreach_ms", t)]), med(peer[("adam_loop_ms", t)]))
    def row(name, xs, nominal):
        ms = med(xs)
        return {"threads": t, "step": name, "ms": ms, "range_ms": [min(xs), max(xs)], "samples": len(xs),
                "nominal_bytes": nominal, "effective_GBps": nominal / ms / 1e6,
                "ratio_to_floor": ms / (nominal / bw[t]["floor_GBps"] / 1e6), "torch_best_over_this": torch_best / ms}
    rows.append(row("dopt Adam, full step (Optimizer.step: ScaleByAdam, lr scale, x += u)", ours[("adam", t)], ADAM_BYTES))
    rows.append(row("dopt Adam direction pass alone (ScaleByAdam/AdamKernel: read g m v, write m v g)", ours[("adam-direction", t)], 6 * 4 * n))
    rows.append(row("dopt FRUGAL blocks rho 0.25 + signSGD, full step", ours[("frugal", t)], FRUGAL_BYTES))
    rows.append(row("torch.optim.Adam foreach=True", peer[("adam_foreach_ms", t)], ADAM_BYTES))
    rows.append(row("torch.optim.Adam foreach=False (for-loop, 1.13's default)", peer[("adam_loop_ms", t)], ADAM_BYTES))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
load = open("/proc/loadavg").read().split()[:3]
result = {"date": str(datetime.date.today()), "machine": f"{cpu}, {os.cpu_count()} cores", "java": java, "torch": torch_version,
          "load_average_at_end": load, "rounds": rounds, "params": n, "adam_bytes_per_step": ADAM_BYTES,
          "frugal_min_bytes_per_step": FRUGAL_BYTES, "bandwidth": bw, "state_bytes": state, "rows": rows}
json.dump(result, open(base + ".json", "w"), indent=1)
with open(base + ".md", "w") as f:
    f.write(f"# Optimizer step on 100 M fp32 parameters vs torch.optim.Adam and the bandwidth floor — {result['date']}\n\n")
    f.write(f"Machine: {result['machine']}; {java}; PyTorch {torch_version} (Debian python3-torch). Load average at the end "
            f"of the run: {' '.join(load)} — the machine was shared with other jobs, so absolute numbers are noisy; both sides ran "
            f"back to back in {rounds} interleaved round(s) of `benchmarks/optim-step.sh`, medians over all repeats.\n\n")
    f.write(f"Parameters: 100 matrices of 1000 x 1000 = {n:,} fp32. One Adam step must move 7 x 4 B per parameter "
            f"(read p, g, m, v; write p, m, v) = {ADAM_BYTES / 1e9:.2f} GB. Bandwidth: STREAM triad a = b + s*c over 3 x 2^25 "
            "floats (12 B per element), in Java (JMH, TriadBench) and torch (torch.add(b, c, alpha=s, out=a)); the floor uses "
            "the better of the two.\n\n")
    f.write("| threads | Java triad GB/s | torch triad GB/s | Adam floor ms |\n|---|---|---|---|\n")
    for t in (1, 2):
        b = bw[t]; f.write(f"| {t} | {b['java_triad_GBps']:.1f} | {b['torch_triad_GBps']:.1f} | {b['adam_floor_ms']:.0f} |\n")
    f.write("\n'GB/s effective' = the bytes the step must move (Adam 28 B/param; the direction pass alone 24 B/param; FRUGAL "
            "28 B for the Adam quarter + 12 B for the signSGD rest) / time; 'x floor' = time / (those bytes / triad bandwidth); "
            "'torch / this' = the faster torch variant's time / this time (> 1: this is faster).\n\n")
    f.write("| threads | step | ms (median; range) | GB/s effective | x floor | torch / this |\n|---|---|---|---|---|---|\n")
    for r in rows:
        f.write(f"| {r['threads']} | {r['step']} | {r['ms']:.0f} ({r['range_ms'][0]:.0f}–{r['range_ms'][1]:.0f}) | "
                f"{r['effective_GBps']:.1f} | {r['ratio_to_floor']:.2f} | {r['torch_best_over_this']:.2f} |\n")
    f.write(f"\nOptimizer state: Adam {state['adam'] / 1e6:.1f} MB (m and v), FRUGAL {state['frugal'] / 1e6:.1f} MB "
            f"({state['frugal'] / state['adam']:.3f} of Adam's; 25 of the 100 matrices have Adam slots).\n\n")
    f.write("Threads: dopt's optimizer rules run on the calling thread whatever `Dense.setThreads` says (it only splits "
            "matrix products), so dopt's 2-thread rows measure the same single-threaded code; torch's element-wise "
            "kernels use torch.set_num_threads(t) OpenMP threads. torch.optim.Adam(fused=True) has only a CUDA kernel in "
            "1.13 and is not measured.\n")
print(open(base + ".md").read())
PY
