"""PyTorch reference for tools/bench.ts: the same epoch (and matrix products) in PyTorch, on request.

Usage: /usr/bin/python3 tools/bench_torch.py DATA.bin [THREADS]
       /usr/bin/python3 tools/bench_torch.py --check   (exits 0 where numpy and PyTorch import)
DATA.bin: uint32 n, then n x 256 float32 pixels, then n uint8 labels (little-endian), written by tools/bench.ts.
THREADS: torch.set_num_threads(THREADS). For a true single thread the caller must also set
OPENBLAS_NUM_THREADS=1 and OMP_NUM_THREADS=1 in the environment: Debian's PyTorch multiplies through the
system OpenBLAS, whose own thread pool ignores torch.set_num_threads (measured: 2 cores busy otherwise).
Reads commands on stdin, one per line, and answers each with one JSON line on stdout, so that tools/bench.ts
can alternate PyTorch and tfjs runs (fair when the machine's load changes):
  epoch     -> {"ms": ..., "cpu_ms": ..., "loss": ...}  one epoch of 256-500-500-10 sigmoid, SGD lr 0.5, batch 100
                                                       (cpu_ms: CPU time of the process, all threads)
  matmul N K -> {"ms": ...}                             K float32 N x N products back to back after one
                                                        untimed: ms per product
  quit
"""
import json
import os
import sys
import time

import numpy as np
import torch


def main():
    if sys.argv[1:] == ["--check"]:
        return  # the imports above succeeded: bench.ts may start this file
    raw = open(sys.argv[1], "rb").read()
    if len(sys.argv) > 2:
        torch.set_num_threads(int(sys.argv[2]))
    n = int(np.frombuffer(raw, dtype="<u4", count=1)[0])
    x = torch.from_numpy(np.frombuffer(raw, dtype="<f4", count=n * 256, offset=4).reshape(n, 256).copy())
    y = torch.from_numpy(np.frombuffer(raw, dtype=np.uint8, count=n, offset=4 + n * 256 * 4).astype(np.int64))
    torch.manual_seed(0)
    sizes = [256, 500, 500, 10]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    loss_fn = torch.nn.CrossEntropyLoss()
    batch = 100

    def epoch():
        perm = torch.randperm(n)
        total = 0.0
        for start in range(0, n, batch):
            idx = perm[start:start + batch]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item()
        return total / ((n + batch - 1) // batch)

    hello = {
        "ready": True,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
    }
    print(json.dumps(hello), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        if words[0] == "epoch":
            t0, c0 = time.perf_counter(), time.process_time()
            loss = epoch()
            ms, cpu = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
            print(json.dumps({"ms": ms, "cpu_ms": cpu, "loss": loss}), flush=True)
        elif words[0] == "matmul":
            size, count = int(words[1]), int(words[2]) if len(words) > 2 else 1
            a, b = torch.rand(size, size), torch.rand(size, size)
            if count > 1:
                torch.mm(a, b)  # not timed: wakes the BLAS's worker threads, as bench_engines.ts's tfMatmul does
            t0 = time.perf_counter()
            for _ in range(count):
                torch.mm(a, b)
            print(json.dumps({"ms": (time.perf_counter() - t0) * 1000 / count}), flush=True)
        else:
            print(json.dumps({"error": f"unknown command {line.strip()}"}), flush=True)


if __name__ == "__main__":
    main()
