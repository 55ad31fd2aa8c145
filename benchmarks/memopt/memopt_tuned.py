#!/usr/bin/env python3
"""MEMOPT with a tuned learning rate per optimizer (companion of combine_memopt.py, whose loading it uses).

  memopt_tuned.py extend SWEEP_FILE GRID_DIR...     where a method's best seed-1 lr sits at the edge of the lrs
                                                    tried, write a sweep of the next half-decade past it (once:
                                                    nothing when that lr was already tried); no file if none
  memopt_tuned.py refine SWEEP_FILE GRID_DIR...     a sweep of the quarter-decades either side of each method's
                                                    pick (seed 1), those not tried yet
  memopt_tuned.py tuned SWEEP_FILE SEEDS DIR... [--missing]  the sweep of every method at its pick, seeds e.g.
                                                    2,3 (--missing: only methods with a seed not yet run at the pick)
  memopt_tuned.py report OUT TUNED_DIR GRID_DIR...  grid.csv/grid.md (seed-1 validation loss per lr), picks,
                                                    table.csv/table.md (the pick's seed 1 from the grid plus the
                                                    tuned sweep's seeds: mean ± std, perplexity, state, tokens/s)

The pick is the lr with the lowest seed-1 validation loss; it is marked as 'edge' when it is the smallest or
largest lr tried for that method. Sweeps are built on jobs/memopt-lm-base.json with 300 steps, like the grid."""
import json, math, os, sys
from combine_memopt import load, summarise, order_key, unigram_line

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BASE = "jobs/memopt-lm-base.json"
STEPS = 300
HALF_DECADE = 10 ** 0.5


def grid(dirs):
    """{method: {lr: seed-1 loss}} over the grid folders."""
    runs, _ = load(dirs)
    g = {}
    for r in runs:
        if r["seed"] == 1:
            g.setdefault(r["name"], {})[r["lr"]] = r["loss"]
    return g


def picks(g):
    """{method: (best lr, its loss, 'low edge'|'high edge'|'')}."""
    out = {}
    for name, by_lr in g.items():
        lr = min(by_lr, key=by_lr.get)
        lrs = sorted(by_lr)
        edge = "low edge" if lr == lrs[0] and len(lrs) > 1 else "high edge" if lr == lrs[-1] and len(lrs) > 1 else ""
        out[name] = (lr, by_lr[lr], edge)
    return out


# each method's own settings on top of the base's AdamW section (a job refuses fields its optimizer does not read)
METHOD_FIELDS = {"adamw": {}, "frugal": {"rho": 0.25, "projector": "blocks", "update_gap": 50},
                 "galore": {"rank": 32, "update_gap": 50, "scale": 1.0}, "badam": {"switch_every": 50}}


def optimizer(name, lr):
    o = json.load(open(os.path.join(REPO, BASE)))["optimizer"]
    o["name"] = name.split()[0]
    o.update(METHOD_FIELDS[o["name"]])
    if name.startswith("frugal") and "rho=" in name:
        o["rho"] = float(name.split("rho=")[1])
    o["lr"] = lr
    return o


def write_sweep(path, sweep_name, seeds, opts):
    sweep = {"name": sweep_name, "base": BASE,
             "axes": {"optimizer": opts, "seed": seeds, "steps": [STEPS]}, "np": 2, "dev": "multicore"}
    with open(path, "w") as f:
        json.dump(sweep, f, indent=2)
        f.write("\n")


def sig(x):
    return float("%.3g" % x)


def extend(sweep_file, dirs):
    g = grid(dirs)
    opts = []
    for name, (lr, loss, edge) in sorted(picks(g).items(), key=lambda kv: order_key(kv[0])):
        if not edge:
            continue
        nxt = sig(lr / HALF_DECADE if edge == "low edge" else lr * HALF_DECADE)
        if any(math.isclose(nxt, t, rel_tol=0.05) for t in g[name]):
            continue
        print("extend %s: best %.3g at the %s, adding %.3g" % (name, lr, edge, nxt))
        opts.append(optimizer(name, nxt))
    if opts:
        write_sweep(sweep_file, os.path.splitext(os.path.basename(sweep_file))[0], [1], opts)
    elif os.path.exists(sweep_file):
        os.remove(sweep_file)


def refine(sweep_file, dirs):
    g = grid(dirs)
    opts = []
    for name, (lr, loss, edge) in sorted(picks(g).items(), key=lambda kv: order_key(kv[0])):
        for nxt in (sig(lr / 10 ** 0.25), sig(lr * 10 ** 0.25)):
            if not any(math.isclose(nxt, t, rel_tol=0.05) for t in g[name]):
                print("refine %s: pick %.3g, adding %.3g" % (name, lr, nxt))
                opts.append(optimizer(name, nxt))
    if opts:
        write_sweep(sweep_file, os.path.splitext(os.path.basename(sweep_file))[0], [1], opts)
    elif os.path.exists(sweep_file):
        os.remove(sweep_file)


def tuned(sweep_file, seeds, dirs):
    missing = "--missing" in dirs
    dirs = [d for d in dirs if d != "--missing"]
    p = picks(grid(dirs))
    seeds = [int(s) for s in seeds.split(",")]
    done = {(r["name"], r["seed"]) for r in load(dirs)[0] if r["name"] in p and math.isclose(r["lr"], p[r["name"]][0])}
    names = [n for n in sorted(p, key=order_key) if not missing or any((n, s) not in done for s in seeds)]
    opts = [optimizer(n, p[n][0]) for n in names]
    if not opts:
        print("every method has seeds %s at its pick" % seeds)
        return
    write_sweep(sweep_file, os.path.splitext(os.path.basename(sweep_file))[0], seeds, opts)
    for n in names:
        print("pick %s: lr %.3g (seed-1 validation loss %.4f)%s" % (n, p[n][0], p[n][1], " at the " + p[n][2] if p[n][2] else ""))


def report(out, tuned_dir, dirs):
    os.makedirs(out, exist_ok=True)
    g = grid(dirs)
    p = picks(g)
    names = sorted(g, key=order_key)
    lrs = sorted({lr for n in names for lr in g[n]})
    with open(os.path.join(out, "grid.csv"), "w") as f:
        f.write("optimizer,lr,seed,val_loss,picked\n")
        for n in names:
            for lr in sorted(g[n]):
                f.write("%s,%g,1,%.5f,%d\n" % (n, lr, g[n][lr], lr == p[n][0]))
    md = ["| optimizer | " + " | ".join("lr %.3g" % lr for lr in lrs) + " | pick |",
          "|---|" + "---:|" * len(lrs) + "---|"]
    for n in names:
        cells = [("**%.4f**" if lr == p[n][0] else "%.4f") % g[n][lr] if lr in g[n] else "—" for lr in lrs]
        md.append("| %s | %s | %.3g%s |" % (n, " | ".join(cells), p[n][0], " (" + p[n][2] + ")" if p[n][2] else ""))
    grid_md = "\n".join(md)
    # final: the pick's seed-1 grid point plus the tuned sweep's seeds
    runs, unigram = load(dirs + ([tuned_dir] if tuned_dir and os.path.isdir(tuned_dir) else []))
    chosen = [r for r in runs if r["name"] in p and math.isclose(r["lr"], p[r["name"]][0], rel_tol=1e-9)]
    seen, final = set(), []
    for r in chosen:  # a seed counted once
        if (r["name"], r["seed"]) not in seen:
            seen.add((r["name"], r["seed"]))
            final.append(r)
    rows = summarise(final)
    with open(os.path.join(out, "table.csv"), "w") as f:
        f.write("optimizer,lr,lr_edge,seeds,val_loss_mean,val_loss_std,val_perplexity,optimizer_state_mib_per_rank,"
                "tokens_per_s_median,per_seed\n")
        for r in rows:
            per = " ".join("%d:%.5f" % (x["seed"], x["loss"]) for x in sorted(final, key=lambda x: x["seed"]) if x["name"] == r[0])
            f.write("%s,%g,%s,%s,%.5f,%.5f,%.4f,%.3f,%.1f,%s\n" % (r[0], p[r[0]][0], p[r[0]][2] or "no",
                    " ".join(map(str, r[7])), r[2], r[3], r[4], r[5], r[6], per))
    md = ["| optimizer | lr (pick) | seeds | validation loss (mean ± std) | per seed | perplexity | optimizer state / rank | tokens/s (median) |",
          "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        per = " / ".join("%.3f" % x["loss"] for x in sorted(final, key=lambda x: x["seed"]) if x["name"] == r[0])
        md.append("| %s | %.3g%s | %s | %.4f ± %.4f | %s | %.3f | %.2f MiB | %.0f |" % (
            r[0], p[r[0]][0], " (" + p[r[0]][2] + ")" if p[r[0]][2] else "", ",".join(map(str, r[7])), r[2], r[3], per,
            r[4], r[5], r[6]))
    ranking = " < ".join("%s (%.4f)" % (r[0], r[2]) for r in sorted(rows, key=lambda r: r[2]))
    text = ("## Learning-rate grid (seed 1, validation loss; bold = pick)\n\n" + grid_md +
            "\n\n## At the picked learning rates\n\n" + "\n".join(md) + "\n\nOrdering by mean validation loss: " + ranking +
            "\n\n" + unigram_line(unigram))
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "extend":
        extend(args[0], args[1:])
    elif cmd == "refine":
        refine(args[0], args[1:])
    elif cmd == "tuned":
        tuned(args[0], args[1], args[2:])
    elif cmd == "report":
        report(args[0], args[1], args[2:])
    else:
        sys.exit(__doc__)
