"""Lab 7 checks. Critics and batches are built from a seed inside the probe (float64), so a case stays one line.

Random samples cannot be compared draw by draw (a student may draw in another order), so the mixture check records
exact centers, dtypes and pass/fail statistics; the gradient-penalty check recovers eps from the points the critic was
called at. `linear_critic_grad_w` is asked in closed form: a method rule keeps autograd out of it."""

from __future__ import annotations

import torch
from torch import nn

from labkit.grading import Check
from labkit.rules import Rule, no_autograd


def make_batch(case: dict) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(case["seed"])
    real = torch.randn(case["batch"], case["dim"], generator=g, dtype=torch.float64) + case.get("shift", 0.0)
    fake = torch.randn(case["batch"], case["dim"], generator=g, dtype=torch.float64)
    return real, fake


def make_eps(case: dict) -> torch.Tensor:
    return torch.rand(case["batch"], 1, generator=torch.Generator().manual_seed(case["seed"] + 7), dtype=torch.float64)


class TanhCritic(nn.Module):
    """A small non-linear critic, (B, dim) -> (B,): its gradient depends on where it is taken."""

    def __init__(self, dim: int, seed: int, hidden: int = 6) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.net = nn.Sequential(nn.Linear(dim, hidden), nn.Tanh(), nn.Linear(hidden, 1)).double()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(-1)


class AffineCritic(nn.Module):
    """w^T x + b built without the student's class, for checks that are about the loss, not the critic."""

    def __init__(self, w: torch.Tensor, b: float) -> None:
        super().__init__()
        self.w, self.b = nn.Parameter(w.clone()), nn.Parameter(torch.tensor(b, dtype=w.dtype))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.w + self.b


class RecordingCritic(nn.Module):
    """Wraps a critic and keeps every input it is called with."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner, self.inputs = inner, []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.inputs.append(x.detach().clone())
        return self.inner(x)


def make_critic(case: dict) -> nn.Module:
    if case.get("critic") == "linear":
        g = torch.Generator().manual_seed(case["seed"] + 3)
        return AffineCritic(case.get("w_scale", 1.0) * torch.randn(case["dim"], generator=g, dtype=torch.float64), 0.3)
    return TanhCritic(case["dim"], case["seed"] + 3)


def _loss_and_grads(critic: nn.Module, value: torch.Tensor) -> dict:
    value = torch.as_tensor(value)
    grads = torch.autograd.grad(value, list(critic.parameters()), allow_unused=True)
    return {"value": value.detach(), "param_grads": [torch.zeros(0) if g is None else g for g in grads]}


# --- probes -------------------------------------------------------------------------------------------------------

_SMALL_DRAWS = 40


def _mixture(mod, case):
    fn = {"ring": mod.ring_of_gaussians, "grid": mod.grid_of_gaussians}[case["kind"]]
    kwargs, std = case.get("kwargs", {}), case["std"]

    def draw():
        return fn(case["n"], **kwargs, std=std, generator=torch.Generator().manual_seed(case["seed"]))

    (samples, centers), (again, _) = draw(), draw()
    samples, centers = torch.as_tensor(samples), torch.as_tensor(centers)
    dtypes = {"samples_dtype": str(samples.dtype), "centers_dtype": str(centers.dtype)}  # float32 is asked
    samples, centers = samples.double(), centers.double()
    order = sorted(range(len(centers)), key=lambda i: (round(float(centers[i, 0]), 6), round(float(centers[i, 1]), 6)))
    centers = centers[order]
    nearest = torch.cdist(samples, centers).argmin(dim=1)
    residual = samples - centers[nearest]
    freqs = torch.bincount(nearest, minlength=len(centers)).double() / len(samples)
    # Independent draws: in a draw of as many samples as modes, every mode appears exactly once with probability
    # k! / k^k (0.0024 for 8 modes); assigning modes in turn (or shuffling such an assignment) always does that.
    all_once = 0
    for i in range(_SMALL_DRAWS):
        small = fn(len(centers), **kwargs, std=std, generator=torch.Generator().manual_seed(case["seed"] + 1 + i))[0]
        counts = torch.bincount(torch.cdist(torch.as_tensor(small).double(), centers).argmin(dim=1),
                                minlength=len(centers))
        all_once += bool((counts == 1).all())
    return {
        **dtypes,
        "centers": centers,
        "samples_shape": list(samples.shape),
        "same_generator_same_samples": bool(torch.equal(torch.as_tensor(again).double(), samples)),
        "spread_is_std": bool(abs(float(residual.std()) / std - 1) < 0.1),
        # isotropic: each coordinate has its own independent noise of that std
        "noise_isotropic": bool(((residual.std(dim=0) / std - 1).abs() < 0.1).all()
                                and abs(float(torch.corrcoef(residual.T)[0, 1])) < 0.1),
        "modes_equally_likely": bool((freqs - 1 / len(centers)).abs().max() < 0.25 / len(centers)),
        "modes_drawn_independently": all_once < _SMALL_DRAWS // 2,
    }


def _linear_critic(mod, case):
    critic = mod.LinearCritic(case["dim"]).double()
    shapes = {name: list(p.shape) for name, p in critic.named_parameters()}
    real, _ = make_batch(case)
    g = torch.Generator().manual_seed(case["seed"] + 1)
    with torch.no_grad():
        critic.w.copy_(torch.randn(case["dim"], generator=g, dtype=torch.float64))
        critic.b.copy_(torch.tensor(case["b"], dtype=torch.float64))
    out = critic(real)
    grad_w, grad_b = torch.autograd.grad(out.sum(), [critic.w, critic.b])
    return {"parameter_shapes": shapes, "output": out.detach(), "grad_w": grad_w, "grad_b": grad_b}


def _gradient_penalty(mod, case):
    real, fake = make_batch(case)
    critic = make_critic(case)
    if case.get("eps") == "drawn":  # eps drawn by the student's code: recover it from the point the critic saw
        recorder = RecordingCritic(critic)
        torch.manual_seed(case["seed"])
        value = mod.gradient_penalty(recorder, real, fake)
        if len(recorder.inputs) != 1:
            return {"critic_calls": len(recorder.inputs)}
        xhat = recorder.inputs[0]
        eps = ((xhat - fake) * (real - fake)).sum(1) / ((real - fake) ** 2).sum(1)
        on_segments = torch.allclose(fake + eps[:, None] * (real - fake), xhat, atol=1e-9)
        again = torch.as_tensor(mod.gradient_penalty(critic, real, fake, eps[:, None])).detach()
        return {
            "critic_calls": 1,
            "points_on_real_fake_segments": bool(on_segments),
            "eps_in_0_1": bool(((eps >= -1e-9) & (eps <= 1 + 1e-9)).all()),
            "eps_differs_per_sample": bool(eps.unique().numel() == len(eps) and float(eps.std()) > 0.1),
            "value_is_penalty_at_those_points": bool(torch.allclose(torch.as_tensor(value).detach(), again)),
        }
    return _loss_and_grads(critic, mod.gradient_penalty(critic, real, fake, make_eps(case)))


def _critic_loss(mod, case):
    real, fake = make_batch(case)
    critic = make_critic(case)
    return _loss_and_grads(critic, mod.critic_loss(critic, real, fake, case["lambda_gp"], make_eps(case)))


def _linear_critic_grad_w(mod, case):
    real, fake = make_batch(case)
    g = torch.Generator().manual_seed(case["seed"] + 3)
    w = case["w_scale"] * torch.randn(case["dim"], generator=g, dtype=torch.float64)
    w_before = w.clone()
    grad = mod.linear_critic_grad_w(w, real, fake, case["lambda_gp"])
    return {"grad_w": torch.as_tensor(grad).detach(), "w_untouched": w_before.equal(w)}


def _pack(mod, case):
    x = torch.arange(case["batch"] * case["dim"], dtype=torch.float64).reshape(case["batch"], case["dim"])
    return {"packed": mod.pack(x, case["m"])}


def _mode_coverage(mod, case):
    centers = torch.tensor(case["centers"], dtype=torch.float64)
    samples = torch.tensor(case["samples"], dtype=torch.float64).reshape(-1, 2)
    modes, fraction = mod.mode_coverage(samples, centers, case["std"])
    return {"modes": int(modes), "high_quality_fraction": float(fraction)}


def _describe_batch(case: dict) -> str:
    """Language-neutral key=value text: the feedback reads the same in English and French."""
    keys = ("batch", "dim", "b", "critic", "lambda_gp", "w_scale", "eps", "shift", "seed")
    return ", ".join(f"{k}={case[k]:.4g}" if isinstance(case[k], float) else f"{k}={case[k]}"
                     for k in keys if k in case)


def _describe_coverage(case: dict) -> str:
    return f"samples={len(case['samples'])}, centers={len(case['centers'])}, std={case['std']}"


_NO_AUTOGRAD = no_autograd("linear_critic_grad_w", text=(
    "linear_critic_grad_w is question 7(b) in closed form: no autograd (backward, torch.autograd, torch.func, .grad, "
    "requires_grad) / linear_critic_grad_w est la forme close de la question 7(b) : pas de différentiation "
    "automatique (backward, torch.autograd, torch.func, .grad, requires_grad)"))
# torch.func's private modules too: `from torch._functorch.apis import grad` is torch.func.grad.
CLOSED_FORM_RULE = Rule(_NO_AUTOGRAD.target, _NO_AUTOGRAD.text,
                        names=(*_NO_AUTOGRAD.names, "torch._functorch", "torch._C._functorch"),
                        attributes=_NO_AUTOGRAD.attributes)

CHECKS = [
    Check("mixtures", 1, _mixture, rtol=1e-5, atol=1e-5, public=[
        dict(kind="ring", n=4000, std=0.01, seed=0),
        dict(kind="grid", n=8000, std=0.05, seed=0),
    ]),
    Check("linear_critic", 1, _linear_critic, rtol=1e-9, atol=1e-12, describe=_describe_batch, public=[
        dict(dim=3, batch=4, b=0.5, seed=0),
    ]),
    Check("gradient_penalty", 3, _gradient_penalty, rtol=1e-8, atol=1e-10, describe=_describe_batch, public=[
        dict(dim=2, batch=5, seed=0),
        dict(dim=3, batch=4, seed=1, critic="linear"),
        dict(dim=2, batch=64, seed=2, eps="drawn"),
    ]),
    Check("critic_loss", 1, _critic_loss, rtol=1e-8, atol=1e-10, describe=_describe_batch, public=[
        dict(dim=2, batch=5, seed=0, lambda_gp=10.0),
    ]),
    Check("linear_critic_grad_w", 2, _linear_critic_grad_w, rtol=1e-8, atol=1e-10, describe=_describe_batch, public=[
        dict(dim=3, batch=6, seed=0, lambda_gp=10.0, w_scale=1.0),
    ], rules=(CLOSED_FORM_RULE,)),
    Check("pack", 1, _pack, rtol=0, atol=0, describe=lambda c: f"batch={c['batch']}, dim={c['dim']}, m={c['m']}",
          public=[
              dict(batch=6, dim=2, m=2),
              dict(batch=5, dim=2, m=2),
          ]),
    Check("mode_coverage", 2, _mode_coverage, rtol=1e-9, atol=1e-12, describe=_describe_coverage, public=[
        dict(centers=[[0.0, 0.0], [1.0, 0.0]], std=0.1,
             samples=[[0.0, 0.0], [0.05, 0.05], [0.5, 0.0], [2.0, 2.0]]),
    ]),
]
