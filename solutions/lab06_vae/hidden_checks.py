"""Hidden cases for Lab 6, drawn with the grader's seed. Never released to students."""

from __future__ import annotations

import random


def _s(rng: random.Random) -> int:
    return rng.randint(0, 10**6)


def kl_std_normal(rng: random.Random) -> list[dict]:
    return [
        dict(batch=rng.randint(2, 6), dim=rng.randint(2, 7), seed=_s(rng)),
        dict(batch=3, dim=4, seed=_s(rng), logvar_scale=4.0),  # variances from e^-8 to e^8
        dict(batch=5, dim=1, seed=_s(rng), mu_scale=3.0, logvar_scale=0.1),
        dict(batch=1, dim=6, seed=_s(rng), mu_scale=0.0),  # the mean plays no part: only the variance terms
    ]


def gaussian_kl(rng: random.Random) -> list[dict]:
    return [
        dict(batch_q=[rng.randint(2, 5)], batch_p=[], dim=rng.randint(2, 5), seed=_s(rng), cov_scale=2.0),
        dict(batch_q=[2, 3], batch_p=[3], dim=3, seed=_s(rng)),  # broadcast over two batch dimensions
        dict(batch_q=[], batch_p=[4], dim=2, seed=_s(rng), mean_scale=3.0),
        dict(batch_q=[3], batch_p=[3], dim=1, seed=_s(rng)),
        dict(batch_q=[4], batch_p=[4], dim=4, seed=_s(rng), same=True),  # KL(q || q) = 0
    ]


def reparameterize(rng: random.Random) -> list[dict]:
    return [
        dict(batch=rng.randint(2, 6), dim=rng.randint(1, 5), seed=_s(rng)),
        dict(batch=3, dim=2, seed=_s(rng), samples=[rng.randint(2, 7)]),
        dict(batch=1, dim=4, seed=_s(rng), samples=[1]),
    ]


def elbo(rng: random.Random) -> list[dict]:
    return [
        dict(batch=rng.randint(2, 5), dim=rng.randint(1, 4), pixels=rng.randint(6, 12), samples=rng.randint(2, 6),
             seed=_s(rng)),
        dict(batch=4, dim=3, pixels=9, samples=1, seed=_s(rng)),
        dict(batch=2, dim=2, pixels=16, samples=8, seed=_s(rng), logvar_scale=2.0),
    ]


def iwae_bound(rng: random.Random) -> list[dict]:
    big = rng.uniform(800.0, 5000.0)
    return [
        dict(samples=rng.randint(2, 20), batch=rng.randint(1, 5), seed=_s(rng), scale=3.0),
        dict(samples=50, batch=2, seed=_s(rng), scale=1.0, shift=-big),  # every exp underflows
        dict(samples=10, batch=3, seed=_s(rng), scale=5.0, shift=big),  # every exp overflows
        dict(log_weights=[[-2.0, 3.0, 0.5]]),  # one sample: the bound is the log weight
        dict(log_weights=[[-1e4, 1e4], [-1e4 + 1.0, 1e4 - 2.0], [-1e4 - 40.0, 1e4 + 0.5]]),
    ]


def _ppca(rng: random.Random, **extra) -> dict:
    return dict(batch=rng.randint(2, 6), pixels=rng.randint(4, 9), dim=rng.randint(1, 3),
                sigma2=rng.choice([0.05, 0.3, 1.7]), seed=_s(rng), **extra)


def ppca_log_marginal(rng: random.Random) -> list[dict]:
    return [_ppca(rng), _ppca(rng, w_scale=3.0), dict(batch=3, pixels=7, dim=3, sigma2=0.01, seed=_s(rng)),
            dict(batch=2, pixels=4, dim=2, sigma2=2.5, seed=_s(rng), shift=4.0)]


def ppca_posterior(rng: random.Random) -> list[dict]:
    return [_ppca(rng), _ppca(rng, w_scale=0.3), dict(batch=5, pixels=8, dim=3, sigma2=0.02, seed=_s(rng))]


def ppca_elbo(rng: random.Random) -> list[dict]:
    return [_ppca(rng), _ppca(rng, logvar_scale=2.0), dict(batch=3, pixels=6, dim=3, sigma2=0.1, seed=_s(rng),
                                                           w_scale=2.0)]


def mean_field_optimum(rng: random.Random) -> list[dict]:
    return [_ppca(rng, w_scale=2.0), dict(batch=2, pixels=5, dim=3, sigma2=0.2, seed=_s(rng)),
            dict(batch=4, pixels=9, dim=2, sigma2=1.0, seed=_s(rng), w_scale=0.5)]


def made_masks(rng: random.Random) -> list[dict]:
    return [
        dict(dim=rng.randint(4, 6), hidden=[rng.randint(5, 9), rng.randint(3, 8)]),
        dict(dim=2, hidden=[3]),
        dict(dim=1, hidden=[2]),
        dict(dim=5, hidden=[3]),  # fewer hidden units than inputs
    ]


def iaf_step(rng: random.Random) -> list[dict]:
    return [
        dict(dim=rng.randint(3, 5), context_dim=rng.randint(1, 4), hidden=[rng.randint(6, 9)], batch=3, seed=_s(rng)),
        dict(dim=4, context_dim=3, hidden=[6, 5], batch=2, seed=_s(rng), forget_bias=rng.choice([0.0, 2.0])),
        dict(dim=3, context_dim=0, hidden=[4], batch=3, seed=_s(rng)),
        dict(dim=2, context_dim=2, hidden=[3], batch=5, seed=_s(rng), weight_scale=2.0),
    ]
