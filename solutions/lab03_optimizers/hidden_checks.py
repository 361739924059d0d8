"""Hidden cases for Lab 3, drawn with the grader's seed. Never released to students."""

from __future__ import annotations

import random


def _cases(rng: random.Random, defaults: dict, groups: list[dict], extra: list[dict]) -> list[dict]:
    """The cases every optimizer meets; `groups` are per-group overrides of the optimizer's own hyperparameters,
    each different from the constructor's, so that a value read from self.defaults instead of the group shows."""
    s = lambda: rng.randint(0, 10**6)  # noqa: E731
    cases = [
        dict(shapes=[[5], [3, 4], [2, 1, 3]], steps=200, seed=s(), kwargs=dict(defaults), growth=0.005),  # hundreds
        dict(shapes=[[4]], steps=3, seed=s(), kwargs=dict(defaults), scale=1e-6),  # tiny gradients: eps placement
        dict(shapes=[[3], [2]], steps=20, seed=s(), kwargs=dict(defaults, weight_decay=0.1)),  # L2, not decoupled
        dict(shapes=[[3], [2], [4]], steps=15, seed=s(), kwargs=dict(defaults),
             groups=[dict(lr=0.1), dict(lr=0.01), dict(lr=0.001)]),
        dict(shapes=[[3]] * (len(groups) + 1), steps=15, seed=s(), kwargs=dict(defaults), groups=[{}, *groups]),
        # The constructor's weight decay, switched off in one group.
        dict(shapes=[[3], [2]], steps=10, seed=s(), kwargs=dict(defaults, weight_decay=0.2),
             groups=[{}, dict(weight_decay=0.0)]),
        dict(shapes=[[3], [2]], steps=10, seed=s(), kwargs=dict(defaults), unused=True),  # no grad: skipped
        # Gradients in some steps and none in others: a skipped step must leave the state and step count alone.
        dict(shapes=[[4], [3]], steps=25, seed=s(), kwargs=dict(defaults), no_grad_every=2),
        dict(shapes=[[3], [2], [2, 2]], steps=12, seed=s(), kwargs=dict(defaults, weight_decay=0.05),
             no_grad_every=3),
        dict(shapes=[[3], [2, 2]], steps=30, seed=s(), kwargs=dict(defaults), resume_at=12),  # state_dict round trip
        dict(shapes=[[3], [2]], steps=20, seed=s(), kwargs=dict(defaults), no_grad_every=3, resume_at=7),
        dict(shapes=[[3]], steps=60, seed=s(), kwargs=dict(defaults), scale=100.0, switch_at=30, late_scale=1e-4),
        dict(shapes=[[2, 3]], steps=1, seed=s(), kwargs=dict(defaults)),  # the very first step
    ]
    return cases + extra


def adagrad(rng: random.Random) -> list[dict]:
    return _cases(rng, dict(lr=0.05), [dict(eps=0.3), dict(weight_decay=0.2)],
                  [dict(shapes=[[3]], steps=8, seed=rng.randint(0, 999), kwargs=dict(lr=0.05, eps=1e-10),
                        scale=1e-7)])


def rmsprop(rng: random.Random) -> list[dict]:
    return _cases(rng, dict(lr=0.01), [dict(alpha=0.5), dict(eps=0.3), dict(weight_decay=0.2)],
                  [dict(shapes=[[3]], steps=40, seed=rng.randint(0, 999), kwargs=dict(lr=0.01, alpha=0.9))])


def adam(rng: random.Random) -> list[dict]:
    return _cases(rng, dict(lr=0.01), [dict(betas=(0.5, 0.999)), dict(betas=(0.9, 0.9)), dict(eps=0.3),
                                       dict(weight_decay=0.2)],
                  [dict(shapes=[[3]], steps=40, seed=rng.randint(0, 999), kwargs=dict(lr=0.01, betas=(0.5, 0.9)))])


def trajectory(rng: random.Random) -> list[dict]:
    return [dict(fn="rosenbrock", x0=[rng.uniform(-1.5, 0), rng.uniform(0.5, 1.5)], optimizer="adam", lr=0.05,
                 steps=50),
            dict(fn="quadratic", x0=[rng.uniform(-2, 2), rng.uniform(-2, 2)], optimizer="rmsprop", lr=0.01, steps=30),
            dict(fn="quadratic", x0=[0.5, -0.5], optimizer="sgd", lr=0.01, steps=0)]
