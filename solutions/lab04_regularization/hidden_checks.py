"""Hidden cases for Lab 4, drawn with the grader's seed. Never released to students."""

from __future__ import annotations

import random


def _s(rng: random.Random) -> int:
    return rng.randint(0, 10**6)


def gd_filter(rng: random.Random) -> list[dict]:
    return [
        dict(n=10, lr=rng.choice([0.05, 0.1, 0.3]), steps=rng.randint(2, 60), seed=_s(rng)),
        dict(n=8, lr=0.01, steps=rng.randint(500, 3000), seed=_s(rng), extra=[0.0, 1e-9]),
        dict(n=5, lr=0.4, steps=0, seed=_s(rng)),  # no step: nothing fitted
        dict(n=5, lr=0.9, steps=rng.randint(3, 9), seed=_s(rng), scale=2.0, extra=[2.1]),  # lr * lambda > 1
        dict(n=4, lr=1.0, steps=2, seed=_s(rng), extra=[1.0, 0.5]),
    ]


def ridge_filter(rng: random.Random) -> list[dict]:
    return [
        dict(n=10, alpha=rng.choice([0.01, 0.1, 0.5]), seed=_s(rng)),
        dict(n=6, alpha=1e-6, seed=_s(rng), extra=[0.0]),
        dict(n=6, alpha=rng.uniform(5, 50), seed=_s(rng), extra=[1e3]),
    ]


def effective_dof(rng: random.Random) -> list[dict]:
    random_cases = [dict(n=rng.randint(5, 30), lr=rng.choice([0.05, 0.1, 0.5]), steps=rng.randint(1, 200),
                         seed=_s(rng)) for _case in "abc"]
    return random_cases + [dict(n=12, lr=0.3, steps=0, seed=_s(rng)),
         # lr * lambda <= 0.9 and (1 - lr * lambda)^steps <= exp(-90): every positive direction fitted, the zero one not
         dict(n=20, lr=0.09, steps=10**6, seed=_s(rng), extra=[0.0])]


def gd_weights(rng: random.Random) -> list[dict]:
    return [
        dict(n=rng.randint(20, 40), d=rng.randint(3, 8), lr=0.1, steps=rng.randint(1, 80), seed=_s(rng)),
        dict(n=30, d=6, k=rng.randint(2, 4), lr=0.05, steps=rng.randint(100, 400), seed=_s(rng)),
        dict(n=7, d=12, lr=0.02, steps=rng.randint(10, 50), seed=_s(rng)),  # d > n: directions never fitted
        dict(n=25, d=5, lr=0.1, steps=rng.randint(5, 40), seed=_s(rng), zero_column=True),  # an eigenvalue 0: no NaN
        dict(n=25, d=5, lr=0.1, steps=rng.randint(20, 60), seed=_s(rng), near_zero_column=True),  # lr * steps there
        dict(n=15, d=4, lr=0.3, steps=0, seed=_s(rng)),
        dict(n=40, d=3, lr=0.01, steps=2000, seed=_s(rng), k=1),
    ]


def relaxed_keep_mask(rng: random.Random) -> list[dict]:
    return [
        dict(batch=rng.randint(2, 9), units=rng.randint(2, 9), temperature=t, seed=_s(rng))
        for t in (0.05, 0.3, 1.0, 2.5)
    ] + [dict(batch=5, units=4, temperature=0.2, seed=_s(rng), p_range=(0.001, 0.02)),
         dict(batch=5, units=4, temperature=0.2, seed=_s(rng), p_range=(0.97, 0.999))]


def concrete_dropout(rng: random.Random) -> list[dict]:
    return [
        dict(kind="train", batch=rng.randint(2, 8), units=rng.randint(2, 8), temperature=t, seed=_s(rng))
        for t in (0.1, 0.7)
    ] + [
        dict(kind="train", batch=3, units=6, temperature=0.3, seed=_s(rng), p_range=(0.6, 0.95)),
        dict(kind="eval", batch=rng.randint(2, 7), units=rng.randint(2, 7), temperature=0.1, seed=_s(rng)),
        dict(kind="init", batch=3, units=rng.randint(2, 9), seed=_s(rng)),  # defaults: init_p 0.1, temperature 0.1
        dict(kind="init", batch=4, units=5, init_p=rng.choice([0.05, 0.5, 0.8]), seed=_s(rng)),
        dict(kind="drawn", batch=5000, units=5, temperature=0.1, seed=_s(rng)),
        dict(kind="drawn", batch=3000, units=3, temperature=0.02, seed=_s(rng), p_range=(0.15, 0.35)),
    ]


def concrete_regularizer(rng: random.Random) -> list[dict]:
    return [
        dict(units=rng.randint(3, 20), weight_reg=rng.choice([1e-3, 1e-2]), dropout_reg=rng.choice([0.01, 1.0]),
             seed=_s(rng)),
        dict(units=8, weight_reg=0.0, dropout_reg=0.5, seed=_s(rng)),  # entropy alone: its sign and both terms
        dict(units=8, weight_reg=0.1, dropout_reg=0.0, seed=_s(rng), p_range=(0.5, 0.99)),  # the 1 / (1 - p)
        dict(units=6, weight_reg=0.02, dropout_reg=0.2, seed=_s(rng), p_range=(0.001, 0.05)),
    ]


def score_function_grad(rng: random.Random) -> list[dict]:
    return [
        dict(units=rng.randint(3, 10), samples=rng.randint(5, 50), seed=_s(rng)),
        dict(units=6, samples=20, seed=_s(rng), baseline=rng.uniform(0.5, 2.0), loss_offset=1.5),
        dict(units=5, samples=30, seed=_s(rng), baseline=-0.7),
        dict(units=4, samples=1, seed=_s(rng), baseline=0.3),
        dict(units=7, samples=40, seed=_s(rng), p_range=(0.6, 0.95)),  # mostly dropped
    ]


def exact_dropout_grad(rng: random.Random) -> list[dict]:
    return [
        dict(units=rng.randint(6, 10), seed=_s(rng)),
        dict(units=1, seed=_s(rng)),
        dict(units=4, seed=_s(rng), interaction=-2.0),
        dict(units=4, seed=_s(rng), p=[0.0, 0.3, 1.0, 0.5]),  # never and always dropped units
        dict(units=12, seed=_s(rng)),
        dict(units=13, seed=_s(rng)),  # too many to enumerate: ValueError
    ]
