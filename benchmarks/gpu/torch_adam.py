#!/usr/bin/env python3
"""torch.optim.Adam(fused=True) on one flat parameter of N floats: the peer of dopt's fused Adam step
(GpuAdamBench). Same protocol: 3 warm-up steps, then ITERS timed steps, synchronised at both ends;
also the device-to-device bandwidth of torch's own copy (Tensor.copy_) for reference.

Usage: torch_adam.py OUT.json [ITERS] [N1,N2,...]
"""
import json
import sys
import time

import torch


def seconds(fn, iters):
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(iters):
        fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / iters


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "gpu-adam-torch.json"
    iters = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    sizes = [int(float(s)) for s in (sys.argv[3] if len(sys.argv) > 3 else "1e8,5e8,1e9").split(",")]
    dev = torch.device("cuda")
    a = torch.ones(1 << 28, device=dev)
    b = torch.empty_like(a)
    for _ in range(3):
        b.copy_(a)
    copy_s = seconds(lambda: b.copy_(a), 10)
    copy_gbps = 2 * 4 * a.numel() / copy_s / 1e9
    del a, b
    runs = []
    for n in sizes:
        p = torch.nn.Parameter(torch.full((n,), 0.5, device=dev))
        p.grad = torch.full((n,), 1e-3, device=dev)
        opt = torch.optim.Adam([p], lr=1e-3, betas=(0.9, 0.999), eps=1e-8, fused=True)
        for _ in range(3):
            opt.step()
        s = seconds(opt.step, iters)
        runs.append({"n": n, "ms_per_step": s * 1e3, "gbps": 28 * n / s / 1e9})
        print(f"torch fused Adam N={n}: {s * 1e3:.3f} ms/step, {28 * n / s / 1e9:.1f} GB/s", flush=True)
        del opt, p
        torch.cuda.empty_cache()
    with open(out, "w") as f:
        json.dump({"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "copy_gbps": copy_gbps,
                   "iters": iters, "runs": runs}, f, indent=1)


if __name__ == "__main__":
    main()
