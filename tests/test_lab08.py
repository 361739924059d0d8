"""Lab 8: the reference against brute-force enumeration of tiny three-way Boltzmann machines (conditionals, marginal,
log Z, positive statistics, the exact gradient against autograd), the block-Gibbs chain's stationary distribution,
and the module training through Lightning."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def ref():
    from autograder.labs import get_lab

    return get_lab("lab08_boltzmann").reference()


def model(n: int, m: int, k: int, scale: float, seed: int) -> torch.Tensor:
    return scale * torch.randn(n, m, k, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def brute_energies(ref, W: torch.Tensor) -> torch.Tensor:
    """-E for every (x, y, z), shape (2^N, 2^M, 2^K), written as a loop over states, independent of any einsum."""
    n, m, k = W.shape
    xs, ys, zs = ref.all_states(n), ref.all_states(m), ref.all_states(k)
    out = torch.empty(len(xs), len(ys), len(zs), dtype=torch.float64)
    for a, x in enumerate(xs):
        for b, y in enumerate(ys):
            for c, z in enumerate(zs):
                out[a, b, c] = -(W * x[:, None, None] * y[None, :, None] * z[None, None, :]).sum()
    return out


shapes = st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 3))


@settings(max_examples=6, deadline=None)
@given(shape=shapes, scale=st.floats(0.1, 3.0), seed=st.integers(0, 10**6))
def test_marginal_and_log_partition_equal_enumeration(ref, shape, scale, seed):
    W = model(*shape, scale, seed)
    neg_e = brute_energies(ref, W)
    xs = ref.all_states(shape[0])
    torch.testing.assert_close(ref.unnormalized_log_marginal(W, xs), torch.logsumexp(neg_e.flatten(1), 1),
                               rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(ref.log_partition(W, chunk=3), torch.logsumexp(neg_e.flatten(), 0), rtol=1e-10,
                               atol=1e-10)


def test_marginal_stays_finite_where_exp_overflows(ref):
    W = model(5, 4, 3, 200.0, 0)
    x = ref.all_states(5)
    values = ref.unnormalized_log_marginal(W, x)
    assert torch.isfinite(values).all() and float(values.max()) > 710  # e^710 is beyond float64
    # the largest term dominates: the log-sum-exp is within log(2^(M+K)) of the max of -E
    top = brute_energies(ref, W).flatten(1).max(1).values
    assert ((values - top) >= -1e-9).all() and ((values - top) <= 7 * 0.7).all()


@settings(max_examples=5, deadline=None)
@given(shape=shapes, scale=st.floats(0.1, 3.0), seed=st.integers(0, 10**6))
def test_conditionals_equal_the_joint_and_factorize(ref, shape, scale, seed):
    W = model(*shape, scale, seed)
    P = ref.joint_probabilities(W)
    n, m, k = shape
    xs, ys, zs = ref.all_states(n), ref.all_states(m), ref.all_states(k)
    for block, conditional, order in ((xs, ref.conditional_x, (0, 1, 2)), (ys, ref.conditional_y, (1, 0, 2)),
                                      (zs, ref.conditional_z, (2, 0, 1))):
        moved = P.permute(order)  # the sampled block first, the other two after it in the order x, y, z
        cond = moved / moved.sum(0, keepdim=True)  # P(block | others)
        others = [s for i, s in enumerate((xs, ys, zs)) if i != order[0]]
        a, b = torch.meshgrid(torch.arange(len(others[0])), torch.arange(len(others[1])), indexing="ij")
        p = conditional(W, others[0][a.flatten()], others[1][b.flatten()]).reshape(len(others[0]), len(others[1]), -1)
        torch.testing.assert_close(torch.einsum("sab,si->abi", cond, block), p, rtol=1e-10, atol=1e-12)
        product = torch.where(block[:, None, None, :] == 1, p[None], 1 - p[None]).prod(-1)
        torch.testing.assert_close(cond, product, rtol=1e-10, atol=1e-12)


@settings(max_examples=5, deadline=None)
@given(shape=shapes, batch=st.integers(1, 6), scale=st.floats(0.1, 2.0), seed=st.integers(0, 10**6))
def test_exact_gradient_is_autograd_of_the_exact_nll(ref, shape, batch, scale, seed):
    W = model(*shape, scale, seed).requires_grad_()
    x = (torch.rand(batch, shape[0], generator=torch.Generator().manual_seed(seed + 1)) < 0.5).double()
    nll = -(ref.unnormalized_log_marginal(W, x).mean() - ref.log_partition(W))
    (expected,) = torch.autograd.grad(nll, W)
    torch.testing.assert_close(ref.exact_nll_gradient(W.detach(), x), expected, rtol=1e-9, atol=1e-12)


def test_exact_positive_statistics_and_q_z_equal_enumeration(ref):
    for shape in ((3, 2, 4), (3, 4, 2)):  # M < K: the reference enumerates y; M > K: z
        W = model(*shape, 1.5, 1)
        P = ref.joint_probabilities(W)
        xs, ys, zs = (ref.all_states(d) for d in shape)
        post = P / P.sum((1, 2), keepdim=True)  # P(y, z | x) for each x
        expected = torch.einsum("abc,ai,bj,ck->ijk", post, xs, ys, zs) / len(xs)
        positive, q_z = ref.positive_statistics(W, xs, "exact")
        torch.testing.assert_close(positive, expected, rtol=1e-10, atol=1e-12)
        torch.testing.assert_close(q_z, torch.einsum("abc,ck->ak", post, zs), rtol=1e-10, atol=1e-12)


def test_every_exact_nll_gradient_case_carries_its_exact_positive_phase(ref):
    """The probe of exact_nll_gradient hands each case's positive phase to the student's code (a mistake in
    positive_statistics costs once): public and hidden cases carry it as data, equal to the reference's."""
    from autograder.labs import get_lab

    lab = get_lab("lab08_boltzmann")
    make_model = lab.hidden._public_checks().make_model
    cases = lab.cases("exact_nll_gradient", "test:positive-phase")
    assert len(cases) > 1
    for case in cases:
        W, x, _, _ = make_model(case)
        positive, q_z = ref.positive_statistics(W, x, "exact")
        torch.testing.assert_close(torch.tensor(case["positive"], dtype=torch.float64), positive, rtol=1e-12,
                                   atol=1e-14)
        torch.testing.assert_close(torch.tensor(case["q_z"], dtype=torch.float64), q_z, rtol=1e-12, atol=1e-14)


def test_the_released_checks_do_not_compute_a_positive_phase():
    """Questions 8(b) and 8(c) ask what the marginal and the positive phase cost: the public checks hold the positive
    phase of their case as numbers, and no code that sums over the latent settings."""
    import ast

    from autograder.labs import REPO_ROOT

    source = (REPO_ROOT / "labs" / "lab08_boltzmann" / "checks.py").read_text()
    called = {node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
              for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)}
    assert not called & {"softmax", "logsumexp", "cartesian_prod", "product", "arange"}, called


def test_mean_field_converges_and_gibbs_is_unbiased(ref):
    """Weak couplings: the mean field's fixed point is close to exact; many inner chains converge to it."""
    W = model(4, 3, 5, 0.3, 2)
    x = (torch.rand(6, 4, generator=torch.Generator().manual_seed(3)) < 0.5).double()
    exact, exact_q = ref.positive_statistics(W, x, "exact")
    mf = [ref.positive_statistics(W, x, "mean_field", iterations=t)[0] for t in (1, 200)]
    assert float((mf[1] - exact).abs().max()) < float((mf[0] - exact).abs().max())
    assert float((mf[1] - exact).abs().max()) < 0.05  # biased: it ignores the coupling of y and z given x
    g = torch.Generator().manual_seed(4)
    xr = x.repeat(500, 1)  # 500 chains per example: the batch average is the same expectation
    uy, uz = (torch.rand(60, len(xr), d, generator=g, dtype=torch.float64) for d in (3, 5))
    gibbs, q_z = ref.positive_statistics(W, xr, "gibbs", uy=uy, uz=uz, burn_in=20)
    assert float((gibbs - exact).abs().max()) < min(0.01, float((mf[1] - exact).abs().max()))
    assert float((q_z.reshape(500, 6, 5).mean(0) - exact_q).abs().max()) < 0.02


def test_block_gibbs_reaches_the_joint_and_a_parallel_sweep_does_not(ref):
    W = model(2, 2, 2, 2.0, 5)
    joint = ref.joint_probabilities(W).flatten()
    g = torch.Generator().manual_seed(6)
    chains = 20000

    def tv(x, y, z) -> float:
        powers = torch.tensor([1.0, 2.0], dtype=torch.float64)
        idx = ((x @ powers) * 16 + (y @ powers) * 4 + z @ powers).long()
        return 0.5 * float((torch.bincount(idx, minlength=64).double() / chains - joint).abs().sum())

    def parallel(W, x, y, z, ux, uy, uz):
        return ((ux < ref.conditional_x(W, y, z)).double(), (uy < ref.conditional_y(W, x, z)).double(),
                (uz < ref.conditional_z(W, x, y)).double())

    results = {}
    for name, step in (("sequential", ref.block_gibbs_step), ("parallel", parallel)):
        state = tuple(torch.zeros(chains, 2, dtype=torch.float64) for _ in range(3))
        for _ in range(15):
            state = step(W, *state, *(torch.rand(chains, 2, generator=g, dtype=torch.float64) for _ in range(3)))
        results[name] = tv(*state)
    assert results["sequential"] < 0.03  # sampling noise of 20,000 draws over 64 states is about 0.015
    assert results["parallel"] > 2 * results["sequential"]


def test_cd_gradient_sign_descends_the_nll_on_average(ref):
    """With an exact positive phase and long chains, the CD estimate points along the exact gradient."""
    W = model(6, 3, 4, 0.5, 7)
    x = (torch.rand(50, 6, generator=torch.Generator().manual_seed(8)) < 0.3).double()
    positive, q_z = ref.positive_statistics(W, x, "exact")
    g = torch.Generator().manual_seed(9)
    xr = x.repeat(20, 1)
    uniforms = (torch.rand(len(xr), 4, generator=g, dtype=torch.float64),
                *(torch.rand(30, len(xr), d, generator=g, dtype=torch.float64) for d in (6, 3, 4)))
    estimate = ref.cd_gradient(W, xr, 30, positive, q_z.repeat(20, 1), uniforms)
    assert ref.angle_degrees(estimate, ref.exact_nll_gradient(W, x)) < 25


def test_cd_chain_starts_from_the_positive_phase_latents(ref):
    """CD-1 with x's uniforms at -1 (x stays at the data): the negative statistics are then those of (y, z) after one
    half-sweep from the positive phase's latents, close to the exact positive phase; a start at z = 0 is far from it."""
    W = model(4, 2, 3, 1.0, 11)
    x = torch.ones(4000, 4, dtype=torch.float64)
    positive, q_z = ref.positive_statistics(W, x, "exact")
    g = torch.Generator().manual_seed(12)
    uniforms = (torch.rand(4000, 3, generator=g, dtype=torch.float64), -torch.ones(1, 4000, 4, dtype=torch.float64),
                torch.rand(1, 4000, 2, generator=g, dtype=torch.float64),
                torch.rand(1, 4000, 3, generator=g, dtype=torch.float64))
    negative = positive - ref.cd_gradient(W, x, 1, positive, q_z, uniforms)
    from_zero = positive - ref.cd_gradient(W, x, 1, positive, torch.zeros_like(q_z), uniforms)
    assert float((negative - positive).abs().max()) < 0.05
    assert float((from_zero - positive).abs().max()) > 2 * float((negative - positive).abs().max())
    assert torch.equal(x, torch.ones(4000, 4, dtype=torch.float64))  # the data is not modified


def test_training_improves_the_exact_log_likelihood(ref):
    from labkit.data import digits_tensors  # noqa: F401  (the module's data source must import offline)

    model_ = ref.train("exact", "exact", epochs=2, batch_size=64, limit=300, m=2, k=3, lr=0.2)
    lls = [h["val/log_likelihood"] for h in model_.history]
    assert len(lls) == 2 and lls[-1] > -64 * 0.6931 + 1.0
    pcd = ref.train("pcd", "gibbs", epochs=1, batch_size=64, limit=300, m=2, k=3, inner_steps=4, n_chains=20)
    assert pcd.history and pcd.samples(3, 2).shape == (3, 64)
