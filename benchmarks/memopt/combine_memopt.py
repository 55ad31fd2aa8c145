#!/usr/bin/env python3
"""Combines the MEMOPT LM sweeps (jobs/sweeps/memopt-lm-3seeds.json, memopt-lm-frugal-rho0.json) into one
table: validation loss and perplexity (mean ± std over seeds), optimizer-state bytes per rank, tokens/s,
next to the unigram baseline. Usage: combine_memopt.py OUT_DIR SWEEP_DIR...
The loading and table functions are also used by memopt_tuned.py (per-optimizer tuned learning rates)."""
import json, math, os, statistics, sys

ORDER = ["adamw", "frugal rho=0.25", "frugal rho=0", "galore", "badam"]
UNITS = {"B": 1, "KiB": 1024, "MiB": 1024 ** 2, "GiB": 1024 ** 3}


def method(opt):
    """The method's name as in the tables: FRUGAL carries its rho."""
    return opt["name"] + (" rho=%g" % opt.get("rho", 0.25) if opt["name"] == "frugal" else "")


def load(sweeps):
    """Every finished point of the sweep folders: (list of dicts, unigram baseline loss or None)."""
    runs, unigram = [], None
    for sweep in sweeps:
        pts = os.path.join(sweep, "points")
        if not os.path.isdir(pts):
            print("combine_memopt: no points in %s, skipped" % sweep, file=sys.stderr)
            continue
        for p in sorted(os.listdir(pts)):
            sfile = os.path.join(pts, p, "summary.json")
            if not os.path.exists(os.path.join(pts, p, "_SUCCESS")) or not os.path.exists(sfile):
                continue
            job = json.load(open(os.path.join(pts, p, "job.json")))
            s = json.load(open(sfile))
            o = job["optimizer"]
            tokens = job["data"]["batch_size"] * job["data"]["seq_len"] * s["ranks"]
            runs.append(dict(name=method(o), lr=o["lr"], seed=job["seed"], loss=s["test_loss"],
                             state=float(s["optimizer_state_bytes_per_rank"]), tps=s["steps_per_second"] * tokens,
                             steps=job["steps"], point=os.path.join(os.path.basename(sweep.rstrip("/")), p)))
            unigram = s.get("unigram_baseline_loss", unigram)
    return runs, unigram


def order_key(name):
    return ORDER.index(name) if name in ORDER else 99


def summarise(runs):
    """Rows (name, n, mean, std, perplexity, state MiB, median tokens/s, seeds), one per method, in ORDER."""
    by = {}
    for r in runs:
        by.setdefault(r["name"], []).append(r)
    rows = []
    for name in sorted(by, key=order_key):
        r = by[name]
        losses = [x["loss"] for x in r]
        m = statistics.mean(losses)
        sd = statistics.stdev(losses) if len(losses) > 1 else 0.0
        rows.append((name, len(r), m, sd, math.exp(m), r[0]["state"] / 2 ** 20, statistics.median(x["tps"] for x in r),
                     sorted(x["seed"] for x in r)))
    return rows


def unigram_line(unigram):
    return ("Unigram baseline (validation cross-entropy under the training part's byte frequencies): %.4f nats, "
            "perplexity %.2f.\n" % (unigram, math.exp(unigram))) if unigram else ""


def main(out, sweeps):
    runs, unigram = load(sweeps)
    rows = summarise(runs)
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
            f.write("\n" + unigram_line(unigram))
    print("\n".join(md))
    print("ordering:", ranking)
    if unigram:
        print("unigram baseline %.4f" % unigram)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
