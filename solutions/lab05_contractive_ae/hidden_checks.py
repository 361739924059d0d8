"""Hidden cases for Lab 5, drawn with the grader's seed. Never released to students."""

from __future__ import annotations

import random


def _shape(rng: random.Random) -> dict:
    hidden = rng.randint(2, 9)
    dim = rng.choice([d for d in range(2, 10) if d != hidden])  # non-square: a norm over the wrong axis shows
    return dict(hidden=hidden, dim=dim, batch=rng.randint(2, 12), seed=rng.randint(0, 10**6))


def linear_cae_penalty(rng: random.Random) -> list[dict]:
    return [{**_shape(rng), "scale": rng.uniform(0.1, 3.0)} for _ in range(3)] + [
        {**_shape(rng), "integer": True},
    ]


def relu_jacobian(rng: random.Random) -> list[dict]:
    return [
        {**_shape(rng), "bias": rng.uniform(-0.5, 0.5)},
        {**_shape(rng), "integer": True},
        {**_shape(rng), "integer": True},
        {**_shape(rng), "batch": 1},
        {**_shape(rng), "bias": -1.5},  # most units off
    ]


def cae_penalty(rng: random.Random) -> list[dict]:
    cases = []
    for activation in ("linear", "relu", "sigmoid"):
        cases.append({**_shape(rng), "activation": activation, "scale": rng.uniform(0.3, 2.0)})
        cases.append({**_shape(rng), "activation": activation, "bias": rng.choice([-1.0, 1.0])})
    cases.append({**_shape(rng), "activation": "relu", "integer": True})
    cases.append({**_shape(rng), "activation": "sigmoid", "integer": True})
    cases.append({**_shape(rng), "activation": "relu", "batch": 1})
    cases.append({**_shape(rng), "activation": rng.choice(["tanh", "ReLU", "softplus"])})
    return cases


def jacobian_penalty_autograd(rng: random.Random) -> list[dict]:
    return [{**_shape(rng), "encoder": kind} for kind in ("linear", "relu", "sigmoid", "deep", "deep")] + [
        {**_shape(rng), "encoder": "deep", "batch": 1},
    ]


def _loss_cases(rng: random.Random) -> list[dict]:
    cases = []
    for activation in ("linear", "relu", "sigmoid"):
        for lam in (0.0, rng.uniform(0.05, 2.0)):
            cases.append({**_shape(rng), "activation": activation, "lam": lam})
    cases.append({**_shape(rng), "activation": "relu", "lam": 0.3, "integer": True})
    cases.append({**_shape(rng), "activation": "sigmoid", "lam": 5.0, "bias": 1.0, "batch": 1})
    return cases


def cae_loss(rng: random.Random) -> list[dict]:
    return _loss_cases(rng)


def weight_decay_loss(rng: random.Random) -> list[dict]:
    return _loss_cases(rng)


def contraction_ratio(rng: random.Random) -> list[dict]:
    return [
        {**_shape(rng), "encoder": "sigmoid", "radius": rng.choice([0.1, 1.0, 3.0]), "directions": rng.randint(2, 6)},
        {**_shape(rng), "encoder": "deep", "radius": rng.choice([0.05, 2.0]), "directions": rng.randint(2, 6)},
        {**_shape(rng), "encoder": "relu", "radius": 0.7, "directions": 1},
        {**_shape(rng), "encoder": "linear", "radius": 4.0, "directions": 5, "batch": 1},
    ]
