"""PyTorch peer for benchmarks/engine.sh: the same matmuls and the same MLP training step.

Run with Debian's interpreter (/usr/bin/python3; python3-torch imports only there), once per
thread count, with OPENBLAS_NUM_THREADS and OMP_NUM_THREADS set to it: Debian's torch does its
matmuls in the system BLAS (OpenBLAS, which engine.sh installs), whose thread count is fixed when it
loads. Prints JSON: {"matmul": {"<n>/<threads>": ms}, "mlp_step": {"<threads>": ms}, "torch": version}.
"""
import gzip, json, sys, time
import numpy as np
import torch


def timeit(fn, min_seconds=1.0, warmup=5):
    for _ in range(warmup):
        fn()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < min_seconds:
        fn()
        n += 1
    return (time.perf_counter() - t0) / n * 1e3


def mnist_slice(repo, batch):
    d = repo + "/java/resources/data/mnist-slice/"
    with gzip.open(d + "train-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read()[16:], dtype=np.uint8)[: batch * 784].astype(np.float32) / 255
    with gzip.open(d + "train-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read()[8:], dtype=np.uint8)[:batch].astype(np.int64)
    return torch.from_numpy(x.reshape(batch, 784).copy()), torch.from_numpy(y.copy())


def main(repo, threads):
    out = {"torch": torch.__version__, "matmul": {}, "mlp_step": {}}
    for threads in (threads,):
        torch.set_num_threads(threads)
        for n in (512, 1024, 2048):
            a, b = torch.randn(n, n), torch.randn(n, n)
            c = torch.empty(n, n)
            out["matmul"][f"{n}/{threads}"] = timeit(lambda: torch.matmul(a, b, out=c))
        torch.manual_seed(1)
        model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512),
                                    torch.nn.ReLU(), torch.nn.Linear(512, 10))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        x, y = mnist_slice(repo, 128)
        loss_fn = torch.nn.CrossEntropyLoss()

        def step():
            opt.zero_grad(set_to_none=False)
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()

        out["mlp_step"][str(threads)] = timeit(step, min_seconds=2.0)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
