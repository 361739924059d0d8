"""Lab 8 checks. Weights, states and uniforms are drawn from a seed inside the probe (float64), so a case stays one
line; N, M and K differ in every case, so that a wrong einsum index cannot pass by a coincidence of shapes."""

from __future__ import annotations

import contextlib

import torch

from labkit.grading import Check
from labkit.rules import Rule


def make_model(case: dict) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """W (N, M, K) with entries of std `scale`, and a batch of binary x, y, z."""
    g = torch.Generator().manual_seed(case["seed"])
    n, m, k, b = case["n"], case["m"], case["k"], case["batch"]
    W = case.get("scale", 1.0) * torch.randn(n, m, k, generator=g, dtype=torch.float64)
    x, y, z = ((torch.rand(b, d, generator=g, dtype=torch.float64) < 0.5).double() for d in (n, m, k))
    return W, x, y, z


def make_uniforms(case: dict, steps: int, *dims: int) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(case["seed"] + 1)
    return [torch.rand(steps, case["batch"], d, generator=g, dtype=torch.float64) for d in dims]


def _tensor(value) -> torch.Tensor:
    return torch.as_tensor(value).detach()


def _energy(mod, case):
    W, x, y, z = make_model(case)
    return {"energy": _tensor(mod.energy(W, x, y, z))}


def _conditionals(mod, case):
    W, x, y, z = make_model(case)
    return {"p_x": _tensor(mod.conditional_x(W, y, z)), "p_y": _tensor(mod.conditional_y(W, x, z)),
            "p_z": _tensor(mod.conditional_z(W, x, y))}


def _block_gibbs_step(mod, case):
    """`sweeps` sweeps in a row, each with its own uniforms: the state after the first and after the last."""
    W, x, y, z = make_model(case)
    ux, uy, uz = make_uniforms(case, case["sweeps"], case["n"], case["m"], case["k"])
    states = []
    for t in range(case["sweeps"]):
        x, y, z = (_tensor(v) for v in mod.block_gibbs_step(W, x, y, z, ux[t], uy[t], uz[t]))
        states.append({"x": x, "y": y, "z": z})
    return {"first_sweep": states[0], "last_sweep": states[-1]}


def _unnormalized_log_marginal(mod, case):
    W, x, _, _ = make_model(case)
    return {"log_marginal": _tensor(mod.unnormalized_log_marginal(W, x))}


def _log_partition(mod, case):
    W, _, _, _ = make_model(case)
    return {"log_Z": _tensor(mod.log_partition(W))}


def _positive_statistics(mod, case):
    W, x, _, _ = make_model(case)
    options = dict(case.get("options", {}))
    if case["method"] == "gibbs":
        options["uy"], options["uz"] = make_uniforms(case, case["steps"], case["m"], case["k"])
    positive, q_z = mod.positive_statistics(W, x, case["method"], **options)
    return {"positive": _tensor(positive), "q_z": _tensor(q_z)}


def _cd_gradient(mod, case):
    """`positive` and `q_z` are drawn here, not computed by the student's positive phase: this check is about the
    chain (its start from q_z included)."""
    W, x, _, _ = make_model(case)
    g = torch.Generator().manual_seed(case["seed"] + 2)
    positive = torch.rand(case["n"], case["m"], case["k"], generator=g, dtype=torch.float64)
    q_z = torch.rand(case["batch"], case["k"], generator=g, dtype=torch.float64)
    u0 = torch.rand(case["batch"], case["k"], generator=g, dtype=torch.float64)
    uniforms = (u0, *make_uniforms(case, case["cd_k"], case["n"], case["m"], case["k"]))
    x_before = x.clone()
    grad = _tensor(mod.cd_gradient(W, x, case["cd_k"], positive.clone(), q_z.clone(), uniforms))
    return {"gradient": grad, "data_untouched": bool(torch.equal(x, x_before))}


# The exact positive phase of the public case of `exact_nll_gradient`: E[x_i y_j z_k | x] averaged over the batch
# (N, M, K) and P(z_k = 1 | x) per example (B, K), for make_model(dict(n=3, m=4, k=2, batch=5, seed=0)). Every case
# of that check carries its positive phase as data (the hidden ones get theirs from the grader).
PUBLIC_POSITIVE = {
    "positive": [
        [
            [0.5029343698219261, 0.3560539152233737],
            [0.36457654546114365, 0.23186036446453687],
            [0.534978510227974, 0.39737989239951493],
            [0.4872898270912822, 0.36208306099637033],
        ],
        [
            [0.22670846714836523, 0.15743468392592638],
            [0.22437656201336428, 0.12222216187053454],
            [0.328576813538188, 0.23634771119808953],
            [0.23401051080900626, 0.19715089496848914],
        ],
        [
            [0.19518498993894154, 0.09212676159589782],
            [0.2148098867204456, 0.11837184584539091],
            [0.2785166849172168, 0.14640067288558054],
            [0.29996031811593776, 0.1379536490353851],
        ],
    ],
    "q_z": [
        [0.9886065240396376, 0.7643306355117898],
        [0.9889640323248634, 0.5520505068679955],
        [0.7977290138708887, 0.5044308012322599],
        [0.7632149540345979, 0.3511531050873377],
        [0.9689237004146591, 0.7995127551105529],
    ],
}


def _same(a, b: torch.Tensor) -> bool:
    return isinstance(a, torch.Tensor) and a.shape == b.shape and a.dtype == b.dtype and torch.equal(a, b)


@contextlib.contextmanager
def given_positive(mod, W: torch.Tensor, x: torch.Tensor, case: dict):
    """`exact_nll_gradient` may call `positive_statistics(W, x, "exact")`: while its probe runs, that call answers
    with the case's own positive phase (`positive`, `q_z`), as `cd_gradient`'s probe hands its positive phase in, so
    that a wrong positive phase costs once, in its own check. The module's own function still runs (the method rules
    see what `exact_nll_gradient` reaches at run time, helpers included); any other call is the module's own
    function."""
    positive = torch.tensor(case["positive"], dtype=torch.float64)
    q_z = torch.tensor(case["q_z"], dtype=torch.float64)
    own = getattr(mod, "positive_statistics", None)

    def positive_statistics(W_, x_, method="exact", **options):
        if own is None:
            raise NameError("positive_statistics")
        if method == "exact" and not options and _same(W_, W) and _same(x_, x):
            with contextlib.suppress(Exception):  # it runs as the submitted code runs it; only its value is unused
                own(W_, x_, method)
            return positive.clone(), q_z.clone()
        return own(W_, x_, method, **options)

    mod.positive_statistics = positive_statistics
    try:
        yield
    finally:
        if own is None:
            del mod.positive_statistics
        else:
            mod.positive_statistics = own


def _exact_nll_gradient(mod, case):
    W, x, _, _ = make_model(case)
    with given_positive(mod, W, x, case):
        return {"gradient": _tensor(mod.exact_nll_gradient(W, x))}


def _describe(case: dict) -> str:
    # key=value only: the feedback reads the same to a French- and an English-speaking student
    fields = {"N": case["n"], "M": case["m"], "K": case["k"], "batch": case["batch"], "scale": case.get("scale", 1.0)}
    fields.update({key: case[key] for key in ("sweeps", "method", "options", "steps", "cd_k") if key in case})
    fields["seed"] = case["seed"]
    return ", ".join(f"{key}={value}" for key, value in fields.items())


def _by_enumeration(target: str) -> Rule:
    """Task 8.6 asks for the gradient by enumeration: autograd of the exact NLL (the notebook's cross-check) is not."""
    return Rule(target, f"{target} is asked by enumeration: no autograd (backward, torch.autograd, torch.func, .grad) "
                        f"/ {target} se calcule par énumération : pas de différentiation automatique (backward, "
                        "torch.autograd, torch.func, .grad)",
                names=("torch.autograd", "torch.func", "torch._functorch", "functorch", "torch.optim"),
                attributes=("backward", "grad", "requires_grad", "requires_grad_", "enable_grad"))


def _check(check_id: str, points: float, probe, public: list[dict], rtol: float = 1e-7, atol: float = 1e-10,
           rules: tuple[Rule, ...] = ()) -> Check:
    return Check(check_id, points, probe, public=public, rtol=rtol, atol=atol, describe=_describe, rules=rules)


CHECKS = [
    _check("energy", 1, _energy, [dict(n=3, m=4, k=2, batch=5, seed=0)]),
    _check("conditionals", 3, _conditionals, [dict(n=3, m=4, k=2, batch=5, seed=0),
                                              dict(n=5, m=2, k=3, batch=1, seed=1)]),
    _check("block_gibbs_step", 3, _block_gibbs_step, [dict(n=3, m=4, k=2, batch=6, sweeps=1, seed=0),
                                                      dict(n=4, m=3, k=5, batch=8, sweeps=4, seed=1)]),
    _check("unnormalized_log_marginal", 3, _unnormalized_log_marginal, [
        dict(n=4, m=5, k=3, batch=6, seed=0),  # enumerates z
        dict(n=3, m=2, k=4, batch=3, seed=1),  # enumerates y
        dict(n=5, m=3, k=2, batch=4, scale=300.0, seed=2),  # exp(-E) beyond float64's range
    ]),
    _check("log_partition", 2, _log_partition, [
        dict(n=3, m=4, k=2, batch=1, seed=0),
        dict(n=4, m=2, k=3, batch=1, scale=300.0, seed=1),  # Z beyond float64's range
    ]),
    _check("positive_statistics", 4, _positive_statistics, [
        dict(n=4, m=3, k=2, batch=5, seed=0, method="exact"),
        dict(n=4, m=3, k=2, batch=5, seed=0, method="mean_field", options=dict(iterations=10)),
        dict(n=3, m=2, k=4, batch=4, seed=1, method="gibbs", steps=6, options=dict(burn_in=2)),
    ]),
    _check("cd_gradient", 3, _cd_gradient, [dict(n=4, m=3, k=2, batch=6, cd_k=1, seed=0),
                                            dict(n=3, m=2, k=4, batch=5, cd_k=2, seed=1)]),
    _check("exact_nll_gradient", 3, _exact_nll_gradient, [dict(n=3, m=4, k=2, batch=5, seed=0, **PUBLIC_POSITIVE)],
           rules=(_by_enumeration("exact_nll_gradient"),)),
]
