#!/usr/bin/env python3
"""Validation loss per named variant of a sweep, mean and sd over the other axes (seeds), as Markdown.

usage: benchmarks/budget/variants_table.py SWEEP_FOLDER AXIS
Reads points.json (the index) and each point's summary.json; a point without a summary counts as missing.
"""
import json
import statistics
import sys
from pathlib import Path

folder, axis = Path(sys.argv[1]), sys.argv[2]
index = json.loads((folder / "points.json").read_text())
rows = {}
for p in index["points"]:
    label = p["values"][axis]
    s = folder / "points" / p["id"] / "summary.json"
    rows.setdefault(label, {"loss": [], "missing": 0, "state": None})
    if s.exists():
        d = json.loads(s.read_text())
        rows[label]["loss"].append(d["test_loss"])
        rows[label]["state"] = d["optimizer_state_bytes_per_rank"]
    else:
        rows[label]["missing"] += 1
print(f"| {axis} | runs | validation loss (mean ± sd) | per run | optimizer state / rank |")
print("|---|---:|---|---|---:|")
for label, r in rows.items():
    v = r["loss"]
    mean = f"{statistics.mean(v):.4f}" + (f" ± {statistics.stdev(v):.4f}" if len(v) > 1 else "") if v else "—"
    state = f"{r['state'] / 2**20:.2f} MiB" if r["state"] else "—"
    print(f"| {label} | {len(v)}{' (' + str(r['missing']) + ' missing)' if r['missing'] else ''} | {mean} | "
          f"{' / '.join(f'{x:.4f}' for x in v)} | {state} |")
