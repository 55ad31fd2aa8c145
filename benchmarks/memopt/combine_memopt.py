#!/usr/bin/env python3
"""Combines the MEMOPT LM sweeps (jobs/sweeps/memopt-lm-3seeds.json, memopt-lm-frugal-rho0.json) into one
table: validation loss and perplexity (mean ± std over seeds), optimizer-state bytes per rank, tokens/s,
next to the unigram baseline. Usage: combine_memopt.py OUT_DIR SWEEP_DIR..."""
import json, math, os, statistics, sys, datetime, platform

out, sweeps = sys.argv[1], sys.argv[2:]
runs = {}
unigram = None
for sweep in sweeps:
    pts = os.path.join(sweep, "points")
    for p in sorted(os.listdir(pts)):
        job = json.load(open(os.path.join(pts, p, "job.json")))
        sfile = os.path.join(pts, p, "summary.json")
        if not os.path.exists(sfile):
            continue
        s = json.load(open(sfile))
        o = job["optimizer"]
        name = o["name"] + (" rho=%g" % o.get("rho", 0.25) if o["name"] == "frugal" else "")
        size, unit = s["optimizer state"].split()[:2]
        state = float(size) * {"B": 1, "KiB": 1024, "MiB": 1024 ** 2, "GiB": 1024 ** 3}[unit]
        tokens = job["data"]["batch_size"] * job["data"]["seq_len"] * s["ranks"]
        runs.setdefault(name, []).append(dict(seed=job["seed"], loss=s["test loss"], state=state,
                                              tps=s["steps_per_second"] * tokens, steps=job["steps"]))
        unigram = s.get("unigram_baseline_loss", unigram)

order = ["adamw", "frugal rho=0.25", "frugal rho=0", "galore", "badam"]
rows = []
for name in sorted(runs, key=lambda n: order.index(n) if n in order else 99):
    r = runs[name]
    losses = [x["loss"] for x in r]
    m = statistics.mean(losses)
    sd = statistics.stdev(losses) if len(losses) > 1 else 0.0
    rows.append((name, len(r), m, sd, math.exp(m), r[0]["state"] / 2 ** 20, statistics.median(x["tps"] for x in r),
                 sorted(x["seed"] for x in r)))
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "table.csv"), "w") as f:
    f.write("optimizer,seeds,val_loss_mean,val_loss_std,val_perplexity,optimizer_state_mib_per_rank,tokens_per_s_median\n")
    for r in rows:
        f.write("%s,%d,%.5f,%.5f,%.4f,%.3f,%.1f\n" % r[:7])
md = ["| optimizer | seeds | validation loss (mean ± std) | perplexity | optimizer state / rank | tokens/s (median) |",
      "|---|---|---|---|---|---|"]
for r in rows:
    md.append("| %s | %s | %.4f ± %.4f | %.3f | %.2f MiB | %.0f |" % (r[0], ",".join(map(str, r[7])), r[2], r[3], r[4], r[5], r[6]))
ranking = " < ".join("%s (%.4f)" % (r[0], r[2]) for r in sorted(rows, key=lambda r: r[2]))
with open(os.path.join(out, "table.md"), "w") as f:
    f.write("\n".join(md) + "\n\nOrdering by mean validation loss: " + ranking + "\n")
    if unigram:
        f.write("\nUnigram baseline (validation cross-entropy under the training part's byte frequencies): %.4f nats, "
                "perplexity %.2f.\n" % (unigram, math.exp(unigram)))
print("\n".join(md))
print("ordering:", ranking)
if unigram:
    print("unigram baseline %.4f" % unigram)
