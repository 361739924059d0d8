"""Hidden cases for Lab 1, drawn with the grader's seed. Never released to students."""

from __future__ import annotations

import itertools
import random


def conv_output_size(rng: random.Random) -> list[dict]:
    cases = [
        dict(size=256, kernel=5, padding=0), dict(size=256, kernel=5, padding=4),
        dict(size=19, kernel=4, padding=1, stride=3),  # 17 / 3: floor, not round
        dict(size=10, kernel=3, padding=0, stride=1, dilation=3),
        dict(size=5, kernel=5), dict(size=0, kernel=3), dict(size=8, kernel=3, padding=-1),
        dict(size=8, kernel=3, stride=0),
        # Whether the kernel fits is decided by its dilated extent d * (k - 1) + 1 against the padded input.
        dict(size=5, kernel=3, dilation=3),  # 7 pixels in 5: ValueError
        dict(size=6, kernel=3, padding=2, dilation=4),  # 9 pixels fit in 6 + 4 only thanks to the padding
        dict(size=3, kernel=5, padding=1),  # fits exactly in 3 + 2
    ]
    for _ in range(6):
        k, d, s = rng.randint(1, 7), rng.randint(1, 3), rng.randint(1, 4)
        cases.append(dict(size=rng.randint(d * (k - 1) + 1, 90), kernel=k, padding=rng.randint(0, 3), stride=s,
                          dilation=d))
    for _ in range(3):  # dilated kernels at the edge of fitting: the padded input one pixel short, exact or wider
        k, d, p = rng.randint(2, 5), rng.randint(2, 4), rng.randint(0, 2)
        span = d * (k - 1) + 1
        size = max(k, span - 2 * p + rng.choice([-1, 0, 0, 1]))
        cases.append(dict(size=size, kernel=k, padding=p, stride=rng.randint(1, 3), dilation=d))
    return cases


def feature_map_sizes(rng: random.Random) -> list[dict]:
    cases = [dict(input_size=256, n_layers=6, kernel=5, padding=4), dict(input_size=256, n_layers=6, kernel=5,
                                                                         padding=0),
             dict(input_size=64, n_layers=3, kernel=3, padding=1, stride=2), dict(input_size=9, n_layers=0, kernel=3,
                                                                                  padding=1)]
    for _ in range(3):
        cases.append(dict(input_size=rng.randint(40, 120), n_layers=rng.randint(1, 5), kernel=rng.choice([3, 5, 7]),
                          padding=rng.randint(0, 3), stride=rng.randint(1, 2)))
    return cases


def receptive_field(rng: random.Random) -> list[dict]:
    cases = [dict(n_layers=3, kernel=3, stride=2), dict(n_layers=4, kernel=3, dilation=2),
             dict(n_layers=2, kernel=1), dict(n_layers=0, kernel=3)]
    for _ in range(4):
        cases.append(dict(n_layers=rng.randint(1, 6), kernel=rng.randint(1, 7), stride=rng.randint(1, 3),
                          dilation=rng.randint(1, 3)))
    return cases


def padding_for(rng: random.Random) -> list[dict]:
    k = rng.choice([3, 7, 9, 11])
    return [dict(mode="full", kernel=k), dict(mode="valid", kernel=k), dict(mode="same", kernel=k),
            dict(mode="full", kernel=4), dict(mode="same", kernel=4), dict(mode="same", kernel=1),
            dict(mode="Same", kernel=5), dict(mode="", kernel=3)]


def _narrow_stack(rng: random.Random) -> dict:
    """A deep stack with few channels and a one-channel last layer, its kernels, dilations and paddings drawn per
    case: random weights (the student's or the model's) leave some unit of the field's edge, or the centre unit
    itself, inactive in most such stacks, and no one fixed set of random weights suits every drawn architecture."""
    n_layers = rng.randint(6, 9)
    widths = [rng.choice([1, 1, 2])] + [rng.choice([1, 1, 2]) for _ in range(n_layers - 1)] + [1]
    layers, field = [], 1
    for c_in, c_out in itertools.pairwise(widths):
        k, d = rng.choice([2, 3, 3, 5]), rng.choice([1, 1, 2])
        layers.append([c_in, c_out, k, 1, d, rng.randint(0, d * (k - 1) // 2)])
        field += d * (k - 1)
    return dict(layers=layers, input_size=field + rng.randint(4, 12), seed=rng.randint(0, 999))


def measured_receptive_field(rng: random.Random) -> list[dict]:
    exam = [[1, 3, 5, 1, 1, 2]] + [[3, 3, 5, 1, 1, 2]] * 5
    return [
        dict(layers=exam, input_size=64, seed=rng.randint(0, 999)),
        dict(layers=exam, input_size=64, seed=rng.randint(0, 999), bias=-50.0),  # dead ReLUs
        dict(layers=[[2, 3, 3, 2, 1, 0], [3, 3, 3, 2, 1, 0], [3, 2, 3, 1, 2, 0]], input_size=64,
             seed=rng.randint(0, 999)),
        dict(layers=[[1, 2, 3, 1, 1, 1], [2, 2, 3, 1, 1, 1], [2, 2, 3, 1, 1, 1]], input_size=32,
             seed=rng.randint(0, 999), head=True),
        dict(layers=[[1, 2, 4, 1, 1, 0], [2, 2, 4, 1, 1, 0]], input_size=31, seed=rng.randint(0, 999)),  # even kernels
    ] + [_narrow_stack(rng) for _ in range(5)]


def exam_cnn(rng: random.Random) -> list[dict]:
    return [dict(in_channels=3, width=rng.randint(2, 6), size=rng.choice([12, 20]), seed=rng.randint(0, 999)),
            dict(in_channels=1, width=8, size=9, seed=rng.randint(0, 999))]
