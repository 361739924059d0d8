"""Lab 5: the contractive autoencoder's penalty, against weight decay (exam question 5).

Fill in every function that raises NotImplementedError (Tasks 5.1-5.6). Shapes: an encoder weight `W` is (H, D)
(H hidden units, D inputs), its bias `b` is (H,), the decoder bias `c` is (D,), a batch `x` is (B, D). The encoder is
h(x) = act(W x + b) and the tied decoder reconstructs x~ = W^T h(x) + c. `ContractiveAutoencoder` and the helpers
below it are given: they train with your functions.

FR: Lab 5 : la pénalité de l'autoencodeur contractif (CAE), comparée au *weight decay* (question 5 de l'examen).
Complétez chaque fonction qui lève NotImplementedError (tâches 5.1 à 5.6). Formes : le poids `W` de l'encodeur est
(H, D) (H unités cachées, D entrées), son biais `b` est (H,), le biais `c` du décodeur est (D,), un lot `x` est
(B, D). L'encodeur est h(x) = act(W x + b) et le décodeur à poids liés reconstruit x~ = W^T h(x) + c.
`ContractiveAutoencoder` et les outils qui le suivent sont fournis : ils utilisent vos fonctions.
"""

from __future__ import annotations

import math

import lightning as L
import torch
import torchmetrics
from torch import nn
from torch.func import jacrev, vmap

from labkit import training

ACTIVATIONS = ("linear", "relu", "sigmoid")


def _check_activation(activation: str) -> None:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r} / "
                         f"activation doit être l'une des valeurs {ACTIVATIONS} (valeur reçue : {activation!r})")


def linear_cae_penalty(W: torch.Tensor) -> torch.Tensor:
    """Task 5.1: the exam's CAE penalty ||grad_x h(x)||_F^2 for the linear encoder h(x) = W x, as a scalar tensor
    (without lambda). It must stay differentiable with respect to W.

    FR: Tâche 5.1 : la pénalité contractante de l'examen, ||grad_x h(x)||_F^2, pour l'encodeur linéaire
    h(x) = W x, en tenseur scalaire (sans lambda). Elle doit rester différentiable par rapport à W."""
    ### BEGIN SOLUTION
    return (W**2).sum()
    ### END SOLUTION


def relu_jacobian(W: torch.Tensor, b: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Task 5.2: the Jacobian dh/dx of h(x) = relu(W x + b) at every example of the batch, shape (B, H, D), in closed
    form (no autograd). Take relu'(0) = 0.

    FR: Tâche 5.2 : la jacobienne dh/dx de h(x) = relu(W x + b) en chaque exemple du lot, de forme (B, H, D), sous
    forme close (sans autograd). Prenez relu'(0) = 0."""
    ### BEGIN SOLUTION
    active = (x @ W.T + b > 0).to(W.dtype)
    return active[:, :, None] * W[None]
    ### END SOLUTION


def cae_penalty(W: torch.Tensor, b: torch.Tensor, x: torch.Tensor, activation: str) -> torch.Tensor:
    """Task 5.3: the CAE penalty ||J(x)||_F^2 of the encoder h(x) = act(W x + b) for each example, shape (B,), in
    closed form (no autograd, no (B, H, D) Jacobian needed), for `activation` in "linear", "relu", "sigmoid"
    (relu'(0) = 0). Differentiable in W and b. Raises ValueError for any other activation.

    FR: Tâche 5.3 : la pénalité contractante ||J(x)||_F^2 de l'encodeur h(x) = act(W x + b) pour chaque exemple,
    de forme (B,), sous forme close (sans autograd, sans construire la jacobienne (B, H, D)), pour `activation`
    parmi "linear", "relu", "sigmoid" (relu'(0) = 0). Différentiable par rapport à W et b. Lève ValueError pour
    toute autre activation."""
    ### BEGIN SOLUTION
    _check_activation(activation)
    row_norms = (W**2).sum(dim=1)  # ||W_j||^2, one per hidden unit
    if activation == "linear":
        return row_norms.sum().expand(x.shape[0])
    pre = x @ W.T + b
    if activation == "relu":
        slope2 = (pre > 0).to(W.dtype)
    else:
        h = torch.sigmoid(pre)
        slope2 = (h * (1 - h)) ** 2
    return slope2 @ row_norms
    ### END SOLUTION


def jacobian_penalty_autograd(encoder: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Task 5.4: ||dh/dx||_F^2 for each example, shape (B,), for any encoder module mapping (B, D) to (B, H), through
    torch.func (vmap of jacrev). Differentiable with respect to the encoder's parameters.

    FR: Tâche 5.4 : ||dh/dx||_F^2 pour chaque exemple, de forme (B,), pour tout module encodeur de (B, D) vers
    (B, H), avec torch.func (vmap de jacrev). Différentiable par rapport aux paramètres de l'encodeur."""
    ### BEGIN SOLUTION
    def one(xi: torch.Tensor) -> torch.Tensor:
        return encoder(xi[None])[0]

    return vmap(jacrev(one))(x).pow(2).flatten(1).sum(dim=1)
    ### END SOLUTION


def reconstruct(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor, c: torch.Tensor, activation: str) -> torch.Tensor:
    """The tied autoencoder's reconstruction x~ = W^T act(W x + b) + c, shape (B, D). Given.

    FR: la reconstruction de l'autoencodeur à poids liés x~ = W^T act(W x + b) + c, de forme (B, D). Fournie."""
    _check_activation(activation)
    return Encoder(W, b, activation)(x) @ W + c


def cae_loss(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor, c: torch.Tensor, lam: float,
             activation: str) -> torch.Tensor:
    """Task 5.5: the CAE objective of the tied autoencoder x~ = W^T act(W x + b) + c: the squared reconstruction
    error summed over dimensions and averaged over the batch, plus lam times the batch mean of the CAE penalty.
    A scalar, differentiable in W, b and c.

    FR: Tâche 5.5 : le coût du CAE pour l'autoencodeur à poids liés x~ = W^T act(W x + b) + c : l'erreur
    quadratique de reconstruction, sommée sur les dimensions et moyennée sur le lot, plus lam fois la moyenne sur le
    lot de la pénalité contractante. Un scalaire, différentiable par rapport à W, b et c."""
    ### BEGIN SOLUTION
    error = ((x - reconstruct(x, W, b, c, activation)) ** 2).sum(dim=1).mean()
    return error + lam * cae_penalty(W, b, x, activation).mean()
    ### END SOLUTION


def weight_decay_loss(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor, c: torch.Tensor, lam: float,
                      activation: str) -> torch.Tensor:
    """Task 5.5: the same reconstruction error plus weight decay on the tied weights, lam ||W||_F^2 (biases are not
    decayed). A scalar, differentiable in W, b and c.

    FR: Tâche 5.5 : la même erreur de reconstruction plus le *weight decay* des poids liés, lam ||W||_F^2 (les
    biais ne sont pas pénalisés). Un scalaire, différentiable par rapport à W, b et c."""
    ### BEGIN SOLUTION
    error = ((x - reconstruct(x, W, b, c, activation)) ** 2).sum(dim=1).mean()
    return error + lam * (W**2).sum()
    ### END SOLUTION


def contraction_ratio(encoder: nn.Module, x: torch.Tensor, radius: float, directions: torch.Tensor) -> torch.Tensor:
    """Task 5.6: Rifai et al.'s contraction ratio at distance `radius`: the mean over the examples of x (B, D) and the
    unit `directions` (K, D) of ||f(x + radius d) - f(x)||_2 / radius, where f is `encoder`. A scalar tensor.

    FR: Tâche 5.6 : le taux de contraction de Rifai et al. à la distance `radius` : la moyenne, sur les exemples
    de x (B, D) et les `directions` unitaires (K, D), de ||f(x + radius d) - f(x)||_2 / radius, où f est `encoder`.
    Un tenseur scalaire."""
    ### BEGIN SOLUTION
    moved = (x[:, None, :] + radius * directions[None]).reshape(-1, x.shape[1])
    here = encoder(x)
    there = encoder(moved).reshape(x.shape[0], directions.shape[0], -1)
    return ((there - here[:, None, :]).norm(dim=-1) / radius).mean()
    ### END SOLUTION


# --- training: given -----------------------------------------------------------------------------------------------


class Encoder(nn.Module):
    """h(x) = act(W x + b) as a module, sharing the autoencoder's parameters (for torch.func and the ratios).

    FR: h(x) = act(W x + b) sous forme de module, qui partage les paramètres de l'autoencodeur (pour torch.func et
    les taux de contraction)."""

    def __init__(self, W: nn.Parameter | torch.Tensor, b: nn.Parameter | torch.Tensor, activation: str) -> None:
        super().__init__()
        _check_activation(activation)
        self.W, self.b, self.activation = W, b, activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pre = x @ self.W.T + self.b
        return {"linear": pre, "relu": torch.relu(pre), "sigmoid": torch.sigmoid(pre)}[self.activation]


def unit_directions(k: int, dim: int, generator: torch.Generator | None = None,
                    dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """k random directions, uniform on the unit sphere of R^dim.

    FR: k directions aléatoires, uniformes sur la sphère unité de R^dim."""
    d = torch.randn(k, dim, generator=generator, dtype=dtype)
    return d / d.norm(dim=1, keepdim=True)


def jacobian_spectrum(W: torch.Tensor, b: torch.Tensor, x: torch.Tensor, activation: str) -> torch.Tensor:
    """The encoder Jacobian's singular values at each example, sorted, averaged over the batch: shape (min(H, D),).
    The Jacobians come from torch.func, whatever the activation.

    FR: les valeurs singulières de la jacobienne de l'encodeur en chaque exemple, triées, puis moyennées sur le lot :
    forme (min(H, D),). Les jacobiennes viennent de torch.func, quelle que soit l'activation."""
    encoder = Encoder(W.detach(), b.detach(), activation)
    jacobians = vmap(jacrev(lambda xi: encoder(xi[None])[0]))(x.detach())
    return torch.linalg.svdvals(jacobians).mean(dim=0)


PENALTIES = ("cae", "weight_decay", "none")


class ContractiveAutoencoder(L.LightningModule):
    """The tied autoencoder x~ = W^T act(W x + b) + c on flattened images, trained with the CAE penalty
    (`penalty="cae"`, your `cae_loss`), weight decay on W (`"weight_decay"`, your `weight_decay_loss`) or neither.

    Logs the reconstruction error, the penalty, the explained variance (torchmetrics), the fraction of active units
    (ReLU: pre-activation > 0; sigmoid: 0.1 < h < 0.9, not saturated), the mean bias, the mean ||J||_F^2 and the
    Jacobian's three largest mean singular values (last validation only). `spectrum` keeps those mean singular values.
    With `track=True` every training step's loss and a copy of W are kept in `steps` (for comparing trajectories).

    FR: l'autoencodeur à poids liés x~ = W^T act(W x + b) + c sur des images aplaties, entraîné avec la pénalité
    contractante (`penalty="cae"`, votre `cae_loss`), le *weight decay* sur W (`"weight_decay"`, votre
    `weight_decay_loss`) ou aucun des deux. Journalise l'erreur de reconstruction, la pénalité, la variance
    expliquée (torchmetrics), la fraction d'unités actives (ReLU : pré-activation > 0 ; sigmoïde : 0,1 < h < 0,9,
    non saturée), le biais moyen, la moyenne de ||J||_F^2 et les trois plus grandes valeurs singulières moyennes de
    la jacobienne (à la dernière validation seulement). `spectrum` garde ces valeurs singulières moyennes. Avec
    `track=True`, le coût et une copie de W à chaque pas d'entraînement sont gardés dans `steps` (pour comparer des
    trajectoires)."""

    def __init__(self, n_in: int = 64, n_hidden: int = 128, activation: str = "relu", penalty: str = "cae",
                 lam: float = 0.1, lr: float = 1e-2, track: bool = False) -> None:
        super().__init__()
        _check_activation(activation)
        if penalty not in PENALTIES:
            raise ValueError(f"penalty must be one of {PENALTIES}, got {penalty!r} / "
                             f"penalty doit être l'une des valeurs {PENALTIES} (valeur reçue : {penalty!r})")
        self.save_hyperparameters()
        self.W = nn.Parameter(torch.randn(n_hidden, n_in) / math.sqrt(n_in))
        self.b = nn.Parameter(torch.zeros(n_hidden))
        self.c = nn.Parameter(torch.zeros(n_in))
        self.explained = torchmetrics.ExplainedVariance(multioutput="variance_weighted")
        self.steps: list[tuple[float, torch.Tensor]] = []
        self.spectrum = torch.zeros(0)

    @property
    def encoder(self) -> Encoder:
        return Encoder(self.W, self.b, self.hparams.activation)

    def objective(self, x: torch.Tensor) -> torch.Tensor:
        hp = self.hparams
        if hp.penalty == "cae":
            return cae_loss(x, self.W, self.b, self.c, hp.lam, hp.activation)
        if hp.penalty == "weight_decay":
            return weight_decay_loss(x, self.W, self.b, self.c, hp.lam, hp.activation)
        return cae_loss(x, self.W, self.b, self.c, 0.0, hp.activation)

    def training_step(self, batch: list[torch.Tensor], batch_idx: int) -> torch.Tensor:
        x = batch[0].flatten(1)
        loss = self.objective(x)
        if self.hparams.track:
            self.steps.append((float(loss.detach()), self.W.detach().clone()))
        self.log("train/loss", loss, on_step=False, on_epoch=True)
        return loss

    def validation_step(self, batch: list[torch.Tensor], batch_idx: int) -> None:
        hp = self.hparams
        x = batch[0].flatten(1)
        x_rec = reconstruct(x, self.W, self.b, self.c, hp.activation)
        pre = x @ self.W.T + self.b
        if hp.activation == "sigmoid":
            h = torch.sigmoid(pre)
            active = ((h > 0.1) & (h < 0.9)).float().mean()
        else:
            active = (pre > 0).float().mean()
        self.explained.update(x_rec, x)
        logs = {
            "val/recon": ((x - x_rec) ** 2).sum(dim=1).mean(),
            "val/jacobian_fro2": cae_penalty(self.W, self.b, x, hp.activation).mean(),
            "val/weight_fro2": (self.W**2).sum(),
            "val/active_fraction": active,
            "val/mean_bias": self.b.mean(),
        }
        # One SVD per example costs more than a training epoch of this small model: only on the last epoch.
        if self.current_epoch + 1 == self.trainer.max_epochs and not self.trainer.sanity_checking:
            spectrum = jacobian_spectrum(self.W, self.b, x, hp.activation)
            logs.update({f"val/singular_value_{i + 1}": spectrum[i] for i in range(3)})
            self.spectrum = spectrum.detach().cpu()
        self.log_dict(logs)
        self.log("val/explained_variance", self.explained)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def train_autoencoder(data: L.LightningDataModule, epochs: int, seed: int = 0, run_name: str | None = None,
                      val_every: int | None = None, **model_kwargs) -> ContractiveAutoencoder:
    """One training run from `seed`; tracked with wandb (offline by default) unless run_name is None. Validates every
    `val_every` epochs, by default only after the last one (a validation pass costs as much as a training epoch of
    these small models, and it does not change the training trajectory).

    FR: un entraînement depuis `seed`, suivi avec wandb (hors ligne par défaut) sauf si run_name vaut None. Valide
    toutes les `val_every` époques, par défaut seulement après la dernière (une passe de validation coûte autant
    qu'une époque d'entraînement de ces petits modèles, et elle ne change pas la trajectoire d'entraînement)."""
    training.seed_everything(seed)
    model = ContractiveAutoencoder(**model_kwargs)
    logger = training.make_logger("lab05_contractive_ae", run_name, dict(model.hparams, epochs=epochs, seed=seed)) \
        if run_name else False
    trainer = training.make_trainer("lab05_contractive_ae", logger=logger, max_epochs=epochs,
                                    enable_progress_bar=False, enable_model_summary=False, num_sanity_val_steps=0,
                                    check_val_every_n_epoch=val_every or epochs)
    trainer.fit(model, datamodule=data)
    training.finish(trainer)
    return model


def log_experiment(run_name: str, figures: dict, summary: dict[str, float]) -> None:
    """Log one experiment's figures and final numbers (`summary`, keyed like "relu/cae/val/recon") to a wandb run of
    its own (offline by default), or save the figures as PNG under logs/ when wandb is disabled. One run per
    experiment: starting a wandb run per training costs more than these small trainings on a CPU.

    FR: journalise les figures et les chiffres finaux d'une expérience (`summary`, avec des clés comme
    "relu/cae/val/recon") dans un run wandb à part (hors ligne par défaut), ou enregistre les figures en PNG sous
    logs/ si wandb est désactivé. Un run par expérience : sur un CPU, démarrer un run wandb par entraînement coûte
    plus que ces petits entraînements."""
    mode = training.wandb_mode()
    if mode == "disabled":
        training.log_figures("lab05_contractive_ae", run_name, figures)
        return
    import wandb

    run = wandb.init(project=training.PROJECT, group="lab05_contractive_ae", name=run_name, mode=mode, dir=".",
                     reinit="finish_previous")
    run.log({name: wandb.Image(fig) for name, fig in figures.items()})
    run.summary.update(summary)
    run.finish()
