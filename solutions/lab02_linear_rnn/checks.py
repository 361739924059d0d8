"""Lab 2 checks. Problems are built from a seed inside the probe (float64), so a case stays one readable line."""

from __future__ import annotations

import torch
from torch.overrides import TorchFunctionMode

from labkit.grading import Check
from labkit.rules import Rule


def make_matrix(n: int, radius: float, seed: int, kind: str = "random") -> torch.Tensor:
    """An (n, n) float64 matrix with spectral radius `radius`: "random" (a rescaled Gaussian matrix) or
    "nonnormal" (radius on the diagonal, large entries above it)."""
    g = torch.Generator().manual_seed(seed)
    if kind == "nonnormal":
        return radius * torch.eye(n, dtype=torch.float64) + 3.0 * torch.randn(n, n, generator=g,
                                                                              dtype=torch.float64).triu(1)
    w = torch.randn(n, n, generator=g, dtype=torch.float64)
    return w * (radius / torch.linalg.eigvals(w).abs().max())


def make_problem(case: dict) -> tuple[torch.Tensor, ...]:
    """W, U, b, h0, xs for a case {n, m, steps, radius, seed[, kind]}."""
    n, m, steps, seed = case["n"], case["m"], case["steps"], case["seed"]
    g = torch.Generator().manual_seed(seed + 1)
    W = make_matrix(n, case["radius"], seed, case.get("kind", "random"))
    U, b = torch.randn(n, m, generator=g, dtype=torch.float64), torch.randn(n, generator=g, dtype=torch.float64)
    h0, xs = torch.randn(n, generator=g, dtype=torch.float64), torch.randn(steps, m, generator=g, dtype=torch.float64)
    return W, U, b, h0, xs


def _rnn_unroll(mod, case):
    return {"states": mod.rnn_unroll(*make_problem(case))}


class FromMatrixPower(torch.Tensor):
    """A tensor computed from a matrix power: every torch operation on it returns one too, so a result built from the
    powers is one and a result built beside them (a recurrence next to a thrown-away matrix_power call) is not."""


class MatrixPowers(TorchFunctionMode):
    """Records the exponent of every matrix power asked of torch (torch.linalg.matrix_power, torch.matrix_power,
    Tensor.matrix_power) while active, and marks its result as FromMatrixPower."""

    def __init__(self) -> None:
        super().__init__()
        self.exponents: list[int] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        if getattr(func, "__name__", "").endswith("matrix_power"):
            self.exponents.append(int(args[1] if len(args) > 1 else kwargs["n"]))
            if isinstance(out, torch.Tensor) and not isinstance(out, FromMatrixPower):
                out = out.as_subclass(FromMatrixPower)
        return out


def _rnn_closed_form(mod, case):
    # The closed form needs W^T (h0's term) and W^(T-k) for each input x_k. A recurrence never asks matrix_power for
    # them, even one that calls matrix_power(W, 1) at each step or takes W^T for h0 alone; W^0 and W^1 may be written
    # without it. The result must also be computed from those powers, not beside them.
    with MatrixPowers() as powers:
        h = mod.rnn_closed_form(*make_problem(case))
    from_powers = isinstance(h, FromMatrixPower) or case["steps"] < 2
    if isinstance(h, torch.Tensor):
        h = h.as_subclass(torch.Tensor)
    return {"h_T": h, "powers_2_to_T_from_matrix_power": set(range(2, case["steps"] + 1)) <= set(powers.exponents),
            "h_T_computed_from_the_powers": from_powers}


def _jacobian(mod, case):
    W = make_matrix(case["n"], case["radius"], case["seed"], case.get("kind", "random"))
    return {"jacobian": mod.jacobian_h_t_h0(W, case["t"])}


def _regime(mod, case):
    return {"regime": mod.asymptotic_regime(torch.tensor(case["matrix"], dtype=torch.float64))}


def _scaled_orthogonal(mod, case):
    n, radius, seed = case["n"], case["radius"], case["seed"]

    def draw(s: int) -> torch.Tensor:
        return torch.as_tensor(mod.scaled_orthogonal(n, radius, torch.Generator().manual_seed(s))).double()

    q = draw(seed)
    # Orthogonality alone passes radius * I or a fixed permutation: the matrix must also be random (drawn from the
    # generator, so reproducible) and, for n >= 3, not symmetric (a symmetric orthogonal matrix squares to I, which
    # a random one almost never does; for n = 2 every reflection is symmetric, so n = 2 is not asked).
    out = {"shape": list(q.shape), "gram_over_r2": q.T @ q / radius**2,
           "moduli": torch.linalg.eigvals(q).abs().sort().values,
           "same_seed_same_matrix": bool(torch.equal(q, draw(seed))),
           "other_seed_other_matrix": bool((q - draw(seed + 1)).abs().max() > 1e-3 * radius)}
    if n >= 3:
        out["symmetric"] = bool((q - q.T).abs().max() < 1e-3 * radius)
    return out


def _hidden_states(mod, case):
    W, U, b, h0, xs = make_problem(case)
    model = mod.LinearRNN(input_size=case["m"], hidden_size=case["n"], n_classes=3).double()
    with torch.no_grad():
        model.W.copy_(W)
        model.U.copy_(U)
        model.b.copy_(b)
    batch = torch.stack([xs, xs.flip(0)])
    return {"from_h0": model.hidden_states(batch, torch.stack([h0, -h0])), "from_zero": model.hidden_states(batch)}


# A recurrence passes every value check of rnn_closed_form, so the rule reads the source: powers of W by
# matrix_power, and no handing the work to the recurrence (rnn_unroll, LinearRNN) or to a fold over the inputs.
# Loops as such are allowed: the rule is aimed at the recurrence, not at iteration.
CLOSED_FORM_RULE = Rule(
    "rnn_closed_form",
    "rnn_closed_form is question (a)'s closed form: use torch.linalg.matrix_power, and no rnn_unroll, LinearRNN, "
    "functools.reduce or itertools.accumulate / rnn_closed_form est la forme close de la question (a) : utilisez "
    "torch.linalg.matrix_power, sans recourir à rnn_unroll, LinearRNN, functools.reduce ni itertools.accumulate",
    names=("rnn_unroll", "LinearRNN", "functools.reduce", "itertools.accumulate"),
    requires=("torch.linalg.matrix_power", "torch.matrix_power", "torch.Tensor.matrix_power"))

CHECKS = [
    Check("rnn_unroll", 2, _rnn_unroll, rtol=1e-9, atol=1e-9, public=[
        dict(n=3, m=2, steps=4, radius=0.9, seed=0),
    ]),
    Check("rnn_closed_form", 3, _rnn_closed_form, rtol=1e-8, atol=1e-8, rules=(CLOSED_FORM_RULE,), public=[
        dict(n=3, m=2, steps=4, radius=0.9, seed=0),
        dict(n=2, m=1, steps=1, radius=1.0, seed=1),
    ]),
    Check("jacobian_h_t_h0", 2, _jacobian, rtol=1e-9, atol=1e-12, public=[
        dict(n=3, t=5, radius=0.8, seed=0),
    ]),
    Check("asymptotic_regime", 2, _regime, public=[
        dict(matrix=[[0.5, 0.0], [0.0, 0.2]]),
        dict(matrix=[[0.0, -1.0], [1.0, 0.0]]),
        dict(matrix=[[1.5, 0.0], [0.0, 0.1]]),
        dict(matrix=[[1.0, 1.0], [0.0, 1.0]]),  # a Jordan block on the unit circle: "marginal", as documented
    ]),
    Check("scaled_orthogonal", 1, _scaled_orthogonal, rtol=1e-4, atol=1e-4, public=[
        dict(n=4, radius=0.9, seed=0),
    ]),
    Check("linear_rnn_hidden_states", 2, _hidden_states, rtol=1e-9, atol=1e-9, public=[
        dict(n=3, m=2, steps=3, radius=0.9, seed=0),
    ]),
]
