"""Lab 7: the linear critic, WGAN-GP's gradient penalty and PacGAN (exam question 7).

Fill in every function that raises NotImplementedError (Tasks 7.1-7.6). `WGANGP` and `MixtureDataModule` are given:
they train with your functions. The grader also reads your source: `linear_critic_grad_w` is asked in closed form, so
it scores 0 if it uses autograd.

FR: Lab 7 : le critique linéaire, la pénalité de gradient de WGAN-GP et PacGAN (question 7 de l'examen). Complétez
chaque fonction qui lève NotImplementedError (tâches 7.1 à 7.6). `WGANGP` et `MixtureDataModule` sont fournis : ils
utilisent vos fonctions. Le correcteur lit aussi votre code source : `linear_critic_grad_w` est demandée sous
forme close, elle obtient donc 0 si elle utilise la différentiation automatique (autograd).
"""

from __future__ import annotations

import math

import lightning as L
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, IterableDataset, TensorDataset

from labkit import plotting, training


def ring_of_gaussians(n: int, modes: int = 8, radius: float = 1.0, std: float = 0.01,
                      generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Task 7.1: `n` independent samples of an equal-weight mixture of `modes` isotropic Gaussians (standard
    deviation `std`) whose means lie on a circle of `radius`; mean k is at angle 2 pi k / modes. Each sample draws its
    mode uniformly at random, independently of the others. Returns (samples (n, 2), centers (modes, 2)), both
    float32. All randomness comes from `generator`.

    FR: Tâche 7.1 : `n` tirages indépendants d'un mélange à poids égaux de `modes` gaussiennes isotropes (écart-type
    `std`) dont les moyennes sont sur un cercle de rayon `radius` ; la moyenne k est à l'angle 2 pi k / modes. Chaque
    tirage choisit son mode uniformément au hasard, indépendamment des autres. Renvoie (échantillons (n, 2), centres
    (modes, 2)), tous deux en float32. Tout l'aléa vient de `generator`."""
    # YOUR CODE HERE
    raise NotImplementedError("ring_of_gaussians: not implemented yet / pas encore implémenté")


def grid_of_gaussians(n: int, side: int = 5, spacing: float = 2.0, std: float = 0.05,
                      generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Task 7.1: the same on a `side` x `side` grid centred on the origin, `spacing` apart (the defaults give the
    means {-4, -2, 0, 2, 4}^2). Returns (samples (n, 2), centers (side * side, 2)), both float32.

    FR: Tâche 7.1 : la même chose sur une grille `side` x `side` centrée sur l'origine, au pas de `spacing` (les
    valeurs par défaut donnent les moyennes {-4, -2, 0, 2, 4}^2). Renvoie (échantillons (n, 2), centres
    (side * side, 2)), tous deux en float32."""
    # YOUR CODE HERE
    raise NotImplementedError("grid_of_gaussians: not implemented yet / pas encore implémenté")


class LinearCritic(nn.Module):
    """Task 7.2: the exam's discriminator D(x) = w^T x + b, with parameters `w` of shape (dim,) and a scalar `b`
    (shape ()). `forward` maps (B, dim) to (B,).

    FR: Tâche 7.2 : le discriminateur de l'examen, D(x) = w^T x + b, de paramètres `w` de forme (dim,) et `b`
    scalaire (forme ()). `forward` envoie (B, dim) sur (B,)."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        # YOUR CODE HERE
        raise NotImplementedError("LinearCritic.__init__: not implemented yet / pas encore implémenté")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # YOUR CODE HERE
        raise NotImplementedError("LinearCritic.forward: not implemented yet / pas encore implémenté")


def gradient_penalty(critic: nn.Module, real: torch.Tensor, fake: torch.Tensor,
                     eps: torch.Tensor | None = None) -> torch.Tensor:
    """Task 7.3: the batch mean of (||grad_xhat D(xhat)||_2 - 1)^2 at xhat = eps * real + (1 - eps) * fake, one
    eps ~ U[0, 1] per sample (shape (B, 1), drawn here when not given). `critic` maps (B, D) to (B,). The result
    must stay differentiable with respect to the critic's parameters: it is part of the critic's loss.

    FR: Tâche 7.3 : la moyenne sur le lot de (||grad_xhat D(xhat)||_2 - 1)^2 en xhat = eps * real + (1 - eps) * fake,
    avec un eps ~ U[0, 1] pour chaque exemple (forme (B, 1), tiré ici s'il n'est pas donné). `critic` envoie (B, D)
    sur (B,). Le résultat doit rester différentiable par rapport aux paramètres du critique : il fait partie de son
    coût."""
    # YOUR CODE HERE
    raise NotImplementedError("gradient_penalty: not implemented yet / pas encore implémenté")


def critic_loss(critic: nn.Module, real: torch.Tensor, fake: torch.Tensor, lambda_gp: float,
                eps: torch.Tensor | None = None) -> torch.Tensor:
    """Task 7.4: the exam's WGAN-GP loss L = E[D(fake)] - E[D(real)] + lambda_gp * gradient penalty (which the
    critic minimises).

    FR: Tâche 7.4 : le coût WGAN-GP de l'examen, L = E[D(fake)] - E[D(real)] + lambda_gp * pénalité de gradient
    (que le critique minimise)."""
    # YOUR CODE HERE
    raise NotImplementedError("critic_loss: not implemented yet / pas encore implémenté")


def linear_critic_grad_w(w: torch.Tensor, real: torch.Tensor, fake: torch.Tensor, lambda_gp: float) -> torch.Tensor:
    """Task 7.5: question 7(b) in closed form: the gradient of `critic_loss` with respect to `w` for the linear critic
    D(x) = w^T x + b on this batch, without autograd (the grader reads the source). `w` is non-zero; real and fake
    are (B, dim).

    FR: Tâche 7.5 : la question 7(b) sous forme close : le gradient de `critic_loss` par rapport à `w` pour le
    critique linéaire D(x) = w^T x + b sur ce lot, sans différentiation automatique (le correcteur lit le code
    source). `w` est non nul ; real et fake sont (B, dim)."""
    # YOUR CODE HERE
    raise NotImplementedError("linear_critic_grad_w: not implemented yet / pas encore implémenté")


def pack(x: torch.Tensor, m: int) -> torch.Tensor:
    """Task 7.6: PacGAN's packing, (B, D) -> (B // m, m * D): row i holds samples m*i, ..., m*i + m - 1 side by side.
    Raises ValueError unless m is a positive divisor of B.

    FR: Tâche 7.6 : le regroupement (packing) de PacGAN, (B, D) -> (B // m, m * D) : la ligne i contient les
    exemples m*i, ..., m*i + m - 1 côte à côte. Lève ValueError sauf si m est un diviseur positif de B."""
    # YOUR CODE HERE
    raise NotImplementedError("pack: not implemented yet / pas encore implémenté")


def mode_coverage(samples: torch.Tensor, centers: torch.Tensor, std: float) -> tuple[int, float]:
    """Task 7.6: PacGAN's metrics. A sample is high quality when it lies within 3 * std (Euclidean distance) of its
    nearest center; a mode is captured when it is the nearest center of at least one high-quality sample. Returns
    (modes captured, fraction of high-quality samples). Raises ValueError on an empty set of samples.

    FR: Tâche 7.6 : les mesures de PacGAN. Un échantillon est de haute qualité s'il est à moins de 3 * std (distance
    euclidienne) de son centre le plus proche ; un mode est capturé s'il est le centre le plus proche d'au moins un
    échantillon de haute qualité. Renvoie (modes capturés, fraction d'échantillons de haute qualité). Lève ValueError
    si l'ensemble d'échantillons est vide."""
    # YOUR CODE HERE
    raise NotImplementedError("mode_coverage: not implemented yet / pas encore implémenté")


# --- training: given -----------------------------------------------------------------------------------------------

MIXTURES = {"ring": (ring_of_gaussians, 0.01), "grid": (grid_of_gaussians, 0.05)}  # the paper's set-ups and stds


def sample_mixture(name: str, n: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    if name not in MIXTURES:
        raise ValueError(f"dataset must be one of {sorted(MIXTURES)}, got {name!r} / "
                         f"dataset doit être l'une des valeurs {sorted(MIXTURES)} (valeur reçue : {name!r})")
    return MIXTURES[name][0](n, generator=generator)


class _FreshSamples(IterableDataset):
    """`steps` batches of new samples from the mixture per epoch: the data distribution itself, never a fixed set."""

    def __init__(self, name: str, batch_size: int, steps: int, seed: int) -> None:
        self.name, self.batch_size, self.steps = name, batch_size, steps
        self.generator = torch.Generator().manual_seed(seed)

    def __iter__(self):
        for _ in range(self.steps):
            yield sample_mixture(self.name, self.batch_size, self.generator)[0]


class MixtureDataModule(L.LightningDataModule):
    """`steps_per_epoch` training batches of `batch_size` fresh real samples (one batch feeds one generator iteration
    of `WGANGP`, so it holds critic_steps * pac * the critic's batch) and one validation batch of `n_eval`."""

    def __init__(self, dataset: str = "ring", batch_size: int = 256, steps_per_epoch: int = 100, n_eval: int = 2500,
                 seed: int = 0) -> None:
        super().__init__()
        sample_mixture(dataset, 1)  # fails early on an unknown name
        self.name, self.batch_size, self.steps_per_epoch = dataset, batch_size, steps_per_epoch
        self.n_eval, self.seed = n_eval, seed

    def train_dataloader(self) -> DataLoader:
        # Pinned host memory lets the copy to a GPU overlap with the kernels already queued.
        return DataLoader(_FreshSamples(self.name, self.batch_size, self.steps_per_epoch, self.seed), batch_size=None,
                          pin_memory=torch.cuda.is_available())

    def val_dataloader(self) -> DataLoader:
        real = sample_mixture(self.name, self.n_eval, torch.Generator().manual_seed(self.seed + 1))[0]
        return DataLoader(TensorDataset(real), batch_size=self.n_eval)


def mlp(n_in: int, hidden: int, n_out: int, layers: int) -> nn.Sequential:
    modules: list[nn.Module] = []
    for i in range(layers):
        modules += [nn.Linear(n_in if i == 0 else hidden, hidden), nn.ReLU()]
    return nn.Sequential(*modules, nn.Linear(hidden if layers else n_in, n_out))


class WGANGP(L.LightningModule):
    """WGAN-GP on a 2-D mixture, with PacGAN's packing: the critic judges `pac` samples at once.

    Manual optimization: every training batch is one generator iteration, split into `critic_steps` chunks: one
    critic step per chunk, then one generator step. (One batch per iteration rather than per critic step: on a GPU
    these small steps are bound by per-step overhead, so the host-to-device copy and Lightning's loop run once per
    iteration.) Validation draws as many generated samples as the validation batch holds and logs PacGAN's metrics.
    `loss="gan"` swaps the WGAN-GP loss for the standard GAN loss the PacGAN paper trains with (cross-entropy for
    the discriminator, non-saturating for the generator; use it with critic_steps=1)."""

    def __init__(self, dataset: str = "ring", pac: int = 1, latent_dim: int = 2, hidden: int = 128,
                 layers: int = 3, critic_steps: int = 5, lambda_gp: float = 10.0, lr: float = 1e-4,
                 betas: tuple[float, float] = (0.5, 0.9), loss: str = "wgan-gp", plot_every: int = 0) -> None:
        super().__init__()
        if loss not in ("wgan-gp", "gan"):
            raise ValueError(f"loss must be 'wgan-gp' or 'gan' (the PacGAN paper's), got {loss!r} / "
                             f"loss doit être 'wgan-gp' ou 'gan' (le coût de l'article PacGAN ; "
                             f"valeur reçue : {loss!r})")
        if pac < 1 or critic_steps < 1:
            raise ValueError("pac and critic_steps must be at least 1 / pac et critic_steps doivent valoir au moins 1")
        self.save_hyperparameters()
        self.automatic_optimization = False
        self.generator = mlp(latent_dim, hidden, 2, layers)
        self.critic = nn.Sequential(mlp(2 * pac, hidden, 1, layers), nn.Flatten(0))
        _, centers = sample_mixture(dataset, 1)
        self.register_buffer("centers", centers)
        self.std = MIXTURES[dataset][1]
        self.coverage: list[tuple[int, int, float]] = []  # (epoch, modes, high-quality fraction)

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        z = torch.randn(n, self.hparams.latent_dim, device=self.device, generator=generator)
        return self.generator(z)

    def training_step(self, real: torch.Tensor, batch_idx: int) -> None:
        pac, steps, wgan = self.hparams.pac, self.hparams.critic_steps, self.hparams.loss == "wgan-gp"
        if real.shape[0] % (steps * pac):
            raise ValueError(f"a training batch of {real.shape[0]} samples does not split into critic_steps={steps} "
                             f"chunks of packs of {pac}: make the batch size a multiple of {steps * pac} / un lot "
                             f"de {real.shape[0]} exemples ne se découpe pas en critic_steps={steps} parts de groupes "
                             f"de {pac} : prenez une taille de lot multiple de {steps * pac}")
        opt_g, opt_c = self.optimizers()
        n = real.shape[0] // steps
        for chunk in real.split(n):
            real_packed = pack(chunk, pac)
            fake_packed = pack(self.sample(n).detach(), pac)
            d_real, d_fake = self.critic(real_packed), self.critic(fake_packed)
            if wgan:  # critic_loss written out in its terms, so that each can be logged
                penalty = gradient_penalty(self.critic, real_packed, fake_packed)
                loss_c = d_fake.mean() - d_real.mean() + self.hparams.lambda_gp * penalty
            else:  # the discriminator's cross-entropy, real labelled 1
                loss_c = F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
            opt_c.zero_grad(set_to_none=True)
            self.manual_backward(loss_c)
            opt_c.step()
        d_gen = self.critic(pack(self.sample(n), pac))
        loss_g = -d_gen.mean() if wgan else F.softplus(-d_gen).mean()  # non-saturating for the GAN
        opt_g.zero_grad(set_to_none=True)
        self.manual_backward(loss_g)
        opt_g.step()
        # self.log costs milliseconds of Python per value, as much as a small step: call it only on the iterations
        # the logger writes (every log_every_n_steps batches).
        every = self.trainer.log_every_n_steps
        if every and (batch_idx + 1) % every == 0:
            logs = {"train/critic_loss": loss_c, "train/generator_loss": loss_g,
                    "train/critic_gap": d_real.mean() - d_fake.mean()}
            if wgan:
                logs["train/gradient_penalty"] = penalty
            self.log_dict(logs, on_step=True, on_epoch=False)

    def validation_step(self, batch: list[torch.Tensor], batch_idx: int) -> None:
        (real,) = batch
        generator = torch.Generator(device=self.device).manual_seed(batch_idx)
        fake = self.sample(real.shape[0], generator)
        modes, quality = mode_coverage(fake, self.centers, self.std)
        self.log_dict({"val/modes": float(modes), "val/high_quality": quality}, prog_bar=True)
        if not self.trainer.sanity_checking:
            self.coverage.append((self.current_epoch, modes, quality))
            every = self.hparams.plot_every
            if every and ((self.current_epoch + 1) % every == 0 or self.current_epoch + 1 == self.trainer.max_epochs):
                fig = scatter(fake, self.centers, title=f"{self.hparams.dataset}, pac {self.hparams.pac}, "
                                                        f"epoch {self.current_epoch + 1}: {modes} modes")
                training.log_figure(self.logger, "samples", fig, step=self.global_step)

    def configure_optimizers(self):
        # On a GPU these small steps are bound by kernel launches: the fused Adam is one kernel per step.
        kwargs = dict(lr=self.hparams.lr, betas=self.hparams.betas, fused=True if self.device.type == "cuda" else None)
        return torch.optim.Adam(self.generator.parameters(), **kwargs), torch.optim.Adam(self.critic.parameters(),
                                                                                         **kwargs)


# PacGAN (Lin et al., 2018), Table 1: modes captured, mean and standard error over 10 trials, for the unpacked GAN
# and PacGAN2 / PacGAN4 (fjxmlzn/PacGAN).
PAPER_MODES = {("ring", 1): (6.3, 0.5), ("ring", 2): (7.9, 0.1), ("ring", 4): (7.8, 0.1),
               ("grid", 1): (17.3, 0.8), ("grid", 2): (23.8, 0.7), ("grid", 4): (24.8, 0.2)}


def train_pacgan(dataset: str, pac: int, seed: int, epochs: int, steps_per_epoch: int, batch_size: int,
                 run_name: str | None = None, plot_every: int = 0, **model_kwargs) -> WGANGP:
    """One training run of `epochs` x `steps_per_epoch` generator steps. `batch_size` counts the critic's (packed)
    inputs, so each critic step draws batch_size * pac real samples. The run is tracked (wandb offline by default)
    unless run_name is None."""
    training.seed_everything(seed)
    model = WGANGP(dataset, pac=pac, plot_every=plot_every, **model_kwargs)
    data = MixtureDataModule(dataset, batch_size=batch_size * pac * model.hparams.critic_steps,
                             steps_per_epoch=steps_per_epoch, seed=seed)
    config = dict(dataset=dataset, pac=pac, seed=seed, epochs=epochs, steps_per_epoch=steps_per_epoch,
                  batch_size=batch_size, **model_kwargs)
    logger = training.make_logger("lab07_gans", run_name, config) if run_name else False
    trainer = training.make_trainer("lab07_gans", logger=logger, max_epochs=epochs, enable_progress_bar=False,
                                    enable_model_summary=False, num_sanity_val_steps=0)
    trainer.fit(model, datamodule=data)
    training.finish(trainer)
    return model


def scatter(samples: torch.Tensor, centers: torch.Tensor, title: str = ""):
    """Generated samples against the modes."""
    return plotting.scatter_2d({"generated": samples, "modes": centers}, title=title)
