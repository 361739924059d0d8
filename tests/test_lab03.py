"""Lab 3: the reference optimizers equal torch.optim on every check problem, hidden ones included."""

import random

import pytest
import torch

from autograder.labs import get_lab

LAB = get_lab("lab03_optimizers")
CHECKS = LAB.checks_module
PROBLEMS = [(name, case) for name in ("adagrad", "rmsprop", "adam")
            for case in list(LAB.checks[name].public) + getattr(LAB.hidden, name)(random.Random(7))]


@pytest.mark.parametrize(("name", "case"), PROBLEMS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(PROBLEMS)])
def test_reference_equals_torch_optim(name, case):
    ours = CHECKS.run_optimizer(getattr(LAB.reference(), {"adagrad": "Adagrad", "rmsprop": "RMSprop",
                                                          "adam": "Adam"}[name]), case)
    theirs = CHECKS.run_optimizer({"adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop,
                                   "adam": torch.optim.Adam}[name], case)
    for key in ours:
        for a, b in zip(ours[key], theirs[key], strict=True):
            torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-14)


def test_tiny_gradients_separate_eps_placement():
    ref = LAB.reference()
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = ref.Adagrad([p], lr=0.01, eps=1e-10)
    (1e-6 * p).sum().backward()
    opt.step()
    assert float(-p.detach()) == pytest.approx(0.01, rel=1e-3)  # eps outside: a full lr step
    inside = 0.01 * 1e-6 / (1e-12 + 1e-10) ** 0.5
    assert inside < 0.0011  # eps inside would move about a tenth of it: the checks' tiny-gradient cases tell


def test_adagrad_step_shrinks_and_rmsprop_recovers():
    ref = LAB.reference()

    def last_step(opt_class, grads, **kwargs):
        p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        opt = opt_class([p], lr=0.1, **kwargs)
        for g in grads:
            before = p.detach().clone()
            opt.zero_grad()
            (g * p).sum().backward()
            opt.step()
        return float((p.detach() - before).abs() / grads[-1])

    grads = [10.0] * 100 + [0.1] * 100
    # Adagrad: smaller gradients never bring a bigger step back; RMSprop's step grows back by the scale ratio.
    assert last_step(ref.Adagrad, grads) <= last_step(ref.Adagrad, grads[:100])
    assert last_step(ref.RMSprop, grads, alpha=0.9) > 50 * last_step(ref.RMSprop, grads[:100], alpha=0.9)
