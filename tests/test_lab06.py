"""Lab 6: log p(x) = ELBO + KL exactly on probabilistic PCA, the closed forms against torch.distributions and
brute-force integration, the mean-field optimum against gradient ascent, the IAF step's triangular Jacobian, and the
VAE's quadrature against IWAE."""

import math

import pytest
import torch
import torch.distributions as D
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def ref():
    from autograder.labs import get_lab

    return get_lab("lab06_vae").reference()


def _ppca(seed: int, b: int, d: int, k: int, sigma2: float):
    g = torch.Generator().manual_seed(seed)
    W = torch.randn(d, k, generator=g, dtype=torch.float64)
    mu = torch.randn(d, generator=g, dtype=torch.float64)
    x = torch.randn(b, k, generator=g, dtype=torch.float64) @ W.T + mu + torch.randn(b, d, generator=g,
                                                                                      dtype=torch.float64)
    return x, W, mu, sigma2, g


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10**6), b=st.integers(1, 5), d=st.integers(2, 9), k=st.integers(1, 4),
       sigma2=st.floats(0.01, 3.0))
def test_log_marginal_is_elbo_plus_kl_to_the_exact_posterior(ref, seed, b, d, k, sigma2):
    x, W, mu, sigma2, g = _ppca(seed, b, d, k, sigma2)
    m = torch.randn(b, k, generator=g, dtype=torch.float64) * 2
    logvar = torch.randn(b, k, generator=g, dtype=torch.float64) * 2
    post_mean, post_cov = ref.ppca_posterior(x, W, mu, sigma2)
    gap = ref.ppca_log_marginal(x, W, mu, sigma2) - ref.ppca_elbo(x, W, mu, sigma2, m, logvar)
    kl = ref.gaussian_kl(m, torch.diag_embed(logvar.exp()), post_mean, post_cov)
    torch.testing.assert_close(gap, kl, rtol=1e-9, atol=1e-9)
    assert bool((kl >= -1e-9).all())


def test_closed_forms_match_torch_distributions(ref):
    x, W, mu, sigma2, g = _ppca(0, 6, 7, 3, 0.4)
    mvn = D.MultivariateNormal(mu, W @ W.T + sigma2 * torch.eye(7, dtype=torch.float64))
    torch.testing.assert_close(ref.ppca_log_marginal(x, W, mu, sigma2), mvn.log_prob(x), rtol=1e-10, atol=1e-10)
    # the posterior from Bayes' rule on the joint Gaussian of (z, x)
    cov_zx = W.T
    cov_xx = W @ W.T + sigma2 * torch.eye(7, dtype=torch.float64)
    mean, cov = ref.ppca_posterior(x, W, mu, sigma2)
    torch.testing.assert_close(mean, (x - mu) @ torch.linalg.solve(cov_xx, cov_zx.T), rtol=1e-9, atol=1e-10)
    torch.testing.assert_close(cov, torch.eye(3, dtype=torch.float64) - cov_zx @ torch.linalg.solve(cov_xx, cov_zx.T),
                               rtol=1e-9, atol=1e-10)
    a, c = torch.randn(4, 3, 3, generator=g, dtype=torch.float64), torch.randn(3, 3, generator=g, dtype=torch.float64)
    cov_q, cov_p = a @ a.mT + 0.2 * torch.eye(3), c @ c.T + 0.2 * torch.eye(3)
    mq, mp = torch.randn(4, 3, generator=g, dtype=torch.float64), torch.randn(3, generator=g, dtype=torch.float64)
    expected = D.kl_divergence(D.MultivariateNormal(mq, cov_q), D.MultivariateNormal(mp, cov_p))
    torch.testing.assert_close(ref.gaussian_kl(mq, cov_q, mp, cov_p), expected, rtol=1e-9, atol=1e-10)
    logvar = torch.randn(4, 3, generator=g, dtype=torch.float64) * 3
    expected = D.kl_divergence(D.Normal(mq, (0.5 * logvar).exp()), D.Normal(0.0, 1.0)).sum(-1)
    torch.testing.assert_close(ref.kl_diag_gaussian_std_normal(mq, logvar), expected, rtol=1e-10, atol=1e-12)


def test_ppca_elbo_equals_a_monte_carlo_estimate(ref):
    x, W, mu, sigma2, g = _ppca(1, 3, 5, 2, 0.5)
    m, logvar = torch.randn(3, 2, generator=g, dtype=torch.float64), torch.randn(3, 2, generator=g,
                                                                                 dtype=torch.float64)
    z = ref.reparameterize(m, logvar, torch.randn(40_000, 3, 2, generator=g, dtype=torch.float64))
    log_joint = (D.Normal(z @ W.T + mu, sigma2**0.5).log_prob(x).sum(-1) + D.Normal(0.0, 1.0).log_prob(z).sum(-1))
    log_q = D.Normal(m, (0.5 * logvar).exp()).log_prob(z).sum(-1)
    torch.testing.assert_close(ref.ppca_elbo(x, W, mu, sigma2, m, logvar), (log_joint - log_q).mean(0), rtol=0,
                               atol=0.03)


def test_mean_field_optimum_is_a_stationary_maximum_and_uses_the_precision(ref):
    x, W, mu, sigma2, g = _ppca(2, 4, 6, 3, 0.3)
    m_star, logvar_star = ref.mean_field_optimum_ppca(x, W, mu, sigma2)
    m, logvar = m_star.clone().requires_grad_(), logvar_star.clone().requires_grad_()
    value = ref.ppca_elbo(x, W, mu, sigma2, m, logvar)
    grad_m, grad_logvar = torch.autograd.grad(value.sum(), (m, logvar))
    assert float(grad_m.abs().max()) < 1e-9 and float(grad_logvar.abs().max()) < 1e-9  # the ELBO is stationary there
    # the ELBO is concave in (m, variance): every perturbation lowers it
    for scale in (1e-3, 0.1, 1.0):
        dm, dv = (scale * torch.randn(2, 4, 3, generator=g, dtype=torch.float64)).unbind(0)
        assert bool((ref.ppca_elbo(x, W, mu, sigma2, m_star + dm, logvar_star + dv) < value.detach()).all())
    _, cov = ref.ppca_posterior(x, W, mu, sigma2)
    assert bool((logvar_star[0].exp() < cov.diagonal() - 1e-6).all())  # mean-field under-estimates the variances


def test_mean_field_gap_is_zero_only_for_a_diagonal_w_t_w(ref):
    from labkit.data import digits_tensors

    digits = digits_tensors()[0].flatten(1).double()[:300]
    gaps = []
    for angle in (0.0, math.pi / 4, math.pi / 2):
        W, mu, sigma2 = ref.ppca_fit(digits, 4, angle)
        m, logvar = ref.mean_field_optimum_ppca(digits[:5], W, mu, sigma2)
        gaps.append(float((ref.ppca_log_marginal(digits[:5], W, mu, sigma2)
                           - ref.ppca_elbo(digits[:5], W, mu, sigma2, m, logvar)).max()))
    assert abs(gaps[0]) < 1e-9 and abs(gaps[2]) < 1e-9 and gaps[1] > 1e-3
    # rotating W leaves p(x) unchanged
    W0, mu0, s0 = ref.ppca_fit(digits, 4, 0.0)
    W1, _, _ = ref.ppca_fit(digits, 4, 0.9)
    torch.testing.assert_close(ref.ppca_log_marginal(digits, W0, mu0, s0), ref.ppca_log_marginal(digits, W1, mu0, s0))


def test_iwae_bound_is_stable_and_equals_log_mean_exp(ref):
    lw = torch.tensor([[-1e4, 1e4], [-1e4 + 1.0, 1e4 - 2.0]], dtype=torch.float64)
    expected = torch.tensor([-1e4 + math.log((1 + math.e) / 2), 1e4 + math.log((1 + math.exp(-2)) / 2)],
                            dtype=torch.float64)
    torch.testing.assert_close(ref.iwae_bound(lw), expected, rtol=0, atol=1e-9)


def test_elbo_matches_a_hand_written_monte_carlo_estimate(ref):
    g = torch.Generator().manual_seed(3)
    torch.manual_seed(3)
    decoder = torch.nn.Linear(2, 5).double()
    x = (torch.rand(4, 5, generator=g) < 0.5).double()
    mu, logvar = torch.randn(4, 2, generator=g, dtype=torch.float64), torch.randn(4, 2, generator=g,
                                                                                  dtype=torch.float64)
    eps = torch.randn(3, 4, 2, generator=g, dtype=torch.float64)
    z = mu + (0.5 * logvar).exp() * eps
    recon = D.Bernoulli(logits=decoder(z)).log_prob(x).sum(-1).mean(0)
    kl = D.kl_divergence(D.Normal(mu, (0.5 * logvar).exp()), D.Normal(0.0, 1.0)).sum(-1)
    torch.testing.assert_close(ref.elbo(x, mu, logvar, decoder, eps), recon - kl)


@pytest.mark.parametrize("dim", [1, 2, 5])
def test_iaf_step_is_autoregressive_and_log_det_is_the_jacobian(ref, dim):
    torch.manual_seed(dim)
    step = ref.IAFStep(dim, 3, (7, 6)).double()
    with torch.no_grad():
        for p in step.parameters():
            p.normal_()
    z, h = torch.randn(dim, dtype=torch.float64), torch.randn(3, dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(lambda zz: step(zz, h)[0], z)
    assert float(jac.triu(1).abs().max()) == 0.0  # z_new_i does not depend on z_j for j > i
    assert bool((jac.diagonal() > 0).all()) and bool((jac.diagonal() < 1).all())  # the gate s lies in (0, 1)
    assert float(step(z, h)[1].detach()) == pytest.approx(float(torch.linalg.slogdet(jac)[1]), abs=1e-12)
    masks = ref.made_masks(dim, [7, 6])
    connectivity = masks[2] @ masks[1] @ masks[0]  # paths from input j to output i
    assert float(connectivity.triu(0).abs().max()) == 0.0


def test_vae_quadrature_agrees_with_iwae_and_bounds_the_refined_elbos(ref):
    torch.manual_seed(0)
    model = ref.VAE(hidden=16, posterior="iaf", iaf_hidden=(8,), context_dim=4).double().eval()
    x = (torch.rand(5, 64, generator=torch.Generator().manual_seed(1)) < 0.3).double()
    log_px = model.log_marginal_grid(x, 6.0, 121)
    torch.testing.assert_close(model.log_marginal_grid(x, 8.0, 181), log_px, rtol=0, atol=1e-5)
    amortized = model.elbo_of(x, model.amortized(x), 500)
    refined = model.elbo_of(x, model.refine(x, 30, lr=2e-2), 500)
    q_mf = model.refine(x, 30, lr=2e-2, flow=False)
    mean_field = model.elbo_of(x, q_mf, 500)
    torch.testing.assert_close(model.iwae(x, 1000, q=q_mf), log_px, rtol=0, atol=0.05)
    for bound in (amortized, refined, mean_field):
        assert bool((bound < log_px + 0.02).all())
    assert float(refined.mean()) > float(amortized.mean())  # per-example optimization removes amortization gap


def test_refine_optimizes_each_example_independently(ref):
    torch.manual_seed(0)
    model = ref.VAE(hidden=16, posterior="iaf", iaf_hidden=(8,), context_dim=4).double().eval()
    x = (torch.rand(4, 64, generator=torch.Generator().manual_seed(2)) < 0.3).double()
    together = model.refine(x, 5, lr=1e-2, n_samples=2, seed=0)
    again = model.refine(x, 5, lr=1e-2, n_samples=2, seed=0)
    torch.testing.assert_close(together.mu, again.mu)
    assert together.flow_params[0]["mean.weight"].shape[0] == 4  # one copy of the flow per example
    x2 = x.clone()
    x2[1:] = 1 - x2[1:]  # other examples change: example 0's refined parameters must not
    other = model.refine(x2, 5, lr=1e-2, n_samples=2, seed=0)
    torch.testing.assert_close(other.mu[0], together.mu[0])
    torch.testing.assert_close(other.flow_params[0]["mean.weight"][0], together.flow_params[0]["mean.weight"][0])
