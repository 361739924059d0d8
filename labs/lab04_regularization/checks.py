"""Lab 4 checks: the spectral filters of gradient descent and ridge, the closed-form GD weights, Concrete Dropout and
the gradient estimators for a discrete mask. Every input is float64 and seeded; values and gradients are compared."""

from __future__ import annotations

import torch

from labkit.grading import Check
from labkit.rules import Rule


def _gen(case: dict, offset: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(case["seed"] + offset)


def eigenvalues(case: dict) -> torch.Tensor:
    """Positive eigenvalues spread over orders of magnitude, plus the exact values the case lists."""
    g = _gen(case)
    values = 10 ** (torch.rand(case["n"], generator=g, dtype=torch.float64) * 4 - 3) * case.get("scale", 1.0)
    return torch.cat([values, torch.tensor(case.get("extra", []), dtype=torch.float64)])


def _gd_filter(mod, case):
    lam = eigenvalues(case)
    return {"filter": torch.as_tensor(mod.gd_filter(lam, case["lr"], case["steps"])).detach()}


def _ridge_filter(mod, case):
    lam = eigenvalues(case)
    return {"filter": torch.as_tensor(mod.ridge_filter(lam, case["alpha"])).detach()}


def _effective_dof(mod, case):
    lam = eigenvalues(case)
    dof = torch.as_tensor(mod.effective_dof(lam, case["lr"], case["steps"])).detach()
    return {"dof": dof.reshape(())}


def regression_problem(case: dict) -> tuple[torch.Tensor, torch.Tensor]:
    g = _gen(case)
    n, d = case["n"], case["d"]
    X = torch.randn(n, d, generator=g, dtype=torch.float64) * torch.linspace(0.2, 2.0, d, dtype=torch.float64)
    if case.get("zero_column"):  # a feature that is always 0, like the digits' corner pixels
        X[:, 0] = 0
    shape = (n, case["k"]) if case.get("k") else (n,)
    y = torch.randn(*shape, generator=g, dtype=torch.float64)
    if case.get("near_zero_column"):
        # A feature that is 0 in every example but one, where it is 1e-8: its eigenvalue (about 1e-16 / n) is below
        # what eigh resolves in X^T X / n, and 1 - lr * lambda rounds to 1, yet X^T y has a component there, which GD
        # scales by lr * steps (the limit of filter / lambda). An exact zero eigenvalue tests no such thing: X^T y has
        # no component there.
        X[:, 0] = 0
        X[y.reshape(n, -1).abs().sum(1).argmax(), 0] = 1e-8
    return X, y


def _gd_weights(mod, case):
    X, y = regression_problem(case)
    X_before, y_before = X.clone(), y.clone()
    w = torch.as_tensor(mod.gd_weights(X, y, case["lr"], case["steps"])).detach()
    return {"weights": w, "inputs_untouched": bool(X.equal(X_before) and y.equal(y_before))}


def dropout_inputs(case: dict) -> dict[str, torch.Tensor]:
    g = _gen(case)
    b, n = case["batch"], case["units"]
    lo, hi = case.get("p_range", (0.05, 0.9))
    p = lo + (hi - lo) * torch.rand(n, generator=g, dtype=torch.float64)
    u = torch.rand(b, n, generator=g, dtype=torch.float64).clamp(1e-6, 1 - 1e-6)
    x = torch.randn(b, n, generator=g, dtype=torch.float64)
    weights = torch.randn(b, n, generator=g, dtype=torch.float64)  # a fixed linear read-out, for gradients
    return {"p": p, "u": u, "x": x, "weights": weights}


def _relaxed_keep_mask(mod, case):
    t = dropout_inputs(case)
    p = t["p"].clone().requires_grad_(True)
    keep = torch.as_tensor(mod.relaxed_keep_mask(p, t["u"], case["temperature"]))
    (grad,) = torch.autograd.grad((keep * t["weights"]).sum(), p, allow_unused=True)
    return {"keep": keep.detach(), "grad_p": torch.zeros_like(p) if grad is None else grad}


def _set_rates(module, p: torch.Tensor) -> list[list[int]]:
    """Set the module's one parameter (a logit per unit) so that its rates are `p`; returns the parameter shapes."""
    params = list(module.parameters())
    shapes = [list(q.shape) for q in params]
    if len(params) == 1 and list(params[0].shape) == [p.shape[0]]:
        with torch.no_grad():
            params[0].copy_(torch.log(p) - torch.log1p(-p))
    return shapes


def _concrete_dropout(mod, case):
    t = dropout_inputs(case)
    kind = case["kind"]
    if kind == "init":  # the constructor's defaults and init_p
        kwargs = {"init_p": case["init_p"]} if "init_p" in case else {}
        module = mod.ConcreteDropout(case["units"], **kwargs).double()
        module.train()
        shapes = [list(q.shape) for q in module.parameters()]
        out = module(t["x"], t["u"])
        return {"parameter_shapes": shapes, "p": torch.as_tensor(module.p).detach(), "output": out.detach()}
    module = mod.ConcreteDropout(case["units"], init_p=0.2, temperature=case["temperature"]).double()
    shapes = _set_rates(module, t["p"])
    if kind == "train":  # given noise: value, and gradients with respect to the rates and the input
        module.train()
        x = t["x"].clone().requires_grad_(True)
        out = module(x, t["u"])
        params = list(module.parameters())
        grads = torch.autograd.grad((out * t["weights"]).sum(), params + [x], allow_unused=True)
        grads = [torch.zeros(0) if g is None else g for g in grads]
        return {"parameter_shapes": shapes, "p": torch.as_tensor(module.p).detach(), "output": out.detach(),
                "grad_logits": grads[:-1], "grad_x": grads[-1]}
    if kind == "eval":
        module.eval()
        out = module(t["x"])
        return {"parameter_shapes": shapes, "output": torch.as_tensor(out).detach()}
    # kind == "drawn": the module draws its own noise; judge its statistics, not its values
    module.train()
    torch.manual_seed(case["seed"])
    with torch.no_grad():
        p = module.p.detach()
        keep = module(torch.ones(case["batch"], case["units"], dtype=torch.float64)) * (1 - p)
    if tuple(keep.shape) != (case["batch"], case["units"]):
        return {"shape": list(keep.shape)}
    centred = keep - keep.mean(dim=0)
    corr = (centred.T @ centred) / (centred.norm(dim=0)[:, None] * centred.norm(dim=0)[None, :] + 1e-300)
    off_diagonal = corr - torch.diag(torch.diag(corr))
    dropped = (keep < 0.5).double().mean(dim=0)  # the relaxed mask is near 0 or 1 at a low temperature
    return {
        "shape": list(keep.shape),
        "in_0_1": bool(((keep >= -1e-12) & (keep <= 1 + 1e-12)).all()),
        "varies_across_examples": bool((keep.std(dim=0) > 0.1).all()),
        "units_independent": bool(off_diagonal.abs().max() < 0.15),
        "drop_rate_is_p": bool(((dropped - p).abs() < 0.06).all()),
    }


def _concrete_regularizer(mod, case):
    g = _gen(case)
    n = case["units"]
    lo, hi = case.get("p_range", (0.02, 0.95))
    p = (lo + (hi - lo) * torch.rand(n, generator=g, dtype=torch.float64)).requires_grad_(True)
    norms = (torch.rand(n, generator=g, dtype=torch.float64) * 3).requires_grad_(True)
    value = torch.as_tensor(mod.concrete_regularizer(p, norms, case["weight_reg"], case["dropout_reg"]))
    grads = torch.autograd.grad(value, [p, norms], allow_unused=True)
    return {"value": value.detach().reshape(()),
            "grad_p": torch.zeros(n) if grads[0] is None else grads[0],
            "grad_row_sq_norms": torch.zeros(n) if grads[1] is None else grads[1]}


def sampled_masks(case: dict) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = _gen(case)
    n, s = case["units"], case["samples"]
    lo, hi = case.get("p_range", (0.1, 0.9))
    p = lo + (hi - lo) * torch.rand(n, generator=g, dtype=torch.float64)
    keep = (torch.rand(s, n, generator=g, dtype=torch.float64) >= p).double()
    losses = torch.randn(s, generator=g, dtype=torch.float64) + case.get("loss_offset", 0.0)
    return p, keep, losses


def _score_function_grad(mod, case):
    p, keep, losses = sampled_masks(case)
    args = (p, keep, losses) if "baseline" not in case else (p, keep, losses, case["baseline"])
    return {"grad": torch.as_tensor(mod.score_function_grad(*args)).detach()}


def mask_loss(case: dict):
    """A loss of the keep mask with interactions: (target - a . m)^2 + c * m_0 m_1 m_2 (when n >= 3)."""
    g = _gen(case, 11)
    n = case["units"]
    a = torch.randn(n, generator=g, dtype=torch.float64)
    target, c = float(torch.randn((), generator=g, dtype=torch.float64)), case.get("interaction", 0.7)

    def loss(masks: torch.Tensor) -> torch.Tensor:
        m = torch.as_tensor(masks, dtype=torch.float64)
        value = (target - m @ a) ** 2
        if n >= 3:
            value = value + c * m[..., 0] * m[..., 1] * m[..., 2]
        return value

    return loss


def _exact_dropout_grad(mod, case):
    g = _gen(case)
    n = case["units"]
    if "p" in case:
        p = torch.tensor(case["p"], dtype=torch.float64)
    else:
        p = 0.05 + 0.9 * torch.rand(n, generator=g, dtype=torch.float64)
    expected, grad = mod.exact_dropout_grad(p, mask_loss(case))
    return {"expected_loss": torch.as_tensor(expected).detach().reshape(()), "grad": torch.as_tensor(grad).detach()}


def _describe(case: dict) -> str:
    """Language-neutral key=value text, the seed last: the feedback reads the same in English and French."""
    return ", ".join([f"{k}={v}" for k, v in case.items() if k != "seed"] + [f"seed={case.get('seed')}"])


# Task 4.2 asks for the closed form: the weights after `steps` steps without running them. A loop over the steps (or
# the given gd_weights_by_steps, which runs them) passes every value case, so a rule reads the source.
GD_CLOSED_FORM = Rule(
    "gd_weights",
    "gd_weights is asked in closed form through the eigendecomposition: no loop, comprehension, map or range, no "
    "gd_weights_by_steps and no torch.optim / gd_weights se calcule sous forme close, à partir de la décomposition en "
    "éléments propres : ni boucle, ni compréhension de liste, ni map, ni range, ni gd_weights_by_steps, ni torch.optim",
    names=("gd_weights_by_steps", "map", "range", "functools.reduce", "itertools", "torch.optim"),
    loops=True)


def _check(check_id: str, points: float, probe, public: list[dict], rtol: float = 1e-7, atol: float = 1e-10,
           rules: tuple[Rule, ...] = ()) -> Check:
    return Check(check_id, points, probe, public=public, rtol=rtol, atol=atol, describe=_describe, rules=rules)


CHECKS = [
    _check("gd_filter", 1, _gd_filter, [
        dict(n=6, lr=0.1, steps=10, seed=0),
        dict(n=3, lr=0.5, steps=1, seed=1, extra=[0.0]),
    ]),
    _check("ridge_filter", 1, _ridge_filter, [
        dict(n=6, alpha=0.1, seed=0),
        dict(n=3, alpha=1.0, seed=1, extra=[0.0]),
    ]),
    _check("gd_weights", 2, _gd_weights, [
        dict(n=20, d=5, lr=0.1, steps=25, seed=0),
        dict(n=12, d=4, k=3, lr=0.05, steps=3, seed=1),
    ], rules=(GD_CLOSED_FORM,)),
    _check("effective_dof", 1, _effective_dof, [
        dict(n=8, lr=0.2, steps=30, seed=0),
    ]),
    _check("relaxed_keep_mask", 2, _relaxed_keep_mask, [
        dict(batch=4, units=3, temperature=0.5, seed=0),
        dict(batch=3, units=5, temperature=0.1, seed=1),
    ]),
    _check("concrete_dropout", 3, _concrete_dropout, [
        dict(kind="train", batch=4, units=3, temperature=0.5, seed=0),
        dict(kind="eval", batch=3, units=5, temperature=0.1, seed=1),
        dict(kind="init", batch=2, units=4, init_p=0.3, seed=2),
        dict(kind="drawn", batch=4000, units=4, temperature=0.05, seed=3),
    ]),
    _check("concrete_regularizer", 2, _concrete_regularizer, [
        dict(units=5, weight_reg=0.01, dropout_reg=0.1, seed=0),
    ]),
    _check("score_function_grad", 2, _score_function_grad, [
        dict(units=4, samples=6, seed=0),
        dict(units=3, samples=5, seed=1, baseline=0.5, loss_offset=1.0),
    ]),
    _check("exact_dropout_grad", 2, _exact_dropout_grad, [
        dict(units=3, seed=0),
        dict(units=5, seed=1),
    ]),
]
