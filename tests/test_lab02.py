"""Lab 2: the reference answers the exam: closed form, Jacobian W^t, regimes by spectral radius."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def ref():
    from autograder.labs import get_lab

    return get_lab("lab02_linear_rnn").reference()


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 5), m=st.integers(1, 3), steps=st.integers(0, 10), radius=st.floats(0.3, 1.2),
       seed=st.integers(0, 10**6))
def test_closed_form_and_jacobian_match_the_recurrence(ref, n, m, steps, radius, seed):
    g = torch.Generator().manual_seed(seed)
    W = torch.randn(n, n, generator=g, dtype=torch.float64)
    W = W * radius / torch.linalg.eigvals(W).abs().max()
    U, b = torch.randn(n, m, generator=g, dtype=torch.float64), torch.randn(n, generator=g, dtype=torch.float64)
    h0, xs = torch.randn(n, generator=g, dtype=torch.float64), torch.randn(steps, m, generator=g, dtype=torch.float64)
    states = ref.rnn_unroll(W, U, b, h0, xs)
    assert states.shape == (steps + 1, n)
    torch.testing.assert_close(ref.rnn_closed_form(W, U, b, h0, xs), states[-1], rtol=1e-9, atol=1e-9)
    jac = torch.autograd.functional.jacobian(lambda h: ref.rnn_unroll(W, U, b, h, xs)[-1], h0)
    torch.testing.assert_close(ref.jacobian_h_t_h0(W, steps), jac, rtol=1e-9, atol=1e-12)


def test_non_normal_transient_and_regimes(ref):
    A = torch.tensor([[0.9, 5.0], [0.0, 0.9]], dtype=torch.float64)
    norms = [float(torch.linalg.matrix_norm(ref.jacobian_h_t_h0(A, t), ord=2)) for t in range(40)]
    assert norms.index(max(norms)) == 9 and max(norms) == pytest.approx(19.4, abs=0.05)
    assert ref.asymptotic_regime(A) == "vanishing"
    assert ref.asymptotic_regime(torch.tensor([[0.0, 1.2], [-1.2, 0.0]])) == "exploding"
    assert ref.asymptotic_regime(ref.scaled_orthogonal(6, 1.0, torch.Generator().manual_seed(0))) == "marginal"
    # The documented convention: a Jordan block on the unit circle is "marginal", though ||W^t|| grows like t.
    jordan = torch.tensor([[1.0, 1.0], [0.0, 1.0]], dtype=torch.float64)
    assert ref.asymptotic_regime(jordan) == "marginal"
    assert float(torch.linalg.matrix_norm(ref.jacobian_h_t_h0(jordan, 100), ord=2)) > 100


def test_scaled_orthogonal_is_a_random_non_symmetric_orthogonal_matrix(ref):
    a, b = (ref.scaled_orthogonal(5, 1.3, torch.Generator().manual_seed(s)).double() for s in (0, 1))
    torch.testing.assert_close(a.T @ a, 1.3**2 * torch.eye(5, dtype=torch.float64), rtol=1e-5, atol=1e-5)
    assert (a - b).abs().max() > 0.1 and (a - a.T).abs().max() > 0.1


def test_logged_dL_dh0_is_the_mean_of_the_per_example_gradient_norms(ref):
    model = ref.LinearRNN(hidden_size=6, spectral_radius=0.9, seed=1)
    xs, y = ref.recall_task(5, 4, generator=torch.Generator().manual_seed(0))
    logged = {}
    model.log_dict = lambda metrics, **kwargs: logged.update(metrics)
    model.training_step((xs, y), 0)
    per_example = []
    for i in range(len(y)):
        h0 = torch.zeros(1, 6, requires_grad=True)
        loss = F.cross_entropy(model.readout(model.hidden_states(xs[i : i + 1], h0)[:, -1]), y[i : i + 1])
        per_example.append(torch.autograd.grad(loss, h0)[0].norm())
    torch.testing.assert_close(logged["grad/dL_dh0"], torch.stack(per_example).mean())
    torch.testing.assert_close(logged["grad/dhT_dh0"],
                               torch.linalg.matrix_norm(torch.linalg.matrix_power(model.W.detach(), 4), ord=2))


def test_fixed_point_under_constant_input(ref):
    g = torch.Generator().manual_seed(0)
    W = ref.scaled_orthogonal(3, 0.7, g).double()
    f64 = dict(dtype=torch.float64)
    U, b, x = torch.randn(3, 2, **f64), torch.randn(3, **f64), torch.randn(2, **f64)
    states = ref.rnn_unroll(W, U, b, torch.randn(3, **f64) * 10, x.expand(100, 2))
    torch.testing.assert_close(states[-1], torch.linalg.solve(torch.eye(3, **f64) - W, U @ x + b))
