#!/usr/bin/env python3
"""Joins GpuAdamBench's and torch_adam.py's JSON into one report (Markdown + JSON).

Usage: report.py JAVA.json TORCH.json OUT_DIR
"""
import json
import os
import sys


def main():
    java = json.load(open(sys.argv[1]))
    torch = json.load(open(sys.argv[2])) if os.path.exists(sys.argv[2]) else None
    out = sys.argv[3]
    os.makedirs(out, exist_ok=True)
    tr = {r["n"]: r for r in (torch["runs"] if torch else [])}
    rows = []
    for r in java["runs"]:
        t = tr.get(r["n"])
        rows.append({"n": r["n"], "dopt_ms": r["ms_per_step"], "dopt_gbps": r["gbps"], "floor_ms": r["floor_ms"],
                     "dopt_over_floor": r["ms_per_step"] / r["floor_ms"],
                     "torch_ms": t["ms_per_step"] if t else None,
                     "dopt_over_torch": r["ms_per_step"] / t["ms_per_step"] if t else None})
    summary = {"device": java["device"], "copy_gbps_dopt_kernel": java["copy_gbps"],
               "copy_gbps_torch": torch["copy_gbps"] if torch else None, "torch": torch["torch"] if torch else None,
               "iters": java["iters"], "bytes_per_param": 28, "rows": rows}
    json.dump(summary, open(os.path.join(out, "gpu-adam.json"), "w"), indent=1)
    torch_copy = f" (torch copy_: {torch['copy_gbps']:.1f} GB/s)" if torch else ""
    lines = [f"# Fused Adam step on {java['device']}", "",
             f"HBM floor = 28 bytes/parameter (read x, g, m, v; write x, m, v) / the bandwidth of dopt's copy kernel "
             f"in the same run: {java['copy_gbps']:.1f} GB/s{torch_copy}.", "",
             f"{java['iters']} timed steps after 3 warm-up steps per size; torch {torch['torch'] if torch else 'not run'}.", "",
             "| params | dopt ms/step | dopt GB/s | HBM floor ms | dopt / floor | torch fused ms/step | dopt / torch |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        t = f"{r['torch_ms']:.3f}" if r["torch_ms"] is not None else "-"
        q = f"{r['dopt_over_torch']:.2f}" if r["dopt_over_torch"] is not None else "-"
        lines.append(f"| {r['n']:,} | {r['dopt_ms']:.3f} | {r['dopt_gbps']:.0f} | {r['floor_ms']:.3f} | "
                     f"{r['dopt_over_floor']:.2f} | {t} | {q} |")
    open(os.path.join(out, "gpu-adam.md"), "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
