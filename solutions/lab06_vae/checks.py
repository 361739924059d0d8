"""Lab 6 checks. Every input is built from a seed inside the probe (float64), so a case stays one line; the noise of
the stochastic functions is an input, so every probe is deterministic. Gradients are compared where a mistake can
hide in them, and torch.distributions is switched off during a probe: the lab asks for these formulas built by hand.

Vérifications du lab 6 : chaque entrée est construite à partir d'une graine ; torch.distributions est désactivé
pendant chaque vérification, car le lab demande d'écrire ces formules à la main."""

from __future__ import annotations

import contextlib

import torch
import torch.distributions
import torch.distributions.kl
from torch import nn

from labkit.grading import Check
from labkit.rules import Rule

_BANNED = ("Normal", "MultivariateNormal", "LowRankMultivariateNormal", "Independent", "kl_divergence")


class LibraryNotAllowed(RuntimeError):
    pass


@contextlib.contextmanager
def no_distributions(mod):
    """torch.distributions' Gaussians and KL raise while a probe runs, also where the module imported them by name."""

    def refuse(name):
        def _raise(*args, **kwargs):
            raise LibraryNotAllowed(f"torch.distributions.{name} is not allowed in this lab: build the formula "
                                    f"yourself / torch.distributions.{name} n'est pas autorisé dans ce lab : "
                                    "écrivez la formule vous-même")
        return _raise

    saved = []
    originals = {name: getattr(torch.distributions, name) for name in _BANNED}
    targets = [torch.distributions, torch.distributions.kl]
    for target in targets:
        for name in _BANNED:
            if hasattr(target, name):
                saved.append((target, name, getattr(target, name)))
                setattr(target, name, refuse(name))
    for name, value in list(vars(mod).items()):
        if any(value is original for original in originals.values()):
            saved.append((mod, name, value))
            setattr(mod, name, refuse(name))
    try:
        yield
    finally:
        for target, name, value in reversed(saved):
            setattr(target, name, value)


def gen(case: dict, offset: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(case["seed"] + offset)


def randn(g: torch.Generator, *shape: int, scale: float = 1.0) -> torch.Tensor:
    return scale * torch.randn(*shape, generator=g, dtype=torch.float64)


def spd(g: torch.Generator, batch: list[int], k: int, scale: float = 1.0) -> torch.Tensor:
    """A factor A with A A^T + 0.3 I well conditioned: covariances are built from it so that gradients with respect
    to A do not depend on how a solution reads the covariance (lower triangle, both triangles)."""
    return randn(g, *batch, k, k, scale=scale)


def cov_from(a: torch.Tensor) -> torch.Tensor:
    return a @ a.transpose(-1, -2) + 0.3 * torch.eye(a.shape[-1], dtype=a.dtype)


class TanhDecoder(nn.Module):
    """A small decoder (..., K) -> logits (..., D), built from a seed without the student's code."""

    def __init__(self, k: int, d: int, seed: int, hidden: int = 7) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.net = nn.Sequential(nn.Linear(k, hidden), nn.Tanh(), nn.Linear(hidden, d)).double()
        with torch.no_grad():
            self.net[-1].weight.mul_(3.0)  # logits of a few units: the pixels' log-likelihoods differ visibly

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


@contextlib.contextmanager
def reference_kl(mod, mu: torch.Tensor, logvar: torch.Tensor):
    """`elbo` and `ppca_elbo` call `kl_diag_gaussian_std_normal`: while their probe runs, that name answers with the
    reference's KL for the probe's (mu, logvar), computed here by torch.distributions before the library is switched
    off, so that a wrong KL value costs once, in its own check. The module's own function still runs (the method rules
    see what `elbo` reaches at run time, helpers included); called with other tensors, it answers; an `elbo` that
    writes the KL inline is judged on it as written."""
    standard = torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    value = torch.distributions.kl_divergence(torch.distributions.Normal(mu, (0.5 * logvar).exp()), standard).sum(-1)
    own = getattr(mod, "kl_diag_gaussian_std_normal", None)

    def kl_diag_gaussian_std_normal(m, lv):
        if own is None:
            raise NameError("kl_diag_gaussian_std_normal")
        if m is mu and lv is logvar:
            with contextlib.suppress(Exception):  # it runs as the submitted code runs it; only its value is unused
                own(m, lv)
            return value
        return own(m, lv)

    mod.kl_diag_gaussian_std_normal = kl_diag_gaussian_std_normal
    try:
        yield
    finally:
        if own is None:
            del mod.kl_diag_gaussian_std_normal
        else:
            mod.kl_diag_gaussian_std_normal = own


def _grads(value: torch.Tensor, wrt: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    names = list(wrt)
    grads = torch.autograd.grad(value.sum(), [wrt[n] for n in names], allow_unused=True)
    return {f"grad_{n}": torch.zeros_like(wrt[n]) if g is None else g for n, g in zip(names, grads, strict=True)}


def _out(value) -> torch.Tensor:
    return torch.as_tensor(value)


# --- probes -------------------------------------------------------------------------------------------------------


def _kl_std_normal(mod, case):
    g = gen(case)
    mu = randn(g, case["batch"], case["dim"], scale=case.get("mu_scale", 1.0)).requires_grad_()
    logvar = randn(g, case["batch"], case["dim"], scale=case.get("logvar_scale", 1.0)).requires_grad_()
    with no_distributions(mod):
        value = _out(mod.kl_diag_gaussian_std_normal(mu, logvar))
    return {"value": value.detach(), **_grads(value, {"mu": mu, "logvar": logvar})}


def _gaussian_kl(mod, case):
    g, k = gen(case), case["dim"]
    bq, bp = case["batch_q"], case["batch_p"]
    mean_q, a_q = randn(g, *bq, k).requires_grad_(), spd(g, bq, k).requires_grad_()
    if case.get("same"):
        mean_p, a_p = mean_q, a_q
    else:
        mean_p = randn(g, *bp, k, scale=case.get("mean_scale", 1.0)).requires_grad_()
        a_p = spd(g, bp, k, scale=case.get("cov_scale", 1.0)).requires_grad_()
    with no_distributions(mod):
        value = _out(mod.gaussian_kl(mean_q, cov_from(a_q), mean_p, cov_from(a_p)))
    wrt = {"mean_q": mean_q, "a_q": a_q} if case.get("same") else {"mean_q": mean_q, "a_q": a_q, "mean_p": mean_p,
                                                                     "a_p": a_p}
    return {"value": value.detach(), **_grads(value, wrt)}


def _reparameterize(mod, case):
    g, b, k = gen(case), case["batch"], case["dim"]
    mu, logvar = randn(g, b, k).requires_grad_(), randn(g, b, k, scale=1.5).requires_grad_()
    eps = randn(g, *case.get("samples", []), b, k)
    with no_distributions(mod):
        z = _out(mod.reparameterize(mu, logvar, eps))
    return {"z": z.detach(), **_grads((z * randn(g, *z.shape)), {"mu": mu, "logvar": logvar})}


def _elbo(mod, case):
    g, b, k, d = gen(case), case["batch"], case["dim"], case["pixels"]
    x = (torch.rand(b, d, generator=g, dtype=torch.float64) < 0.4).double()
    mu = randn(g, b, k).requires_grad_()
    logvar = randn(g, b, k, scale=case.get("logvar_scale", 0.5)).requires_grad_()
    eps = randn(g, case["samples"], b, k)
    decoder = TanhDecoder(k, d, case["seed"] + 1)
    with reference_kl(mod, mu, logvar), no_distributions(mod):
        value = _out(mod.elbo(x, mu, logvar, decoder, eps))
    params = dict(decoder.named_parameters())
    grads = _grads(value, {"mu": mu, "logvar": logvar, **{n.replace(".", "_"): p for n, p in params.items()}})
    return {"value": value.detach(), **grads}


def _iwae_bound(mod, case):
    if "log_weights" in case:
        lw = torch.tensor(case["log_weights"], dtype=torch.float64)
    else:
        g = gen(case)
        lw = randn(g, case["samples"], case["batch"], scale=case.get("scale", 1.0)) + case.get("shift", 0.0)
    lw = lw.requires_grad_()
    with no_distributions(mod):
        value = _out(mod.iwae_bound(lw))
    return {"value": value.detach(), **_grads(value, {"log_weights": lw})}


def make_ppca(case: dict) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, float]:
    g, b, d, k = gen(case), case["batch"], case["pixels"], case["dim"]
    W = randn(g, d, k, scale=case.get("w_scale", 1.0))
    mu = randn(g, d)
    sigma2 = case["sigma2"]
    z = randn(g, b, k)
    x = z @ W.T + mu + sigma2**0.5 * randn(g, b, d) + case.get("shift", 0.0)
    return x, W, mu, sigma2


def _ppca_log_marginal(mod, case):
    x, W, mu, sigma2 = make_ppca(case)
    W.requires_grad_(), x.requires_grad_()
    with no_distributions(mod):
        value = _out(mod.ppca_log_marginal(x, W, mu, sigma2))
    return {"value": value.detach(), **_grads(value, {"W": W, "x": x})}


def _ppca_posterior(mod, case):
    x, W, mu, sigma2 = make_ppca(case)
    with no_distributions(mod):
        mean, cov = mod.ppca_posterior(x, W, mu, sigma2)
    return {"mean": _out(mean).detach(), "cov": _out(cov).detach()}


def _ppca_elbo(mod, case):
    x, W, mu, sigma2 = make_ppca(case)
    g = gen(case, 1)
    m = randn(g, case["batch"], case["dim"]).requires_grad_()
    logvar = randn(g, case["batch"], case["dim"], scale=case.get("logvar_scale", 1.0)).requires_grad_()
    W.requires_grad_()
    with reference_kl(mod, m, logvar), no_distributions(mod):
        value = _out(mod.ppca_elbo(x, W, mu, sigma2, m, logvar))
    return {"value": value.detach(), **_grads(value, {"m": m, "logvar": logvar, "W": W})}


def _mean_field_optimum(mod, case):
    x, W, mu, sigma2 = make_ppca(case)
    with no_distributions(mod):
        m, logvar = mod.mean_field_optimum_ppca(x, W, mu, sigma2)
    return {"m": _out(m).detach(), "logvar": _out(logvar).detach()}


def _made_masks(mod, case):
    masks = mod.made_masks(case["dim"], list(case["hidden"]))
    return {"masks": [_out(m).detach().double() for m in masks]}


def _iaf_step(mod, case):
    torch.manual_seed(case["seed"])
    dim, ctx = case["dim"], case["context_dim"]
    step = mod.IAFStep(dim, ctx, tuple(case["hidden"]), forget_bias=case.get("forget_bias", 1.0)).double()
    g = gen(case, 1)
    with torch.no_grad():  # weights large enough that m and s vary visibly with z and h
        for p in step.parameters():
            p.copy_(randn(g, *p.shape, scale=case.get("weight_scale", 0.7)))
    z = randn(g, case["batch"], dim, scale=1.5).requires_grad_()
    h = randn(g, case["batch"], ctx) if ctx else None
    with no_distributions(mod):
        z_new, log_det = step(z, h)
        z_new, log_det = _out(z_new), _out(log_det)
        jac = torch.autograd.functional.jacobian(lambda zz: step(zz, h)[0], z.detach())
    b = case["batch"]
    per_example = jac[torch.arange(b), :, torch.arange(b), :]  # d z_new[b] / d z[b]: (B, dim, dim)
    params = dict(step.named_parameters())
    grads = _grads(z_new.sum(-1) + 3 * log_det, {"z": z, **{n.replace(".", "_"): p for n, p in params.items()}})
    return {"z_new": z_new.detach(), "log_det": log_det.detach(), "jacobian": per_example, **grads}


def _describe(case: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in case.items() if k != "log_weights") + (
        f", log_weights={case['log_weights']}" if "log_weights" in case else "")


def _by_hand(target: str, closed_form: bool = False) -> tuple[Rule, ...]:
    """torch.distributions (its private KL functions included) is not allowed; a closed form may not optimise."""
    rules = [Rule(target, f"{target} is built by hand: no torch.distributions / {target} s'écrit à la main : "
                          "sans torch.distributions", names=("torch.distributions",))]
    if closed_form:
        rules.append(Rule(target, f"{target} is asked in closed form: no autograd and no torch.optim / {target} se "
                                  "calcule sous forme close : ni différentiation automatique, ni torch.optim",
                          names=("torch.autograd", "torch.func", "torch._functorch", "functorch", "torch.optim"),
                          attributes=("backward", "requires_grad", "requires_grad_", "enable_grad")))
    return tuple(rules)


CHECKS = [
    Check("kl_std_normal", 1, _kl_std_normal, rtol=1e-9, atol=1e-10, describe=_describe,
          rules=_by_hand("kl_diag_gaussian_std_normal"), public=[
        dict(batch=4, dim=3, seed=0),
        dict(batch=2, dim=5, seed=1, mu_scale=0.0, logvar_scale=0.0),
    ]),
    Check("gaussian_kl", 2, _gaussian_kl, rtol=1e-8, atol=1e-9, describe=_describe,
          rules=_by_hand("gaussian_kl"), public=[
        dict(batch_q=[3], batch_p=[3], dim=2, seed=0),
        dict(batch_q=[4], batch_p=[], dim=3, seed=1),
    ]),
    Check("reparameterize", 1, _reparameterize, rtol=1e-9, atol=1e-10, describe=_describe,
          rules=_by_hand("reparameterize"), public=[
        dict(batch=3, dim=2, seed=0),
        dict(batch=4, dim=3, seed=1, samples=[5]),
    ]),
    Check("elbo", 2, _elbo, rtol=1e-8, atol=1e-9, describe=_describe,
          rules=_by_hand("elbo"), public=[
        dict(batch=3, dim=2, pixels=5, samples=4, seed=0),
    ]),
    Check("iwae_bound", 1, _iwae_bound, rtol=1e-9, atol=1e-9, describe=_describe,
          rules=_by_hand("iwae_bound"), public=[
        dict(samples=6, batch=3, seed=0),
        dict(log_weights=[[-1000.0, 800.0], [-1001.0, 801.0]]),
    ]),
    Check("ppca_log_marginal", 1, _ppca_log_marginal, rtol=1e-8, atol=1e-8, describe=_describe,
          rules=_by_hand("ppca_log_marginal"), public=[
        dict(batch=4, pixels=5, dim=2, sigma2=0.3, seed=0),
    ]),
    Check("ppca_posterior", 1, _ppca_posterior, rtol=1e-8, atol=1e-10, describe=_describe,
          rules=_by_hand("ppca_posterior"), public=[
        dict(batch=4, pixels=5, dim=2, sigma2=0.3, seed=0),
    ]),
    Check("ppca_elbo", 2, _ppca_elbo, rtol=1e-8, atol=1e-8, describe=_describe,
          rules=_by_hand("ppca_elbo"), public=[
        dict(batch=4, pixels=5, dim=2, sigma2=0.3, seed=0),
    ]),
    Check("mean_field_optimum", 1, _mean_field_optimum, rtol=1e-8, atol=1e-10, describe=_describe,
          rules=_by_hand("mean_field_optimum_ppca", True), public=[
        dict(batch=3, pixels=6, dim=3, sigma2=0.5, seed=0),
    ]),
    Check("made_masks", 1, _made_masks, rtol=0, atol=0, describe=_describe, public=[
        dict(dim=3, hidden=[4]),
    ]),
    Check("iaf_step", 2, _iaf_step, rtol=1e-8, atol=1e-10, describe=_describe,
          rules=_by_hand("IAFStep"), public=[
        dict(dim=3, context_dim=2, hidden=[5], batch=4, seed=0),
    ]),
]
