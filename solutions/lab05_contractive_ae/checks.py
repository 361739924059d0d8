"""Lab 5 checks. Weights, batches and encoders are built from a seed inside the probe (float64, non-square W), so a
case stays one line. Gradients are compared as well as values: a penalty that looks right but does not train (a
detached W, a constant mask in the wrong place) only shows there.

`integer=True` cases draw integer weights, biases and inputs, so that many pre-activations are exactly 0: relu'(0)
must be 0 there. The closed-form tasks are recorded with the names of the tensor operations they ran: a closed form
runs no backward operation, autograd does."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

from labkit.grading import Check
from labkit.rules import Rule, no_autograd


class _BackwardOps(TorchDispatchMode):
    """Notes whether any backward kernel (autograd, torch.func) runs inside the block."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = False

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if "backward" in str(func):
            self.seen = True
        return func(*args, **(kwargs or {}))


def make_params(case: dict) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """W (H, D), b (H,), c (D,), x (B, D), float64, W, b and c requiring grad."""
    g = torch.Generator().manual_seed(case["seed"])
    H, D, B = case["hidden"], case["dim"], case["batch"]
    if case.get("integer"):
        W = torch.randint(-2, 3, (H, D), generator=g).double()
        b = torch.randint(-2, 3, (H,), generator=g).double()
        x = torch.randint(-1, 2, (B, D), generator=g).double()
    else:
        W = case.get("scale", 1.0) * torch.randn(H, D, generator=g, dtype=torch.float64)
        b = case.get("bias", 0.0) + torch.randn(H, generator=g, dtype=torch.float64)
        x = torch.rand(B, D, generator=g, dtype=torch.float64)
    c = torch.randn(D, generator=g, dtype=torch.float64)
    return W.requires_grad_(), b.requires_grad_(), c.requires_grad_(), x


def _weights_like(out: torch.Tensor, seed: int) -> torch.Tensor:
    return torch.rand(out.shape, generator=torch.Generator().manual_seed(seed + 11), dtype=torch.float64) + 0.5


def _grads(out: torch.Tensor, params: dict[str, torch.Tensor], seed: int) -> dict[str, torch.Tensor]:
    """Gradients of a fixed random weighting of `out` (every entry counts); zeros where `out` has no graph."""
    out = torch.as_tensor(out)
    if not out.requires_grad:
        return {f"grad_{k}": torch.zeros_like(p) for k, p in params.items()}
    scalar = (out.double() * _weights_like(out, seed)).sum()
    grads = torch.autograd.grad(scalar, list(params.values()), allow_unused=True)
    pairs = zip(params.items(), grads, strict=True)
    return {f"grad_{k}": torch.zeros_like(p) if g is None else g for (k, p), g in pairs}


# --- probes -------------------------------------------------------------------------------------------------------


def _linear_cae_penalty(mod, case):
    W, _, _, _ = make_params(case)
    out = torch.as_tensor(mod.linear_cae_penalty(W))
    return {"penalty": out.detach(), **_grads(out, {"W": W}, case["seed"])}


def _relu_jacobian(mod, case):
    W, b, _, x = make_params(case)
    with _BackwardOps() as ops:
        J = torch.as_tensor(mod.relu_jacobian(W, b, x))
    return {"jacobian": J.detach(), "closed_form": not ops.seen, **_grads(J, {"W": W, "b": b}, case["seed"])}


def _cae_penalty(mod, case):
    W, b, _, x = make_params(case)
    with _BackwardOps() as ops:
        out = torch.as_tensor(mod.cae_penalty(W, b, x, case["activation"]))
    return {"penalty": out.detach(), "closed_form": not ops.seen, **_grads(out, {"W": W, "b": b}, case["seed"])}


class _Encoder(nn.Module):
    """Encoders for the torch.func task, built without the student's code."""

    def __init__(self, kind: str, dim: int, hidden: int, seed: int) -> None:
        super().__init__()
        torch.manual_seed(seed)
        if kind == "linear":
            self.net = nn.Linear(dim, hidden)
        elif kind == "sigmoid":
            self.net = nn.Sequential(nn.Linear(dim, hidden), nn.Sigmoid())
        elif kind == "relu":
            self.net = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU())
        else:  # two layers: the Jacobian is no longer diag(slope) W
            self.net = nn.Sequential(nn.Linear(dim, 2 * hidden), nn.Tanh(), nn.Linear(2 * hidden, hidden),
                                     nn.Softplus())
        self.double()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def _encoder_and_batch(case: dict) -> tuple[nn.Module, torch.Tensor]:
    encoder = _Encoder(case["encoder"], case["dim"], case["hidden"], case["seed"])
    g = torch.Generator().manual_seed(case["seed"] + 1)
    return encoder, torch.randn(case["batch"], case["dim"], generator=g, dtype=torch.float64)


def _jacobian_penalty_autograd(mod, case):
    encoder, x = _encoder_and_batch(case)
    out = torch.as_tensor(mod.jacobian_penalty_autograd(encoder, x))
    params = dict(encoder.named_parameters())
    return {"penalty": out.detach(), **_grads(out, params, case["seed"])}


def _loss(name: str):
    def probe(mod, case):
        W, b, c, x = make_params(case)
        out = torch.as_tensor(getattr(mod, name)(x, W, b, c, case["lam"], case["activation"]))
        return {"loss": out.detach(), **_grads(out, {"W": W, "b": b, "c": c}, case["seed"])}

    return probe


def _contraction_ratio(mod, case):
    encoder, x = _encoder_and_batch(case)
    g = torch.Generator().manual_seed(case["seed"] + 2)
    d = torch.randn(case["directions"], case["dim"], generator=g, dtype=torch.float64)
    d = d / d.norm(dim=1, keepdim=True)
    with torch.no_grad():
        out = torch.as_tensor(mod.contraction_ratio(encoder, x, case["radius"], d))
    return {"ratio": out.detach()}


def _describe(case: dict) -> str:
    """Language-neutral key=value text: the feedback reads the same in English and French."""
    text = f"W={case['hidden']}x{case['dim']}, batch={case['batch']}, seed={case['seed']}"
    extra = [f"{k}={case[k]}" for k in ("activation", "lam", "encoder", "radius", "directions", "scale", "bias",
                                        "integer") if k in case]
    return ", ".join([text, *extra])


def _closed_form(target: str) -> Rule:
    """No autograd, torch.func or their private modules (torch._functorch) in a closed form."""
    rule = no_autograd(target, text=(
        f"{target} is asked in closed form: no autograd (backward, torch.autograd, torch.func, .grad, requires_grad) "
        f"/ {target} se calcule sous forme close : pas de différentiation automatique (backward, torch.autograd, "
        "torch.func, .grad, requires_grad)"))
    return Rule(target, rule.text, names=(*rule.names, "torch._functorch", "torch._C._functorch"),
                attributes=rule.attributes)


CHECKS = [
    Check("linear_cae_penalty", 1, _linear_cae_penalty, rtol=1e-9, atol=1e-12, describe=_describe, public=[
        dict(hidden=3, dim=5, batch=1, seed=0),
    ]),
    Check("relu_jacobian", 2, _relu_jacobian, rtol=1e-9, atol=1e-12, describe=_describe,
          rules=(_closed_form("relu_jacobian"),), public=[
        dict(hidden=4, dim=3, batch=2, seed=0),
        dict(hidden=3, dim=5, batch=6, seed=1, integer=True),
    ]),
    Check("cae_penalty", 3, _cae_penalty, rtol=1e-8, atol=1e-10, describe=_describe,
          rules=(_closed_form("cae_penalty"),), public=[
        dict(hidden=4, dim=3, batch=5, seed=0, activation="linear"),
        dict(hidden=4, dim=3, batch=5, seed=0, activation="relu"),
        dict(hidden=3, dim=5, batch=6, seed=1, activation="relu", integer=True),
        dict(hidden=4, dim=3, batch=5, seed=0, activation="sigmoid"),
        dict(hidden=2, dim=2, batch=1, seed=0, activation="tanh"),
    ]),
    Check("jacobian_penalty_autograd", 2, _jacobian_penalty_autograd, rtol=1e-8, atol=1e-10, describe=_describe,
          public=[
              dict(encoder="sigmoid", hidden=4, dim=3, batch=5, seed=0),
              dict(encoder="deep", hidden=3, dim=4, batch=2, seed=1),
          ]),
    Check("cae_loss", 2, _loss("cae_loss"), rtol=1e-8, atol=1e-10, describe=_describe, public=[
        dict(hidden=4, dim=3, batch=5, seed=0, lam=0.5, activation="linear"),
        dict(hidden=4, dim=3, batch=5, seed=0, lam=0.5, activation="relu"),
        dict(hidden=3, dim=5, batch=4, seed=2, lam=0.1, activation="sigmoid"),
    ]),
    Check("weight_decay_loss", 1, _loss("weight_decay_loss"), rtol=1e-8, atol=1e-10, describe=_describe, public=[
        dict(hidden=4, dim=3, batch=5, seed=0, lam=0.5, activation="relu"),
    ]),
    Check("contraction_ratio", 1, _contraction_ratio, rtol=1e-8, atol=1e-10, describe=_describe, public=[
        dict(encoder="sigmoid", hidden=4, dim=3, batch=5, seed=0, radius=0.5, directions=3),
    ]),
]
