"""Lab 4: the reference against explicit gradient-descent steps, autograd and brute-force enumeration, on the check
problems (hidden ones included), and the properties the lesson rests on."""

import inspect
import itertools
import math
import random

import pytest
import torch
from helpers import assert_notebook_bilingual
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.labs import get_lab

LAB = get_lab("lab04_regularization")
CHECKS = LAB.checks_module


@pytest.fixture(scope="module")
def ref():
    return LAB.reference()


GD_CASES = list(LAB.checks["gd_weights"].public) + LAB.hidden.gd_weights(random.Random(4))


@pytest.mark.parametrize("case", GD_CASES, ids=[f"gd-{i}" for i in range(len(GD_CASES))])
def test_closed_form_weights_equal_running_the_steps(ref, case):
    X, y = CHECKS.regression_problem(case)
    w = torch.zeros((X.shape[1],) + tuple(y.shape[1:]), dtype=torch.float64)
    for _ in range(case["steps"]):  # written out here, independent of the module's helper
        w = w - case["lr"] * X.T @ (X @ w - y) / X.shape[0]
    torch.testing.assert_close(ref.gd_weights(X, y, case["lr"], case["steps"]), w, rtol=1e-9, atol=1e-11)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 12), d=st.integers(1, 10), steps=st.integers(0, 60), lr_frac=st.floats(0.05, 1.9),
       seed=st.integers(0, 10**6))
def test_closed_form_matches_steps_for_any_stable_step_size(ref, n, d, steps, lr_frac, seed):
    g = torch.Generator().manual_seed(seed)
    X, y = torch.randn(n, d, generator=g, dtype=torch.float64), torch.randn(n, generator=g, dtype=torch.float64)
    lr = lr_frac / float(ref.hessian_spectrum(X).max().clamp_min(1e-3))  # lr * lambda_max < 2: GD converges
    torch.testing.assert_close(ref.gd_weights(X, y, lr, steps), ref.gd_weights_by_steps(X, y, lr, steps),
                               rtol=1e-7, atol=1e-9)


def test_filters_are_the_exam_formulas_and_agree_when_alpha_is_one_over_lr_t(ref):
    lam = torch.tensor([0.0, 1e-4, 0.01, 0.3, 1.0, 5.0], dtype=torch.float64)
    lr, t = 0.1, 50
    torch.testing.assert_close(ref.gd_filter(lam, lr, t), torch.tensor([1 - (1 - lr * v) ** t for v in lam.tolist()],
                                                                       dtype=torch.float64))
    assert ref.ridge_filter(lam, 0.5)[0] == 0 and float(ref.ridge_filter(lam, 0.5)[4]) == pytest.approx(1 / 1.5)
    # Both filters are ~1 on large eigenvalues and ~lambda / alpha = lr t lambda on small ones.
    phi, psi = ref.gd_filter(lam[1:], lr, t), ref.ridge_filter(lam[1:], 1 / (lr * t))
    assert float((phi - psi).abs().max()) < 0.25
    assert float(phi[0] / psi[0]) == pytest.approx(1.0, rel=1e-2)


def test_effective_dof_grows_with_steps_up_to_the_rank(ref):
    X, _ = ref.least_squares_digits()
    lam = ref.hessian_spectrum(X)
    lr = 1 / float(lam.max())
    dof = [float(ref.effective_dof(lam, lr, t)) for t in (0, 1, 10, 100, 1000, 10**4, 10**6, 10**12)]
    assert dof[0] == 0.0
    assert all(a < b for a, b in itertools.pairwise(dof))
    rank = int(torch.linalg.matrix_rank(X))
    assert rank - 1 < dof[-1] <= rank + 1e-9  # the constant-zero pixels are never fitted


def test_relaxed_mask_tends_to_a_bernoulli_keep_mask(ref):
    p = torch.tensor([0.1, 0.5, 0.8], dtype=torch.float64)
    u = torch.rand(20000, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    keep = ref.relaxed_keep_mask(p, u, 1e-3)
    assert float(((keep > 1e-6) & (keep < 1 - 1e-6)).double().mean()) < 0.01  # nearly hard
    torch.testing.assert_close(keep.mean(dim=0), 1 - p, atol=0.015, rtol=0)
    assert torch.equal(keep > 0.5, u < 1 - p)  # the hard mask is keep iff u < 1 - p, at any temperature


def test_concrete_dropout_keeps_the_expectation_and_is_the_identity_in_eval(ref):
    torch.manual_seed(0)
    layer = ref.ConcreteDropout(4, init_p=0.3, temperature=0.01).double()
    assert [list(q.shape) for q in layer.parameters()] == [[4]]
    torch.testing.assert_close(layer.p.detach(), torch.full((4,), 0.3, dtype=torch.float64))
    x = torch.randn(1, 4, dtype=torch.float64).expand(40000, 4)
    torch.testing.assert_close(layer(x).mean(dim=0), x[0], rtol=0.03, atol=0.03)
    layer.eval()
    assert torch.equal(layer(x), x)


def test_regularizer_and_its_gradient_against_autograd_of_the_formula(ref):
    g = torch.Generator().manual_seed(1)
    p = (0.05 + 0.9 * torch.rand(7, generator=g, dtype=torch.float64)).requires_grad_(True)
    norms = torch.rand(7, generator=g, dtype=torch.float64)
    value = ref.concrete_regularizer(p, norms, 0.01, 0.3)
    (grad,) = torch.autograd.grad(value, p)
    hand = 0.01 * norms / (1 - p.detach()) ** 2 + 0.3 * torch.log(p.detach() / (1 - p.detach()))
    torch.testing.assert_close(grad, hand)
    # The entropy term alone is minimised at p = 1/2: it pays for rates near 0 (and 1).
    assert float(ref.concrete_regularizer(torch.tensor([0.5]), torch.zeros(1), 0.0, 1.0)) == pytest.approx(-math.log(2))
    assert float(ref.concrete_regularizer(torch.tensor([0.01]), torch.zeros(1), 0.0, 1.0)) > -0.1


def _brute_force(p: torch.Tensor, loss) -> tuple[torch.Tensor, torch.Tensor]:
    """E[loss] by summing over masks, and its gradient by autograd."""
    p = p.detach().clone().requires_grad_(True)
    total = torch.zeros((), dtype=torch.float64)
    for bits in itertools.product([0.0, 1.0], repeat=p.shape[0]):
        m = torch.tensor(bits, dtype=torch.float64)
        total = total + loss(m[None])[0] * torch.prod(m * (1 - p) + (1 - m) * p)
    (grad,) = torch.autograd.grad(total, p)
    return total.detach(), grad


EXACT_CASES = [c for c in list(LAB.checks["exact_dropout_grad"].public)
               + LAB.hidden.exact_dropout_grad(random.Random(5)) if c["units"] <= 8]


@pytest.mark.parametrize("case", EXACT_CASES, ids=[f"exact-{i}" for i in range(len(EXACT_CASES))])
def test_exact_gradient_against_brute_force_and_autograd(ref, case):
    n = case["units"]
    p = (torch.tensor(case["p"], dtype=torch.float64) if "p" in case
         else 0.05 + 0.9 * torch.rand(n, generator=torch.Generator().manual_seed(case["seed"]), dtype=torch.float64))
    loss = CHECKS.mask_loss(case)
    expected, grad = ref.exact_dropout_grad(p, loss)
    want_e, want_g = _brute_force(p, loss)
    torch.testing.assert_close(expected, want_e)
    torch.testing.assert_close(grad, want_g)


def test_exact_gradient_refuses_too_many_units(ref):
    with pytest.raises(ValueError):
        ref.exact_dropout_grad(torch.full((13,), 0.5, dtype=torch.float64), lambda m: m.sum(-1))


def test_reinforce_is_unbiased_and_a_baseline_only_reduces_its_variance(ref):
    g = torch.Generator().manual_seed(2)
    p = 0.2 + 0.5 * torch.rand(6, generator=g, dtype=torch.float64)
    a = torch.randn(6, generator=g, dtype=torch.float64)

    def loss(m):
        return (2.0 - m @ a) ** 2

    exact_loss, exact = ref.exact_dropout_grad(p, loss)
    S = 400_000
    masks = (torch.rand(S, 6, generator=g, dtype=torch.float64) >= p).double()
    losses = loss(masks)
    plain = ref.score_function_grad(p, masks, losses)
    with_baseline = ref.score_function_grad(p, masks, losses, baseline=float(exact_loss))
    scale = float(exact.norm())
    assert float((plain - exact).norm()) < 0.05 * scale
    assert float((with_baseline - exact).norm()) < 0.05 * scale
    # per-sample estimates: the baseline leaves the mean alone and shrinks the spread
    per_plain = torch.stack([ref.score_function_grad(p, masks[i:i + 1], losses[i:i + 1]) for i in range(2000)])
    per_base = torch.stack([ref.score_function_grad(p, masks[i:i + 1], losses[i:i + 1], float(exact_loss))
                            for i in range(2000)])
    assert float(per_base.var(dim=0).sum()) < 0.7 * float(per_plain.var(dim=0).sum())


def test_relaxed_gradient_is_biased_and_the_bias_grows_with_temperature(ref):
    g = torch.Generator().manual_seed(3)
    p = 0.1 + 0.5 * torch.rand(5, generator=g, dtype=torch.float64)
    a = torch.randn(5, generator=g, dtype=torch.float64)

    def loss(m):
        return (1.5 - m @ a) ** 2

    _, exact = ref.exact_dropout_grad(p, loss)
    biases = []
    for temperature in (0.1, 1.0):
        rates = p.clone().requires_grad_(True)
        u = torch.rand(200_000, 5, generator=g, dtype=torch.float64).clamp(1e-12, 1 - 1e-12)
        (grad,) = torch.autograd.grad(loss(ref.relaxed_keep_mask(rates, u, temperature)).mean(), rates)
        biases.append(float((grad - exact).norm()))
    assert biases[1] > 3 * biases[0]


def test_a_rate_trained_on_the_training_loss_falls(ref):
    """The lesson of 4(b)(i) on a problem small enough to be exact: two units whose sum fits the training targets;
    gradient descent on the expected training loss drives both rates to 0."""
    x, y = torch.tensor([1.0, 2.0, -1.0], dtype=torch.float64), torch.tensor([2.0, 4.1, -2.0], dtype=torch.float64)
    w = torch.tensor([1.2, 0.8], dtype=torch.float64)

    def loss(m):  # the training loss of the network whose units m (1 = kept) are active
        return (((m @ w)[:, None] * x - y) ** 2).mean(dim=1)

    p = torch.tensor([0.5, 0.5], dtype=torch.float64)
    for _ in range(300):
        _, grad = ref.exact_dropout_grad(p, loss)
        assert bool((grad > 0).all())  # more dropout, more training loss
        p = (p - 0.01 * grad).clamp(0.0, 1.0)
    assert float(p.max()) < 0.05


def test_regularized_mlp_logs_what_the_notebook_plots(ref, tmp_path):
    from lightning.pytorch.loggers import CSVLogger

    from labkit import training

    torch.manual_seed(0)
    history = training.MetricHistory()
    trainer = training.make_trainer("lab04_regularization", logger=CSVLogger(str(tmp_path)), max_epochs=2,
                                    callbacks=[history], enable_progress_bar=False, enable_model_summary=False,
                                    num_sanity_val_steps=0, log_every_n_steps=1)
    model = ref.RegularizedMLP(dropout="concrete", hidden=16, p=0.3, dropout_reg=0.01)
    trainer.fit(model, ref.MemorizationDataModule(n_train=60, n_val=40, batch_size=30))
    assert len(history.series("val/acc")) == 2 and len(history.series("train/acc")) == 2
    assert history.series("weights/distance")[0] > 0
    assert all(0 < v < 1 for v in history.series("p/layer0") + history.series("p/layer1"))
    with pytest.raises(ValueError):
        ref.RegularizedMLP(dropout="sometimes")


def test_shuffled_labels_change_the_stated_fraction(ref):
    data = ref.MemorizationDataModule(n_train=400, n_val=100, shuffle_fraction=1.0)
    data.setup()
    assert data.corrupted > 0.8  # a permutation of 10 balanced classes leaves ~10 % in place
    clean = ref.MemorizationDataModule(n_train=400, n_val=100)
    clean.setup()
    assert clean.corrupted == 0.0
    assert torch.equal(clean.val_set.tensors[1], data.val_set.tensors[1])  # validation labels stay true


def test_every_text_a_student_reads_is_in_english_and_french(ref):
    assert_notebook_bilingual(LAB)
    assert "\nFR: " in ref.__doc__
    filled = [obj for obj in vars(ref).values() if (inspect.isfunction(obj) or inspect.isclass(obj))
              and obj.__module__ == ref.__name__ and "### BEGIN SOLUTION" in inspect.getsource(obj)]
    assert len(filled) == 9
    for obj in filled:
        assert "\n\n    FR: Tâche 4." in obj.__doc__, obj.__name__
    for make in (lambda: ref.ConcreteDropout(4, init_p=1.0), lambda: ref.RegularizedMLP(dropout="sometimes"),
                 lambda: ref.MemorizationDataModule(shuffle_fraction=2.0),
                 lambda: ref.exact_dropout_grad(torch.full((13,), 0.5), lambda m: m.sum(-1))):
        with pytest.raises(ValueError, match=r" / .*(doit être|est trop coûteuse)"):
            make()
