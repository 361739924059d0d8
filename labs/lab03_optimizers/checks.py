"""Lab 3 checks: each optimizer runs on a seeded float64 problem and the iterates are compared; method rules keep
torch.optim's own adaptive optimizers out of the students' classes."""

from __future__ import annotations

import torch

from labkit.grading import Check
from labkit.rules import no_library


def make_params(case: dict) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(case["seed"])
    return [torch.randn(shape, generator=g, dtype=torch.float64).requires_grad_() for shape in case["shapes"]]


def uses_parameter(case: dict, index: int, n_params: int, step: int) -> bool:
    """Whether parameter `index` is in the loss at `step`: the last one never is when the case says `unused`; with
    `no_grad_every=k`, parameter i sits out the steps where (step + i) % k == 0, so each one misses some steps (the
    first one its very first step) and its .grad is None there."""
    if case.get("unused") and index == n_params - 1:
        return False
    k = case.get("no_grad_every")
    return not (k and (step + index) % k == 0)


def problem_loss(params: list[torch.Tensor], case: dict, step: int) -> torch.Tensor:
    """A smooth loss whose gradients change every step (at the rate `growth`, 0.1 unless the case says: long runs
    grow slower, so that rounding, which differs between correct implementations, is not amplified into a
    difference); `scale` makes them tiny or huge; parameters that `uses_parameter` leaves out get no gradient at
    that step."""
    used = [p for i, p in enumerate(params) if uses_parameter(case, i, len(params), step)]
    scale = case.get("scale", 1.0) * (case.get("late_scale", 1.0) if step >= case.get("switch_at", 10**9) else 1.0)
    growth = case.get("growth", 0.1)
    loss = sum(((p * (1 + growth * step)).sin() ** 2).sum() + 0.05 * (p**2).sum() for p in used)
    return scale * loss


def run_optimizer(opt_class, case: dict) -> dict[str, list[torch.Tensor]]:
    params = make_params(case)
    kwargs = dict(case.get("kwargs", {}))

    if "betas" in kwargs:  # cases may come back from JSON with lists
        kwargs["betas"] = tuple(kwargs["betas"])

    def build():
        if "groups" in case:  # one group per parameter, each overriding some of the constructor's defaults
            groups = [{**g, "params": [p]} for p, g in zip(params, case["groups"], strict=True)]
            for g in groups:
                if "betas" in g:
                    g["betas"] = tuple(g["betas"])
            return opt_class(groups, **kwargs)
        return opt_class(params, **kwargs)

    optimizer = build()
    first = None
    for step in range(case["steps"]):
        if step == case.get("resume_at"):  # a new optimizer continues from the saved state
            saved = optimizer.state_dict()
            optimizer = build()
            optimizer.load_state_dict(saved)
        optimizer.zero_grad()
        problem_loss(params, case, step).backward()
        optimizer.step()
        if step == 0:
            first = [p.detach().clone() for p in params]
    return {"after_first_step": first, "after_last_step": [p.detach().clone() for p in params]}


def _adagrad(mod, case):
    return run_optimizer(mod.Adagrad, case)


def _rmsprop(mod, case):
    return run_optimizer(mod.RMSprop, case)


def _adam(mod, case):
    return run_optimizer(mod.Adam, case)


FUNCTIONS = {
    "rosenbrock": lambda x: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2,
    "quadratic": lambda x: 0.5 * (x[0] ** 2 + 50.0 * x[1] ** 2),
}
FACTORIES = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop}


def _trajectory(mod, case):
    x0 = torch.tensor(case["x0"], dtype=torch.float64)
    factory = FACTORIES[case["optimizer"]]
    path = mod.trajectory(lambda ps: factory(ps, lr=case["lr"]), FUNCTIONS[case["fn"]], x0, case["steps"])
    return {"path": torch.as_tensor(path).detach(), "x0_untouched": x0}


def _describe(case: dict) -> str:
    parts = [f"shapes={case['shapes']}", f"steps={case['steps']}", f"kwargs={case.get('kwargs', {})}"]
    for key in ("scale", "groups", "unused", "no_grad_every", "resume_at", "switch_at", "late_scale", "growth"):
        if key in case:
            parts.append(f"{key}={case[key]}")
    return ", ".join(parts)


# Every torch.optim optimizer that could stand in for one of the three, and the functional and fused updates behind
# them. A subclass or alias of the library class passes every behavioural case, so only the source can tell.
# torch.optim.Optimizer (the base class) and SGD stay allowed.
_LIBRARY = ("torch.optim.Adagrad", "torch.optim.RMSprop", "torch.optim.Adam", "torch.optim.AdamW",
            "torch.optim.Adamax", "torch.optim.NAdam", "torch.optim.RAdam", "torch.optim.SparseAdam",
            "torch.optim.Adadelta", "torch.optim.Adafactor", "torch.optim.adagrad", "torch.optim.rmsprop",
            "torch.optim.adam", "torch.optim.adamw", "torch.optim.adamax", "torch.optim.nadam", "torch.optim.radam",
            "torch.optim.sparse_adam", "torch.optim.adadelta", "torch.optim._adafactor", "torch.optim._functional",
            "torch.optim._multi_tensor", "torch._fused_adam_", "torch._fused_adamw_", "torch._fused_adagrad_")


def _own_code(target: str):
    return no_library(target, *_LIBRARY, text=(
        f"{target} must be your own code: it may subclass torch.optim.Optimizer, but not use torch.optim.{target}, "
        f"another adaptive torch.optim optimizer or their functional forms (torch.optim.{target.lower()}, "
        f"torch.optim._functional) / {target} doit être écrit par vous : la classe peut hériter de "
        f"torch.optim.Optimizer, mais ne doit utiliser ni torch.optim.{target}, ni un autre optimiseur adaptatif de "
        f"torch.optim, ni leurs versions fonctionnelles (torch.optim.{target.lower()}, torch.optim._functional)"))


def _opt_check(check_id: str, points: float, probe, public: list[dict], target: str) -> Check:
    return Check(check_id, points, probe, public=public, rtol=1e-7, atol=1e-10, describe=_describe,
                 rules=(_own_code(target),))


CHECKS = [
    _opt_check("adagrad", 2, _adagrad, [
        dict(shapes=[[3], [2, 2]], steps=5, seed=0, kwargs=dict(lr=0.1)),
        dict(shapes=[[4]], steps=3, seed=1, kwargs=dict(lr=0.1, eps=1e-3), scale=1e-4),
        dict(shapes=[[3], [2]], steps=6, seed=2, kwargs=dict(lr=0.1, weight_decay=0.1), no_grad_every=3,
             groups=[{}, dict(eps=0.5, weight_decay=0.0)]),
    ], "Adagrad"),
    _opt_check("rmsprop", 2, _rmsprop, [
        dict(shapes=[[3], [2, 2]], steps=5, seed=0, kwargs=dict(lr=0.01)),
        dict(shapes=[[4]], steps=3, seed=1, kwargs=dict(lr=0.01, eps=1e-3), scale=1e-4),
        dict(shapes=[[3], [2]], steps=6, seed=2, kwargs=dict(lr=0.01), no_grad_every=3,
             groups=[{}, dict(alpha=0.5, eps=0.5, weight_decay=0.1)]),
    ], "RMSprop"),
    _opt_check("adam", 3, _adam, [
        dict(shapes=[[3], [2, 2]], steps=5, seed=0, kwargs=dict(lr=0.01)),
        dict(shapes=[[4]], steps=3, seed=1, kwargs=dict(lr=0.01, eps=1e-3), scale=1e-4),
        dict(shapes=[[3], [2]], steps=6, seed=2, kwargs=dict(lr=0.01), no_grad_every=3,
             groups=[{}, dict(betas=(0.5, 0.9), eps=0.5, weight_decay=0.1)]),
    ], "Adam"),
    Check("trajectory", 1, _trajectory, rtol=1e-7, atol=1e-10, public=[
        dict(fn="quadratic", x0=[1.0, 1.0], optimizer="sgd", lr=0.01, steps=5),
    ]),
]
