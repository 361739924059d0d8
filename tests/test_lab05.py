"""Lab 5: the closed-form Jacobians and penalties against autograd, the exam's equivalence (5a) as an identity of
losses and gradients, the ReLU penalty's data dependence (5b), and the Lightning module's equal trajectories."""

import inspect

import pytest
import torch
from helpers import assert_notebook_bilingual
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.autograd.functional import jacobian


@pytest.fixture(scope="module")
def ref():
    from autograder.labs import get_lab

    return get_lab("lab05_contractive_ae").reference()


def _params(seed: int, hidden: int, dim: int, batch: int):
    g = torch.Generator().manual_seed(seed)
    W = torch.randn(hidden, dim, generator=g, dtype=torch.float64)
    b = torch.randn(hidden, generator=g, dtype=torch.float64)
    c = torch.randn(dim, generator=g, dtype=torch.float64)
    x = torch.randn(batch, dim, generator=g, dtype=torch.float64)
    return W, b, c, x


def _brute_force_penalty(W, b, x, activation):
    """||dh/dx||_F^2 per example from torch.autograd.functional.jacobian, one example at a time."""
    act = {"linear": lambda z: z, "relu": torch.relu, "sigmoid": torch.sigmoid}[activation]
    return torch.stack([jacobian(lambda v: act(W @ v + b), xi).pow(2).sum() for xi in x])


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10**6), hidden=st.integers(1, 9), dim=st.integers(1, 9), batch=st.integers(1, 6),
       activation=st.sampled_from(["linear", "relu", "sigmoid"]))
def test_closed_form_penalty_equals_autograd_jacobian(ref, seed, hidden, dim, batch, activation):
    W, b, _, x = _params(seed, hidden, dim, batch)
    expected = _brute_force_penalty(W, b, x, activation)
    torch.testing.assert_close(ref.cae_penalty(W, b, x, activation), expected, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(ref.jacobian_penalty_autograd(ref.Encoder(W, b, activation), x), expected,
                               rtol=1e-10, atol=1e-12)


def test_relu_jacobian_equals_autograd_and_takes_relu_prime_zero_as_zero(ref):
    g = torch.Generator().manual_seed(0)
    W = torch.randint(-2, 3, (5, 3), generator=g).double()
    b = torch.randint(-2, 3, (5,), generator=g).double()
    x = torch.randint(-1, 2, (40, 3), generator=g).double()
    pre = x @ W.T + b
    assert bool((pre == 0).any()), "the case must contain exact zeros"
    J = ref.relu_jacobian(W, b, x)
    auto = torch.stack([jacobian(lambda v: torch.relu(W @ v + b), xi) for xi in x])
    torch.testing.assert_close(J, auto)  # torch's relu'(0) is 0 as well
    assert bool((J[pre == 0] == 0).all())


def test_linear_cae_loss_is_weight_decay_loss_with_equal_gradients(ref):
    """5(a): h = W x + b has Jacobian W everywhere, so the two objectives are one function of (W, b, c)."""
    W, b, c, x = _params(1, 6, 10, 32)
    params = [p.clone().requires_grad_() for p in (W, b, c)]
    cae = ref.cae_loss(x, *params, 0.7, "linear")
    wd = ref.weight_decay_loss(x, *params, 0.7, "linear")
    assert float(cae.detach()) == pytest.approx(float(wd.detach()), rel=1e-14)
    for gc, gw in zip(torch.autograd.grad(cae, params), torch.autograd.grad(wd, params), strict=True):
        torch.testing.assert_close(gc, gw, rtol=1e-12, atol=1e-12)
    assert float(ref.linear_cae_penalty(W)) == pytest.approx(float(_brute_force_penalty(W, b, x[:1], "linear")))


def test_relu_penalty_counts_only_active_rows_and_differs_from_weight_decay(ref):
    """5(b): the ReLU penalty is sum over active units of ||W_j||^2, so it depends on x and is below ||W||_F^2."""
    W, b, c, x = _params(2, 8, 5, 64)
    penalty = ref.cae_penalty(W, b, x, "relu")
    weight_decay = float((W**2).sum())
    assert float(penalty.max()) <= weight_decay + 1e-12
    assert float(penalty.std()) > 0.1, "the penalty depends on the example"
    # pushing every bias far down switches all units off: the penalty vanishes, weight decay does not move
    assert float(ref.cae_penalty(W, b - 100.0, x, "relu").abs().max()) == 0.0
    # the gradient w.r.t. an always-inactive unit's row is zero under CAE, 2 lam W_j under weight decay
    b_off = b.clone()
    b_off[0] = -100.0
    Wg = W.clone().requires_grad_()
    (grad_cae,) = torch.autograd.grad(ref.cae_loss(x, Wg, b_off, c, 0.5, "relu") - ref.cae_loss(x, Wg, b_off, c, 0.0,
                                                                                                 "relu"), Wg)
    assert float(grad_cae[0].abs().max()) == 0.0 and float(grad_cae[1:].abs().max()) > 0
    (grad_wd,) = torch.autograd.grad(ref.weight_decay_loss(x, Wg, b_off, c, 0.5, "relu")
                                     - ref.weight_decay_loss(x, Wg, b_off, c, 0.0, "relu"), Wg)
    torch.testing.assert_close(grad_wd, 2 * 0.5 * W)


def test_sigmoid_rows_weighted_by_squared_slope(ref):
    W, b, _, x = _params(3, 4, 6, 5)
    h = torch.sigmoid(x @ W.T + b)
    expected = ((h * (1 - h)) ** 2 * (W**2).sum(1)).sum(1)
    torch.testing.assert_close(ref.cae_penalty(W, b, x, "sigmoid"), expected)
    assert float(ref.cae_penalty(W, b, x, "sigmoid").max()) <= float((W**2).sum()) / 16 + 1e-12


def test_unknown_activation_is_refused(ref):
    W, b, _, x = _params(0, 3, 2, 2)
    with pytest.raises(ValueError, match="activation"):
        ref.cae_penalty(W, b, x, "tanh")


def test_contraction_ratio_of_a_linear_map_is_the_mean_stretch(ref):
    """For f(x) = A x, ||f(x + r d) - f(x)|| / r = ||A d|| for every radius and point."""
    g = torch.Generator().manual_seed(4)
    A = torch.randn(3, 5, generator=g, dtype=torch.float64)
    encoder = ref.Encoder(A, torch.zeros(3, dtype=torch.float64), "linear")
    d = ref.unit_directions(7, 5, g, dtype=torch.float64)
    x = torch.randn(4, 5, generator=g, dtype=torch.float64)
    expected = (d @ A.T).norm(dim=1).mean()
    for radius in (0.01, 1.0, 30.0):
        torch.testing.assert_close(ref.contraction_ratio(encoder, x, radius, d), expected)
    # a saturating encoder contracts more at large radii
    sig = ref.Encoder(A, torch.zeros(3, dtype=torch.float64), "sigmoid")
    assert float(ref.contraction_ratio(sig, x, 30.0, d)) < float(ref.contraction_ratio(sig, x, 0.01, d))


def test_lightning_runs_with_cae_and_weight_decay_follow_the_same_trajectory(ref, monkeypatch):
    """The notebook's Experiment 1, small: same seed, same data order, linear units: equal losses and weights."""
    from labkit.data import DigitsDataModule

    monkeypatch.setenv("WANDB_MODE", "disabled")
    data = DigitsDataModule(batch_size=128, limit=400)
    runs = {p: ref.train_autoencoder(data, 2, seed=0, activation="linear", penalty=p, n_hidden=6, lam=0.05,
                                     track=True) for p in ("cae", "weight_decay", "none")}
    cae, wd, none = (runs[p].steps for p in ("cae", "weight_decay", "none"))
    assert len(cae) == len(wd) == 6
    assert max(abs(a[0] - b[0]) for a, b in zip(cae, wd, strict=True)) < 1e-5
    assert max(float((a[1] - b[1]).abs().max()) for a, b in zip(cae, wd, strict=True)) < 1e-5
    assert max(float((a[1] - b[1]).abs().max()) for a, b in zip(cae, none, strict=True)) > 1e-4
    metrics = runs["cae"].trainer.callback_metrics
    assert {"val/recon", "val/active_fraction", "val/mean_bias", "val/jacobian_fro2",
            "val/singular_value_1", "val/explained_variance"} <= set(metrics)
    assert runs["cae"].spectrum.shape == (6,)


def test_every_text_a_student_reads_is_in_english_and_french(ref):
    from autograder.labs import get_lab

    assert_notebook_bilingual(get_lab("lab05_contractive_ae"))
    assert "\nFR: " in ref.__doc__
    filled = [obj for obj in vars(ref).values() if inspect.isfunction(obj) and obj.__module__ == ref.__name__
              and "### BEGIN SOLUTION" in inspect.getsource(obj)]
    assert len(filled) == 7
    for obj in filled:
        assert "\n\n    FR: Tâche 5." in obj.__doc__, obj.__name__
    W, b, _, x = _params(0, 3, 2, 2)
    for make in (lambda: ref.cae_penalty(W, b, x, "tanh"), lambda: ref.ContractiveAutoencoder(penalty="l1")):
        with pytest.raises(ValueError, match=r" / .*doit être l.une des valeurs"):
            make()
