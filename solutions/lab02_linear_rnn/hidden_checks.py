"""Hidden cases for Lab 2, drawn with the grader's seed. Never released to students."""

from __future__ import annotations

import math
import random


def _problems(rng: random.Random, count: int) -> list[dict]:
    cases = []
    for _ in range(count):
        cases.append(dict(n=rng.randint(2, 6), m=rng.randint(1, 4), steps=rng.randint(2, 12),
                          radius=rng.choice([0.5, 0.95, 1.0, 1.1]), seed=rng.randint(0, 10**6)))
    return cases


def rnn_unroll(rng: random.Random) -> list[dict]:
    return _problems(rng, 4) + [dict(n=3, m=2, steps=0, radius=0.9, seed=rng.randint(0, 999)),
                                dict(n=4, m=3, steps=6, radius=0.9, seed=rng.randint(0, 999), kind="nonnormal")]


def rnn_closed_form(rng: random.Random) -> list[dict]:
    return _problems(rng, 5) + [dict(n=3, m=2, steps=0, radius=0.9, seed=rng.randint(0, 999)),
                                dict(n=4, m=2, steps=9, radius=0.9, seed=rng.randint(0, 999), kind="nonnormal"),
                                dict(n=5, m=1, steps=25, radius=1.05, seed=rng.randint(0, 999))]


def jacobian_h_t_h0(rng: random.Random) -> list[dict]:
    return [dict(n=4, t=0, radius=0.9, seed=rng.randint(0, 999)),
            dict(n=4, t=1, radius=0.9, seed=rng.randint(0, 999)),
            dict(n=2, t=9, radius=0.9, seed=rng.randint(0, 999), kind="nonnormal"),
            dict(n=5, t=rng.randint(10, 30), radius=1.1, seed=rng.randint(0, 999)),
            dict(n=3, t=rng.randint(2, 8), radius=0.5, seed=rng.randint(0, 999))]


def asymptotic_regime(rng: random.Random) -> list[dict]:
    a = rng.uniform(1.1, 3.0)
    c, s = math.cos(theta := rng.uniform(0.3, 3.0)), math.sin(theta)
    return [
        # Jordan blocks on the unit circle are "marginal" (the docstring's convention), though ||W^t|| grows:
        # a 3 x 3 block of eigenvalue -1, and a 4 x 4 block [[R, I], [0, R]] of a rotation R.
        dict(matrix=[[-1.0, 1.0, 0.0], [0.0, -1.0, 1.0], [0.0, 0.0, -1.0]]),
        dict(matrix=[[c, -s, 1.0, 0.0], [s, c, 0.0, 1.0], [0.0, 0.0, c, -s], [0.0, 0.0, s, c]]),
        dict(matrix=[[0.9, 5.0], [0.0, 0.9]]),  # non-normal: norm > 1, spectral radius 0.9
        dict(matrix=[[0.0, a], [-a, 0.0]]),  # zero diagonal, spectral radius a > 1
        dict(matrix=[[2.0, 0.0], [0.0, 0.1]]),  # determinant 0.2 < 1, spectral radius 2
        dict(matrix=[[0.6, 0.0], [0.0, 1.5]]),  # determinant 0.9, spectral radius 1.5
        dict(matrix=[[1.0, 1.0], [0.0, 1.0]]),  # Jordan block on the unit circle
        dict(matrix=[[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),  # permutation: eigenvalues on the circle
        dict(matrix=[[0.0, 0.8], [-0.8, 0.0]]),  # rotation shrunk by 0.8
        dict(matrix=[[1.0 + 1e-8, 0.0], [0.0, 0.3]]),  # within tol of 1
    ]


def scaled_orthogonal(rng: random.Random) -> list[dict]:
    # n >= 3, where the probe also asks that the matrix be non-symmetric, and one n = 2
    cases = [dict(n=rng.randint(3, 8), radius=rng.choice([0.5, 1.0, 1.3]), seed=rng.randint(0, 999)) for _ in range(3)]
    return [*cases, dict(n=2, radius=rng.choice([0.5, 1.3]), seed=rng.randint(0, 999))]


def linear_rnn_hidden_states(rng: random.Random) -> list[dict]:
    return _problems(rng, 3) + [dict(n=3, m=2, steps=0, radius=0.9, seed=rng.randint(0, 999))]
