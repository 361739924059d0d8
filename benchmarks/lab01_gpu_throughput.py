"""Lab 1's GPU profile: training throughput of the exam's CNN through Lightning against raw PyTorch.

All rows run in one process on the same synthetic 256x256 batches; the ratios are what to compare.
    python benchmarks/lab01_gpu_throughput.py [--steps 150] [--batch 64] [--width 64]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import lightning as L
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, IterableDataset

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from labkit.training import make_trainer  # noqa: E402
from solutions.lab01_cnn.lab01_cnn import ExamCNN  # noqa: E402


def raw_pytorch(width: int, batch: int, size: int, steps: int, bf16: bool, channels_last: bool) -> float:
    model = ExamCNN(width=width).cuda()
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(batch, 1, size, size, device="cuda")
    y = torch.randint(0, 10, (batch,), device="cuda")
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)

    def step() -> None:
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=bf16):
            loss = F.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for _ in range(10):
        step()
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    torch.cuda.synchronize()
    return batch * steps / (time.perf_counter() - start)


class SameBatch(IterableDataset):
    def __init__(self, batch: int, size: int, n: int) -> None:
        self.x, self.y, self.n = torch.randn(batch, 1, size, size), torch.randint(0, 10, (batch,)), n

    def __iter__(self):
        for _ in range(self.n):
            yield self.x, self.y


class Clock(L.Callback):
    def __init__(self, warmup: int) -> None:
        self.warmup, self.start, self.end, self.count = warmup, 0.0, 0.0, 0

    def on_train_batch_end(self, trainer, module, outputs, batch, batch_idx) -> None:
        if batch_idx + 1 == self.warmup:
            torch.cuda.synchronize()
            self.start = time.perf_counter()
        elif batch_idx + 1 > self.warmup:
            self.count += 1
        torch.cuda.synchronize() if batch_idx + 1 == trainer.max_steps else None
        self.end = time.perf_counter()


def lightning(width: int, batch: int, size: int, steps: int, bf16: bool, channels_last: bool) -> float:
    model = ExamCNN(width=width, channels_last=channels_last)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    clock = Clock(warmup=10)
    loader = DataLoader(SameBatch(batch, size, steps + 10), batch_size=None, pin_memory=True)
    trainer = make_trainer("lab01_cnn", logger=False, max_steps=steps + 10, callbacks=[clock],
                           precision="bf16-mixed" if bf16 else "32-true", enable_progress_bar=False,
                           enable_model_summary=False, limit_val_batches=0)
    trainer.fit(model, train_dataloaders=loader)
    return batch * clock.count / (clock.end - clock.start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--size", type=int, default=256)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        sys.exit("needs a CUDA GPU")
    torch.backends.cudnn.benchmark = True
    print(f"{torch.cuda.get_device_name()}  torch {torch.__version__}  lightning {L.__version__}  "
          f"batch {args.batch}  {args.size}x{args.size}  width {args.width}  {args.steps} timed steps")
    rows = {}
    for name, runner, bf16, cl in [("raw fp32", raw_pytorch, False, False),
                                   ("raw bf16 + channels_last", raw_pytorch, True, True),
                                   ("lightning fp32", lightning, False, False),
                                   ("lightning bf16-mixed + channels_last", lightning, True, True)]:
        rows[name] = runner(args.width, args.batch, args.size, args.steps, bf16, cl)
        print(f"{name:<40} {rows[name]:8.0f} img/s", flush=True)
    print(f"lightning / raw, fp32:            {rows['lightning fp32'] / rows['raw fp32']:.3f}")
    print(f"lightning / raw, bf16 + NHWC:     "
          f"{rows['lightning bf16-mixed + channels_last'] / rows['raw bf16 + channels_last']:.3f}")
    print(f"GPU profile (lightning bf16+NHWC) / raw fp32: "
          f"{rows['lightning bf16-mixed + channels_last'] / rows['raw fp32']:.3f}")


if __name__ == "__main__":
    main()
