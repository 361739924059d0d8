"""Lab 7's GPU profile: WGAN-GP iterations (5 critic steps + 1 generator step) of the WGAN-GP paper's toy networks
(3 hidden layers of 512 ReLU units) through Lightning, against a plain PyTorch loop at batch 256.

All rows run in one process; the ratios are what to compare: samples per second against the plain loop at the paper's
batch of 256, and Lightning against the plain loop at the same batch. At batch 256 the iteration is bound by kernel
launches, so the lab's GPU profile gains by batch size (samples per second) and by the fused Adam.
    python benchmarks/lab07_gpu_throughput.py [--iters 200] [--device cuda]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import warnings
from pathlib import Path

import lightning as L
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from labkit.training import make_trainer  # noqa: E402
from solutions.lab07_gans import lab07_gans as lab  # noqa: E402

LAYERS, CRITIC_STEPS = 3, 5


def sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def raw_pytorch(batch: int, hidden: int, iters: int, warmup: int, device: str) -> float:
    """Generator iterations per second of the textbook loop: data drawn on the CPU and copied every critic step."""
    generator, critic = lab.mlp(2, hidden, 2, LAYERS).to(device), lab.mlp(2, hidden, 1, LAYERS).to(device)
    opt_g = torch.optim.Adam(generator.parameters(), lr=1e-4, betas=(0.5, 0.9))
    opt_c = torch.optim.Adam(critic.parameters(), lr=1e-4, betas=(0.5, 0.9))
    rng = torch.Generator().manual_seed(0)

    def iteration() -> None:
        for _ in range(CRITIC_STEPS):
            real = lab.ring_of_gaussians(batch, generator=rng)[0].to(device)
            fake = generator(torch.randn(batch, 2, device=device)).detach()
            eps = torch.rand(batch, 1, device=device)
            xhat = (eps * real + (1 - eps) * fake).requires_grad_(True)
            (grad,) = torch.autograd.grad(critic(xhat).sum(), xhat, create_graph=True)
            loss = critic(fake).mean() - critic(real).mean() + 10 * ((grad.norm(2, dim=1) - 1) ** 2).mean()
            opt_c.zero_grad(set_to_none=True)
            loss.backward()
            opt_c.step()
        loss_g = -critic(generator(torch.randn(batch, 2, device=device))).mean()
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()

    for _ in range(warmup):
        iteration()
    sync(device)
    start = time.perf_counter()
    for _ in range(iters):
        iteration()
    sync(device)
    return iters / (time.perf_counter() - start)


class IterationTimer(L.Callback):
    """Times generator iterations after `warmup` of them, with the device synchronized at both ends."""

    def __init__(self, warmup: int, device: str) -> None:
        self.warmup, self.device, self.start, self.end = warmup, device, 0.0, 0.0

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:
        if batch_idx == self.warmup:  # one batch is one generator iteration
            sync(self.device)
            self.start = time.perf_counter()

    def on_train_end(self, trainer, pl_module) -> None:
        sync(self.device)
        self.end = time.perf_counter()


def lightning_profile(batch: int, hidden: int, iters: int, warmup: int, device: str) -> float:
    model = lab.WGANGP("ring", hidden=hidden, layers=LAYERS, critic_steps=CRITIC_STEPS, lambda_gp=10.0)
    data = lab.MixtureDataModule("ring", batch_size=batch * CRITIC_STEPS, steps_per_epoch=iters + warmup)
    timer = IterationTimer(warmup, device)
    trainer = make_trainer("lab07_gans", logger=False, accelerator=device, max_epochs=1, limit_val_batches=0,
                           callbacks=[timer], enable_progress_bar=False, enable_model_summary=False,
                           log_every_n_steps=50)
    trainer.fit(model, datamodule=data)
    return iters / (timer.end - timer.start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iters", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--batches", default="256,1024,4096")
    parser.add_argument("--hidden", type=int, default=512, help="a small width on a CPU isolates per-step overhead")
    args = parser.parse_args()
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    if args.device == "cuda":
        print(torch.cuda.get_device_name(), f"torch {torch.__version__}")

    # The baseline is the plain loop at the paper's batch of 256; each batch size also gets its own plain loop, so
    # that Lightning's overhead (the last column) is read apart from the gain of the larger batch.
    batches = [int(b) for b in args.batches.split(",")]
    raws = {b: raw_pytorch(b, args.hidden, args.iters, args.warmup, args.device) for b in sorted({256, *batches})}
    base = raws[256] * 256
    print(f"{'run':<34}{'iterations/s':>14}{'samples/s':>12}{'vs raw at 256':>15}{'vs raw, same batch':>20}")
    for batch in batches:
        raw, rate = raws[batch], lightning_profile(batch, args.hidden, args.iters, args.warmup, args.device)
        for name, r in ((f"raw PyTorch, batch {batch}", raw), (f"Lightning WGANGP, batch {batch}", rate)):
            print(f"{name:<34}{r:>14.1f}{r * batch:>12.0f}{r * batch / base:>15.2f}{r / raw:>20.2f}")


if __name__ == "__main__":
    main()
