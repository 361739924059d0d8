"""Hidden cases for Lab 7, drawn with the grader's seed. Never released to students."""

from __future__ import annotations

import math
import random


def mixtures(rng: random.Random) -> list[dict]:
    s = lambda: rng.randint(0, 10**6)  # noqa: E731
    return [
        dict(kind="ring", n=8000, std=0.01, seed=s()),
        dict(kind="ring", n=6000, std=0.05, seed=s(), kwargs=dict(modes=6, radius=2.0)),
        dict(kind="grid", n=9000, std=0.05, seed=s(), kwargs=dict(side=3, spacing=1.0)),
        dict(kind="grid", n=8000, std=0.02, seed=s()),
    ]


def linear_critic(rng: random.Random) -> list[dict]:
    return [dict(dim=rng.randint(1, 8), batch=rng.randint(1, 9), b=rng.uniform(-2, 2), seed=rng.randint(0, 10**6))
            for _ in range(3)]


def gradient_penalty(rng: random.Random) -> list[dict]:
    s = lambda: rng.randint(0, 10**6)  # noqa: E731
    return [
        dict(dim=2, batch=7, seed=s()),
        dict(dim=8, batch=16, seed=s(), shift=3.0),  # real and fake far apart: where xhat lies matters
        dict(dim=4, batch=1, seed=s()),
        dict(dim=5, batch=6, seed=s(), critic="linear", w_scale=0.2),  # ||w|| < 1
        dict(dim=5, batch=6, seed=s(), critic="linear", w_scale=3.0),  # ||w|| > 1
        dict(dim=3, batch=200, seed=s(), eps="drawn"),
        dict(dim=6, batch=50, seed=s(), eps="drawn", shift=2.0),
    ]


def critic_loss(rng: random.Random) -> list[dict]:
    s = lambda: rng.randint(0, 10**6)  # noqa: E731
    return [
        dict(dim=2, batch=9, seed=s(), lambda_gp=rng.choice([1.0, 10.0])),
        dict(dim=4, batch=5, seed=s(), lambda_gp=0.0, shift=1.0),  # the plain Wasserstein estimate
        dict(dim=3, batch=8, seed=s(), lambda_gp=5.0, critic="linear", w_scale=2.0),
    ]


def linear_critic_grad_w(rng: random.Random) -> list[dict]:
    s = lambda: rng.randint(0, 10**6)  # noqa: E731
    return [
        dict(dim=rng.randint(2, 10), batch=rng.randint(2, 20), seed=s(), lambda_gp=10.0, w_scale=scale,
             shift=rng.uniform(-1, 1))
        for scale in (0.1, 1.0 / math.sqrt(2), 2.5)
    ] + [dict(dim=4, batch=3, seed=s(), lambda_gp=0.0, w_scale=1.0, shift=1.0),
         dict(dim=1, batch=5, seed=s(), lambda_gp=3.0, w_scale=-2.0)]


def pack(rng: random.Random) -> list[dict]:
    return [
        dict(batch=12, dim=2, m=4),
        dict(batch=8, dim=3, m=1),
        dict(batch=rng.choice([6, 9, 15]), dim=2, m=3),
        dict(batch=7, dim=1, m=7),
        dict(batch=8, dim=2, m=3),
        dict(batch=4, dim=2, m=0),
    ]


def mode_coverage(rng: random.Random) -> list[dict]:
    std = rng.choice([0.01, 0.05])
    centers = [[2.0 * i, 2.0 * j] for i in range(-1, 2) for j in range(-1, 2)]
    samples = []
    for cx, cy in centers[:5]:  # near-misses either side of 3 std, on five modes only
        samples += [[cx + 2.9 * std, cy], [cx, cy - 3.1 * std], [cx + 0.5 * std, cy + 0.5 * std]]
    samples += [[centers[6][0] + 2.5 * std, centers[6][1] - 2.5 * std]]  # 3.5 std away, but 2.5 std per axis
    samples += [[centers[5][0] + 3.2 * std, centers[5][1]]]  # nearest to mode 5, but not high quality
    samples += [[1.0, 1.0], [50.0, -50.0]]  # far from every mode
    rng.shuffle(samples)
    ring = [[math.cos(2 * math.pi * k / 8), math.sin(2 * math.pi * k / 8)] for k in range(8)]
    return [
        dict(centers=centers, std=std, samples=samples),
        dict(centers=ring, std=0.01, samples=[[1.0, 0.0]] * 10 + [[0.0, 1.02]]),  # a collapsed generator
        dict(centers=ring, std=0.01, samples=[[0.0, 0.0]]),
        dict(centers=ring, std=0.01, samples=[]),
    ]
