"""Lab 3 checks: each optimizer runs on a seeded float64 problem and the iterates are compared."""

from __future__ import annotations

import torch

from labkit.grading import Check

CELL_TIMEOUT_S = 60
WRITTEN = {"answer_3a": 2, "answer_3b": 2}


def make_params(case: dict) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(case["seed"])
    return [torch.randn(shape, generator=g, dtype=torch.float64).requires_grad_() for shape in case["shapes"]]


def problem_loss(params: list[torch.Tensor], case: dict, step: int) -> torch.Tensor:
    """A smooth loss whose gradients change every step; `scale` makes them tiny or huge; the last parameter gets no
    gradient at all when the case says `unused`."""
    used = params[:-1] if case.get("unused") else params
    scale = case.get("scale", 1.0) * (case.get("late_scale", 1.0) if step >= case.get("switch_at", 10**9) else 1.0)
    loss = sum(((p * (1 + 0.1 * step)).sin() ** 2).sum() + 0.05 * (p**2).sum() for p in used)
    return scale * loss


def run_optimizer(opt_class, case: dict) -> dict[str, list[torch.Tensor]]:
    params = make_params(case)
    kwargs = dict(case.get("kwargs", {}))

    def build():
        if "group_lrs" in case:  # one group per parameter, each with its own lr
            return opt_class([{"params": [p], "lr": lr} for p, lr in zip(params, case["group_lrs"], strict=True)],
                             **kwargs)
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
    parts = [f"shapes {case['shapes']}", f"{case['steps']} steps", f"kwargs {case.get('kwargs', {})}"]
    for key in ("scale", "group_lrs", "unused", "resume_at", "switch_at"):
        if key in case:
            parts.append(f"{key}={case[key]}")
    return ", ".join(parts)


def _opt_check(check_id: str, points: float, probe, public: list[dict]) -> Check:
    return Check(check_id, points, probe, public=public, rtol=1e-7, atol=1e-10, describe=_describe)


CHECKS = [
    _opt_check("adagrad", 2, _adagrad, [
        dict(shapes=[[3], [2, 2]], steps=5, seed=0, kwargs=dict(lr=0.1)),
        dict(shapes=[[4]], steps=3, seed=1, kwargs=dict(lr=0.1, eps=1e-3), scale=1e-4),
    ]),
    _opt_check("rmsprop", 2, _rmsprop, [
        dict(shapes=[[3], [2, 2]], steps=5, seed=0, kwargs=dict(lr=0.01)),
        dict(shapes=[[4]], steps=3, seed=1, kwargs=dict(lr=0.01, eps=1e-3), scale=1e-4),
    ]),
    _opt_check("adam", 3, _adam, [
        dict(shapes=[[3], [2, 2]], steps=5, seed=0, kwargs=dict(lr=0.01)),
        dict(shapes=[[4]], steps=3, seed=1, kwargs=dict(lr=0.01, eps=1e-3), scale=1e-4),
    ]),
    Check("trajectory", 1, _trajectory, rtol=1e-7, atol=1e-10, public=[
        dict(fn="quadratic", x0=[1.0, 1.0], optimizer="sgd", lr=0.01, steps=5),
    ]),
]
