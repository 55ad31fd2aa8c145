"""PyTorch peer for benchmarks/optim-step.sh: one torch.optim.Adam step on 100 M fp32 parameters
(100 tensors of 1000 x 1000, the shapes of OptimStepBench) and STREAM's triad, at one thread count.

Adam (lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay) is timed twice: foreach=True
(torch._foreach_* kernels over the tensor list) and foreach=False (the per-tensor loop, torch
1.13's default on CPU). fused=True exists in the signature but has only a CUDA kernel in 1.13, so it
is not measured. Triad: torch.add(b, c, alpha=s, out=a) over three float tensors of 2^25 elements,
one pass, bandwidth = 12 bytes per element / time (STREAM's count).

    /usr/bin/python3 benchmarks/optim_torch.py THREADS [REPEATS]
Prints JSON: {"torch", "threads", "adam_foreach_ms": [...], "adam_loop_ms": [...], "triad_ms": [...]}.
"""
import gc, json, sys, time
import torch

MATRICES, ROWS, COLS, N_TRIAD = 100, 1000, 1000, 1 << 25


def timed(fn, repeats, warmup=1):
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def main(threads, repeats=5):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    out = {"torch": torch.__version__, "threads": threads}
    a, b, c = torch.empty(N_TRIAD), torch.rand(N_TRIAD), torch.rand(N_TRIAD)
    out["triad_ms"] = timed(lambda: torch.add(b, c, alpha=3.0, out=a), 2 * repeats, warmup=2)
    del a, b, c
    for key, foreach in (("adam_foreach_ms", True), ("adam_loop_ms", False)):
        params = [torch.nn.Parameter((torch.rand(ROWS, COLS) - 0.5) * 0.04) for _ in range(MATRICES)]
        for p in params:
            p.grad = (torch.rand(ROWS, COLS) - 0.5) * 0.01
        opt = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=foreach)
        out[key] = timed(opt.step, repeats, warmup=1)   # the first step allocates the moments
        del opt, params
        gc.collect()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(int(sys.argv[1]), *(int(v) for v in sys.argv[2:3]))
