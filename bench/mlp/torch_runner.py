"""PyTorch beside the engine (bench/engine.ts): the same MLP workload in a Python process of its own.

    python3 bench/mlp/torch_runner.py IMPL --workload=FILE --warmup-steps=256 --warmup-calls=4 --batches=32,1 --lr=0.01

IMPL is torch-f64-1, torch-f64-all, torch-f32-1 or torch-f32-all (dtype; one thread or every core).
FILE is written by bench/mlp/torch.ts: int32 count, inputs, hidden, outputs, then float64 x, y (one-hot),
w1 (hidden × inputs, row-major), b1, w2, b2 — the engine's data and initial weights, bit for bit.
Protocol as bench/mlp/worker.ts: per batch size a fresh model from those weights, a warm-up of
warmup-steps steps in warmup-calls calls over the first samples, then one timed epoch over all samples
in dataset order. torch.nn.Linear → ReLU → Linear, F.cross_entropy (softmax + categorical cross-entropy,
mean over the batch: the engine's avg = bank / count), torch.optim.SGD. Prints one RESULT {json} line
per batch size.
"""
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def options(args):
    return dict(a[2:].split("=", 1) for a in args if a.startswith("--") and "=" in a)


def load(path):
    data = open(path, "rb").read()
    count, inputs, hidden, outputs = struct.unpack_from("<4i", data, 0)
    offset = 16

    def take(n, shape):
        nonlocal offset
        a = np.frombuffer(data, dtype="<f8", count=n, offset=offset).reshape(shape)
        offset += 8 * n
        return torch.from_numpy(a.copy())

    x = take(count * inputs, (count, inputs))
    y = take(count * outputs, (count, outputs))
    w1 = take(hidden * inputs, (hidden, inputs))
    b1 = take(hidden, (hidden,))
    w2 = take(outputs * hidden, (outputs, hidden))
    b2 = take(outputs, (outputs,))
    return count, x, y, (w1, b1, w2, b2)


def main(argv):
    impl = argv[0]
    if impl not in ("torch-f64-1", "torch-f64-all", "torch-f32-1", "torch-f32-all"):
        raise SystemExit(f"torch_runner: unknown implementation '{impl}'")
    o = options(argv[1:])
    dtype = torch.float64 if "-f64-" in impl else torch.float32
    threads = 1 if impl.endswith("-1") else (os.cpu_count() or 1)
    torch.set_num_threads(threads)
    count, x, y, init = load(o["workload"])
    x = x.to(dtype)
    labels = y.argmax(dim=1)
    warmup_steps = int(o["warmup-steps"])
    warmup_calls = int(o["warmup-calls"])
    lr = float(o["lr"])
    label = f"PyTorch {torch.__version__} ({'float64' if dtype == torch.float64 else 'float32'}, {threads} thread{'' if threads == 1 else 's'})"
    for batch in [int(b) for b in o["batches"].split(",")]:
        model = torch.nn.Sequential(torch.nn.Linear(x.shape[1], init[0].shape[0]), torch.nn.ReLU(), torch.nn.Linear(init[0].shape[0], init[2].shape[0])).to(dtype)
        with torch.no_grad():
            for p, v in zip([model[0].weight, model[0].bias, model[2].weight, model[2].bias], init):
                p.copy_(v.to(dtype))
        opt = torch.optim.SGD(model.parameters(), lr=lr)

        def epoch(n):
            total = torch.zeros((), dtype=dtype)
            for s in range(0, n, batch):
                xb = x[s : s + batch]
                opt.zero_grad(set_to_none=True)
                loss = F.cross_entropy(model(xb), labels[s : s + batch])
                loss.backward()
                opt.step()
                total += loss.detach() * xb.shape[0]
            return total.item() / n

        warm = min(count, (warmup_steps // warmup_calls) * batch)
        for _ in range(warmup_calls):
            epoch(warm)
        wall0, cpu0 = time.perf_counter(), time.process_time()
        loss = epoch(count)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        result = {"impl": impl, "label": label, "batchSize": batch, "rate": count / wall, "cpuRate": count / cpu, "cpuShare": cpu / wall, "loss": loss}
        sys.stdout.write("RESULT " + json.dumps(result) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
