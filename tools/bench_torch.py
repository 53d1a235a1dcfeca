"""PyTorch reference for tools/bench.ts: one epoch of the lecture's digit network, same data, same shapes.

Usage: /usr/bin/python3 tools/bench_torch.py DATA.bin THREADS REPEATS [SIZES]
DATA.bin: uint32 n, n x 256 float32 pixels, n uint8 labels (little-endian), written by tools/bench.ts.
Prints one JSON line: {"threads": t, "epoch_ms": [ms per epoch, ...], "loss": last epoch's mean loss, "torch": version}.
"""
import json
import sys
import time

import numpy as np
import torch


def main():
    path, threads, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    sizes = [int(s) for s in (sys.argv[4] if len(sys.argv) > 4 else "256,500,500,10").split(",")]
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    raw = open(path, "rb").read()
    n = int(np.frombuffer(raw, dtype="<u4", count=1)[0])
    x = torch.from_numpy(np.frombuffer(raw, dtype="<f4", count=n * 256, offset=4).reshape(n, 256).copy())
    y = torch.from_numpy(np.frombuffer(raw, dtype=np.uint8, count=n, offset=4 + n * 256 * 4).astype(np.int64))
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
        return total / (n // batch)

    epoch()  # warm-up
    times = []
    loss = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        loss = epoch()
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"threads": threads, "epoch_ms": times, "loss": loss, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
