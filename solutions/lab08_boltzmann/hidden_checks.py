"""Hidden cases for Lab 8, drawn with the grader's seed. Never released to students."""

from __future__ import annotations

import importlib.util
import random
from functools import cache
from pathlib import Path

import torch


def _shape(rng: random.Random, low: int = 2, high: int = 6) -> dict:
    """N, M and K all different, so that no wrong index can pass by a coincidence of shapes."""
    n, m, k = rng.sample(range(low, high + 1), 3)
    return dict(n=n, m=m, k=k)


def _seed(rng: random.Random) -> int:
    return rng.randint(0, 10**6)


def energy(rng: random.Random) -> list[dict]:
    return [dict(**_shape(rng), batch=rng.randint(2, 9), scale=rng.uniform(0.5, 2.0), seed=_seed(rng)),
            dict(**_shape(rng), batch=1, seed=_seed(rng))]


def conditionals(rng: random.Random) -> list[dict]:
    return [dict(**_shape(rng), batch=rng.randint(2, 9), scale=rng.uniform(0.5, 2.0), seed=_seed(rng)),
            dict(**_shape(rng), batch=1, seed=_seed(rng)),
            dict(n=6, m=2, k=4, batch=7, scale=0.3, seed=_seed(rng)),
            dict(n=2, m=5, k=3, batch=4, scale=3.0, seed=_seed(rng))]


def block_gibbs_step(rng: random.Random) -> list[dict]:
    return [dict(**_shape(rng), batch=rng.randint(8, 16), sweeps=1, scale=rng.uniform(0.7, 1.5), seed=_seed(rng)),
            dict(**_shape(rng), batch=rng.randint(8, 16), sweeps=1, scale=rng.uniform(0.7, 1.5), seed=_seed(rng)),
            dict(**_shape(rng), batch=12, sweeps=6, seed=_seed(rng)),
            dict(n=6, m=2, k=4, batch=20, sweeps=3, scale=2.0, seed=_seed(rng))]


def _one_side_too_big(rng: random.Random) -> list[dict]:
    """Question 8(b)'s cost: one latent set has 2^48 settings (no machine enumerates them, nor holds a tensor that
    size), the other a handful. Only a marginal that enumerates the smaller set, whichever it is, finishes."""
    big = 48
    return [dict(n=rng.randint(3, 6), m=big, k=rng.randint(2, 4), batch=rng.randint(2, 5), scale=0.3,
                 seed=_seed(rng)),
            dict(n=rng.randint(3, 6), m=rng.randint(2, 4), k=big, batch=rng.randint(2, 5), scale=0.3,
                 seed=_seed(rng))]


def unnormalized_log_marginal(rng: random.Random) -> list[dict]:
    return [
        dict(n=rng.randint(3, 7), m=6, k=rng.randint(2, 4), batch=rng.randint(2, 9), seed=_seed(rng)),  # K < M
        dict(n=rng.randint(3, 7), m=rng.randint(2, 4), k=6, batch=rng.randint(2, 9), seed=_seed(rng)),  # M < K
        dict(n=5, m=4, k=4, batch=3, seed=_seed(rng)),  # M = K
        dict(n=5, m=4, k=3, batch=4, scale=200.0, seed=_seed(rng)),  # exp(-E) beyond float64's range
        dict(**_shape(rng), batch=1, scale=0.05, seed=_seed(rng)),  # nearly uniform
        *_one_side_too_big(rng),
    ]


def log_partition(rng: random.Random) -> list[dict]:
    return [dict(**_shape(rng), batch=1, scale=rng.uniform(0.5, 2.0), seed=_seed(rng)),
            dict(n=7, m=3, k=5, batch=1, seed=_seed(rng)),
            dict(n=5, m=4, k=3, batch=1, scale=100.0, seed=_seed(rng))]  # Z beyond float64's range


def positive_statistics(rng: random.Random) -> list[dict]:
    s = lambda: _seed(rng)  # noqa: E731
    return [
        dict(n=5, m=4, k=2, batch=6, seed=s(), method="exact"),
        dict(n=4, m=2, k=5, batch=3, seed=s(), method="exact", scale=1.5),  # enumerates y
        dict(n=3, m=4, k=3, batch=1, seed=s(), method="exact"),
        *[dict(case, method="exact") for case in _one_side_too_big(rng)],
        dict(**_shape(rng), batch=5, seed=s(), method="mean_field", options=dict(iterations=rng.randint(3, 6))),
        dict(n=6, m=3, k=4, batch=4, seed=s(), method="mean_field", options=dict(iterations=2)),
        dict(**_shape(rng), batch=5, seed=s(), method="mean_field", scale=0.5),  # default iterations
        dict(**_shape(rng), batch=4, seed=s(), method="gibbs", steps=rng.randint(5, 12),
             options=dict(burn_in=rng.randint(1, 4))),
        dict(**_shape(rng), batch=3, seed=s(), method="gibbs", steps=5),  # default burn-in
    ]


def cd_gradient(rng: random.Random) -> list[dict]:
    return [dict(**_shape(rng), batch=rng.randint(4, 12), cd_k=1, seed=_seed(rng)),
            dict(**_shape(rng), batch=rng.randint(4, 12), cd_k=rng.randint(2, 5), seed=_seed(rng)),
            dict(**_shape(rng), batch=1, cd_k=2, seed=_seed(rng)),
            dict(n=6, m=2, k=4, batch=9, cd_k=3, scale=2.0, seed=_seed(rng))]


@cache
def _public_checks():
    """This lab's checks.py, for its make_model: the cases below build the probe's own W and x."""
    where = Path(__file__).with_name("checks.py")
    found = importlib.util.spec_from_file_location("_lab08_checks_for_hidden_cases", where)
    assert found is not None and found.loader is not None
    checks = importlib.util.module_from_spec(found)
    found.loader.exec_module(checks)
    return checks


def _with_exact_positive(case: dict) -> dict:
    """The case with its exact positive phase as data, by brute force over every (y, z) (these models are small):
    the probe of exact_nll_gradient hands it to the student's code, and the public checks never compute it."""
    W, x, _, _ = _public_checks().make_model(case)
    m, k = W.shape[1], W.shape[2]
    yz = ((torch.arange(2 ** (m + k))[:, None] >> torch.arange(m + k)) & 1).double()
    y, z = yz[:, :m], yz[:, m:]
    p = torch.softmax(-torch.einsum("ijk,bi,sj,sk->bs", W, x, y, z), dim=1)  # P(y, z | x), one row per example
    positive = torch.einsum("bs,bi,sj,sk->ijk", p, x, y, z) / x.shape[0]
    return dict(case, positive=positive.tolist(), q_z=(p @ z).tolist())


def exact_nll_gradient(rng: random.Random) -> list[dict]:
    cases = [dict(**_shape(rng), batch=rng.randint(2, 9), seed=_seed(rng)),
             dict(n=4, m=2, k=5, batch=6, scale=1.5, seed=_seed(rng)),
             dict(n=5, m=4, k=3, batch=1, seed=_seed(rng)),
             dict(**_shape(rng), batch=8, scale=0.1, seed=_seed(rng))]
    return [_with_exact_positive(case) for case in cases]
