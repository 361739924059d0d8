"""Lab 7: the closed form of 7(b) equals autograd, the metrics are right on known sample sets, what a linear critic
can and cannot see, and the WGAN-GP module trains through Lightning with manual optimization."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from lightning.pytorch.loggers import CSVLogger

from labkit import training


@pytest.fixture(scope="module")
def ref():
    from autograder.labs import get_lab

    return get_lab("lab07_gans").reference()


@settings(max_examples=40, deadline=None)
@given(dim=st.integers(1, 12), batch=st.integers(1, 40), lambda_gp=st.floats(0.0, 20.0),
       w_norm=st.floats(0.05, 5.0), shift=st.floats(-3.0, 3.0), seed=st.integers(0, 10**6))
def test_closed_form_equals_autograd_on_held_out_critics(ref, dim, batch, lambda_gp, w_norm, shift, seed):
    g = torch.Generator().manual_seed(seed)
    critic = ref.LinearCritic(dim).double()
    with torch.no_grad():
        direction = torch.randn(dim, generator=g, dtype=torch.float64)
        critic.w.copy_(w_norm * direction / direction.norm())
        critic.b.copy_(torch.randn((), generator=g, dtype=torch.float64))
    real = torch.randn(batch, dim, generator=g, dtype=torch.float64) + shift
    fake = 2 * torch.randn(batch, dim, generator=g, dtype=torch.float64)
    grad_w, grad_b = torch.autograd.grad(ref.critic_loss(critic, real, fake, lambda_gp), [critic.w, critic.b])
    closed = ref.linear_critic_grad_w(critic.w.detach(), real, fake, lambda_gp)
    torch.testing.assert_close(closed, grad_w, rtol=1e-10, atol=1e-10)
    assert float(grad_b) == pytest.approx(0.0, abs=1e-12)  # the bias cancels between the two expectations


def test_linear_critic_penalty_is_independent_of_where_it_is_taken(ref):
    critic = ref.LinearCritic(3).double()
    real, fake = torch.randn(50, 3, dtype=torch.float64) + 4, torch.randn(50, 3, dtype=torch.float64)
    expected = (float(critic.w.detach().norm()) - 1) ** 2
    for eps in (torch.zeros(50, 1), torch.ones(50, 1), torch.rand(50, 1)):
        penalty = ref.gradient_penalty(critic, real, fake, eps.double())
        assert float(penalty.detach()) == pytest.approx(expected, rel=1e-12)


def test_gradient_penalty_matches_a_hand_computation_for_a_nonlinear_critic(ref):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.Tanh(), torch.nn.Linear(5, 1), torch.nn.Flatten(0))
    net = net.double()
    real, fake, eps = (torch.randn(8, 2, dtype=torch.float64), torch.randn(8, 2, dtype=torch.float64),
                       torch.rand(8, 1, dtype=torch.float64))
    by_sample = []
    for i in range(8):
        x = (eps[i] * real[i] + (1 - eps[i]) * fake[i]).requires_grad_()
        (grad,) = torch.autograd.grad(net(x[None]).sum(), x)
        by_sample.append((grad.norm() - 1) ** 2)
    penalty = ref.gradient_penalty(net, real, fake, eps).detach()
    assert float(penalty) == pytest.approx(float(torch.stack(by_sample).mean()))


def test_mode_coverage_on_known_sample_sets(ref):
    samples, centers = ref.ring_of_gaussians(20000, generator=torch.Generator().manual_seed(0))
    modes, quality = ref.mode_coverage(samples, centers, 0.01)
    # A 2-D isotropic Gaussian puts 1 - exp(-9/2) = 98.9% of its mass within 3 standard deviations.
    assert modes == 8 and quality == pytest.approx(1 - math.exp(-4.5), abs=0.004)
    collapsed = centers[3] + 0.001 * torch.randn(500, 2)
    assert ref.mode_coverage(collapsed, centers, 0.01) == (1, 1.0)
    grid, grid_centers = ref.grid_of_gaussians(20000, generator=torch.Generator().manual_seed(1))
    assert ref.mode_coverage(grid, grid_centers, 0.05)[0] == 25
    assert ref.mode_coverage(grid * 1.5, grid_centers, 0.05)[0] == 1  # only the origin stays in place
    with pytest.raises(ValueError):
        ref.mode_coverage(torch.zeros(0, 2), centers, 0.01)


def test_paper_data_sets(ref):
    _, ring = ref.ring_of_gaussians(1)
    assert ring.shape == (8, 2) and torch.allclose(ring.norm(dim=1), torch.ones(8))
    _, grid = ref.grid_of_gaussians(1)
    assert sorted(set(grid[:, 0].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0] and grid.shape == (25, 2)


def test_pack_groups_consecutive_samples(ref):
    x = torch.arange(12.0).reshape(6, 2)
    assert ref.pack(x, 3).tolist() == [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]]
    assert torch.equal(ref.pack(x, 1), x)
    for m in (0, 4, -2):
        with pytest.raises(ValueError):
            ref.pack(x, m)


def test_a_linear_critic_sees_only_the_means(ref):
    """Question 7(a): trained to optimality, the linear critic's gap is |mu_r - mu_g|; zero for a collapsed
    generator sitting at the ring's mean."""
    torch.manual_seed(0)

    def gap(fake_sampler):
        critic = ref.LinearCritic(2)
        opt = torch.optim.Adam(critic.parameters(), lr=1e-2, betas=(0.5, 0.9))
        g = torch.Generator().manual_seed(0)
        for _ in range(300):
            loss = ref.critic_loss(critic, ref.ring_of_gaussians(256, generator=g)[0], fake_sampler(256, g), 10.0)
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            real, fake = ref.ring_of_gaussians(8192, generator=g)[0], fake_sampler(8192, g)
            return float(critic(real).mean() - critic(fake).mean())

    assert abs(gap(lambda n, g: 0.01 * torch.randn(n, 2, generator=g))) < 0.05
    shifted = gap(lambda n, g: ref.ring_of_gaussians(n, generator=g)[0] + torch.tensor([0.5, 0.0]))
    assert shifted == pytest.approx(0.5 * (1 + 0.5 / 20), abs=0.05)  # ||w|| = 1 + |dmu| / (2 lambda) at the optimum


@pytest.mark.parametrize("loss", ["wgan-gp", "gan"])
def test_wgangp_trains_with_manual_optimization(ref, tmp_path, loss):
    training.seed_everything(0)
    critic_steps = 5 if loss == "wgan-gp" else 1
    model = ref.WGANGP("grid", pac=2, hidden=16, layers=2, critic_steps=critic_steps, loss=loss, plot_every=1)
    assert model.critic[0][0].in_features == 4  # the critic reads two packed 2-D samples
    data = ref.MixtureDataModule("grid", batch_size=32 * critic_steps, steps_per_epoch=10, n_eval=500)
    logger = CSVLogger(tmp_path, name="lab07")
    trainer = training.make_trainer("lab07_gans", logger=logger, max_epochs=2, enable_progress_bar=False,
                                    enable_model_summary=False, num_sanity_val_steps=0, log_every_n_steps=1)
    before = [p.detach().clone() for p in model.generator.parameters()]
    trainer.fit(model, datamodule=data)
    opt_g, opt_c = trainer.optimizers
    critic_updates = opt_c.state[next(iter(model.critic.parameters()))]["step"]
    generator_updates = opt_g.state[next(iter(model.generator.parameters()))]["step"]
    assert (float(critic_updates), float(generator_updates)) == (20 * critic_steps, 20)  # 2 epochs x 10 iterations
    assert any(not torch.equal(a, b) for a, b in zip(before, model.generator.parameters(), strict=True))
    assert [epoch for epoch, _, _ in model.coverage] == [0, 1]
    assert all(0 <= modes <= 25 and 0 <= quality <= 1 for _, modes, quality in model.coverage)
    logged = trainer.logged_metrics
    assert {"val/modes", "val/high_quality", "train/critic_loss", "train/generator_loss"} <= set(logged)
    assert ("train/gradient_penalty" in logged) == (loss == "wgan-gp")
    assert len(list(tmp_path.rglob("samples-*.png"))) == 2  # one scatter plot per epoch


def test_bad_arguments_are_refused(ref):
    with pytest.raises(ValueError, match="loss"):
        ref.WGANGP(loss="lsgan")
    with pytest.raises(ValueError, match="pac"):
        ref.WGANGP(pac=0)
    with pytest.raises(ValueError, match="multiple of 10"):  # 5 critic steps on packs of 2
        ref.WGANGP(pac=2, critic_steps=5).training_step(torch.zeros(12, 2), 0)
    with pytest.raises(ValueError, match="dataset must be one of"):
        ref.MixtureDataModule("spiral")
