"""Lab 7: the closed form of 7(b) equals autograd, the metrics are right on known sample sets, what a linear critic
can and cannot see, and the WGAN-GP module trains through Lightning with manual optimization; the mixture check tells
independent draws from modes assigned in turn, the autograd rule holds, the notebook's stored tables are the results
file's, and every text a student reads is in English and French."""

import importlib.util
import inspect
import json
import math
import random

import pytest
import torch
from helpers import assert_notebook_bilingual
from hypothesis import given, settings
from hypothesis import strategies as st
from lightning.pytorch.loggers import CSVLogger

from autograder.labs import REPO_ROOT, get_lab
from labkit import training

LAB = get_lab("lab07_gans")


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
    """Question 7(a): trained to its optimum, the linear critic's gap is ||w|| d with ||w|| = 1 + d / (2 lambda),
    d = ||mu_r - mu_g||: zero for a collapsed generator sitting at the ring's mean."""
    torch.manual_seed(0)

    def gap(fake_sampler):
        critic = ref.LinearCritic(2)
        opt = torch.optim.Adam(critic.parameters(), lr=3e-2, betas=(0.5, 0.9))
        g = torch.Generator().manual_seed(0)
        for _ in range(300):
            loss = ref.critic_loss(critic, ref.ring_of_gaussians(256, generator=g)[0], fake_sampler(256, g), 10.0)
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            real, fake = ref.ring_of_gaussians(100_000, generator=g)[0], fake_sampler(100_000, g)
            return float(critic(real).mean() - critic(fake).mean())

    assert abs(gap(lambda n, g: 0.01 * torch.randn(n, 2, generator=g))) < 0.05
    assert abs(gap(lambda n, g: 3 * ref.ring_of_gaussians(n, generator=g)[0])) < 0.05
    for shift in (0.5, 1.0):  # ||w|| = 1 + d / (2 lambda) at the optimum, so the gap is d + d^2 / 20
        shifted = gap(lambda n, g, s=shift: ref.ring_of_gaussians(n, generator=g)[0] + torch.tensor([s, 0.0]))
        assert shifted == pytest.approx(shift * (1 + shift / 20), abs=0.02)


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


def _mixture_result(module, case: dict) -> dict:
    from labkit.grading import run_case

    return run_case(LAB.checks["mixtures"], module, case)["value"]


def test_independent_draws_pass_the_mixture_check_whatever_the_seed(ref):
    """The reference's modes are drawn i.i.d.: the check's statistics must hold for it on any seed, or a correct
    student who draws in another order could fail by chance."""
    cases = list(LAB.checks["mixtures"].public) + LAB.hidden.mixtures(random.Random(3))
    for case in cases:
        for seed in range(8):
            result = _mixture_result(ref, {**case, "seed": seed * 7919})
            flags = {k: v for k, v in result.items() if isinstance(v, bool)}
            assert all(flags.values()), (case, seed, flags)
            assert result["samples_dtype"] == result["centers_dtype"] == "torch.float32"


def test_modes_assigned_in_turn_fail_the_mixture_check():
    import types

    from autograder.sample_class import reference_source, replace_function

    for mutant in ("ring: modes assigned in turn, not drawn", "grid: equal counts per mode, shuffled"):
        source = reference_source(LAB)
        for target, text in LAB.mutants.MUTANTS[mutant].items():
            source = replace_function(source, target, text)
        module = types.ModuleType("lab07_mutant")
        exec(compile(source, "lab07_mutant.py", "exec"), module.__dict__)
        case = LAB.checks["mixtures"].public[0 if mutant.startswith("ring") else 1]
        result = _mixture_result(module, case)
        assert result["modes_equally_likely"] and not result["modes_drawn_independently"], mutant


def test_autograd_in_the_closed_form_breaks_its_rule_and_only_that():
    from autograder.sample_class import reference_source, replace_function
    from labkit.rules import broken_rules

    rules = LAB.checks["linear_critic_grad_w"].rules
    reference = reference_source(LAB)
    assert broken_rules(reference, rules) == []
    source = replace_function(reference, "linear_critic_grad_w",
                              LAB.mutants.MUTANTS["closed form: autograd through critic_loss"]["linear_critic_grad_w"])
    broken = broken_rules(source, rules)
    assert len(broken) == 1 and "/ " in broken[0], broken
    assert all(broken_rules(source, c.rules) == [] for k, c in LAB.checks.items() if k != "linear_critic_grad_w")


def _benchmark():
    path = REPO_ROOT / "benchmarks" / "lab07_pacgan_table.py"
    spec = importlib.util.spec_from_file_location("lab07_pacgan_table", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _notebook_text() -> str:
    return "\n".join(line[2:] for line in LAB.notebook_source.read_text(encoding="utf-8").splitlines())


def _results(name: str) -> dict:
    return json.loads((REPO_ROOT / "benchmarks" / "results" / name).read_text())


@pytest.mark.parametrize("entry", ["gan_5000_steps", "grid_gan_15000_steps"])
def test_the_notebooks_table_1_is_the_results_file(entry):
    """Every row of the stored Table 1 the notebook shows is what benchmarks/lab07_pacgan_table.py prints for the runs
    kept in benchmarks/results/."""
    runs = _results("lab07_pacgan_table.json")[entry]["runs"]
    text = _notebook_text()
    assert f"`{entry}`" in text
    for row in _benchmark().table(runs, "gan")[2:]:
        assert row in text, row


def test_the_notebooks_wgan_gp_runs_are_the_results_file():
    """The per-seed WGAN-GP table under Experiment 4, column by column the entries it names, in that order."""
    data = _results("lab07_wgan_gp.json")
    entries = ["wgan_gp_ring_lambda1_600_steps", "wgan_gp_ring_lambda10_2400_steps",
               "wgan_gp_ring_lambda10_lr3e-4_2400_steps"]
    assert [data[e]["settings"]["lambda_gp"] for e in entries] == [1.0, 10.0, 10.0]
    assert [data[e]["settings"]["lr"] for e in entries] == [1e-3, 1e-3, 3e-4]
    text = _notebook_text()
    assert all(f"`{e}`" in text for e in entries)
    for row in _benchmark().seed_table({e: data[e]["runs"] for e in entries})[2:]:
        assert row in text, row
    # The notebook's own run is seed 0 of this profile: its lambda = 10 run is the first 600 steps of the longer one.
    assert {k: v for k, v in data[entries[1]]["settings"].items() if k != "epochs"} == {
        **{k: v for k, v in data[entries[0]]["settings"].items() if k != "epochs"}, "lambda_gp": 10.0}


def test_every_text_a_student_reads_is_in_english_and_french(ref):
    assert_notebook_bilingual(LAB)
    assert "\nFR: " in ref.__doc__
    filled = [obj for obj in vars(ref).values() if (inspect.isfunction(obj) or inspect.isclass(obj))
              and obj.__module__ == ref.__name__ and "### BEGIN SOLUTION" in inspect.getsource(obj)]
    assert len(filled) == 8
    for obj in filled:
        assert "\n\n    FR: Tâche 7." in obj.__doc__, obj.__name__
    for make in (lambda: ref.pack(torch.zeros(5, 2), 2),
                 lambda: ref.mode_coverage(torch.zeros(0, 2), torch.zeros(1, 2), 1.0),
                 lambda: ref.WGANGP(loss="lsgan"), lambda: ref.WGANGP(pac=0), lambda: ref.MixtureDataModule("spiral")):
        with pytest.raises(ValueError, match=r" / .*(doit|doivent|demande|impossible)"):
            make()
