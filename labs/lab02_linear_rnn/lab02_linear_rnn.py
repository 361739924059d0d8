"""Lab 2: linear RNNs, h_t = W h_{t-1} + U x_t + b (exam question 2).

Fill in every function that raises NotImplementedError. Shapes: W (N, N), U (N, M), b (N,), h0 (N,), xs (T, M);
the inputs of step t = 1..T are xs[t - 1].

FR: Lab 2 : RNN linéaires, h_t = W h_{t-1} + U x_t + b (question 2 de l'examen). Complétez chaque fonction qui lève
NotImplementedError. Formes : W (N, N), U (N, M), b (N,), h0 (N,), xs (T, M) ; l'entrée de l'étape t = 1..T est
xs[t - 1].
"""

from __future__ import annotations

import math

import lightning as L
import torch
import torch.nn.functional as F
import torchmetrics
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

REGIMES = ("vanishing", "marginal", "exploding")


def rnn_unroll(W: torch.Tensor, U: torch.Tensor, b: torch.Tensor, h0: torch.Tensor, xs: torch.Tensor) -> torch.Tensor:
    """Task 2.1: the states h_0, h_1, ..., h_T by the recurrence, stacked into a (T + 1, N) tensor.

    FR: Tâche 2.1 : les états h_0, h_1, ..., h_T par la récurrence, empilés en un tenseur (T + 1, N)."""
    # YOUR CODE HERE
    raise NotImplementedError("rnn_unroll: not implemented yet / pas encore implémenté")


def rnn_closed_form(W: torch.Tensor, U: torch.Tensor, b: torch.Tensor, h0: torch.Tensor,
                    xs: torch.Tensor) -> torch.Tensor:
    """Task 2.2, question (a): h_T without the recurrence. Write h_T directly in terms of h_0, the inputs, U, b
    and W (deriving that expression is question (a)), computing the powers of W it needs with
    torch.linalg.matrix_power. Do not call rnn_unroll or LinearRNN and do not update a state step by step: a method
    rule reads your source.

    FR: Tâche 2.2, question (a) : h_T sans la récurrence. Écrivez h_T directement en fonction de h_0, des entrées,
    de U, de b et de W (établir cette expression est la question (a)), en calculant les puissances de W dont elle a
    besoin avec torch.linalg.matrix_power. N'appelez ni rnn_unroll ni LinearRNN et ne mettez pas à jour un état pas
    à pas : une règle de méthode lit votre code source."""
    # YOUR CODE HERE
    raise NotImplementedError("rnn_closed_form: not implemented yet / pas encore implémenté")


def jacobian_h_t_h0(W: torch.Tensor, t: int) -> torch.Tensor:
    """Task 2.3, question (b): the Jacobian J = dh_t/dh_0 of the linear RNN after t >= 0 steps, entry [i, j] =
    dh_{t,i} / dh_{0,j}, as an (N, N) tensor; a negative t raises ValueError.

    FR: Tâche 2.3, question (b) : la jacobienne J = dh_t/dh_0 du RNN linéaire après t >= 0 étapes, dont le
    coefficient [i, j] vaut dh_{t,i} / dh_{0,j}, en un tenseur (N, N) ; un t négatif lève ValueError."""
    # YOUR CODE HERE
    raise NotImplementedError("jacobian_h_t_h0: not implemented yet / pas encore implémenté")


def spectral_radius(W: torch.Tensor) -> float:
    """The largest modulus of W's eigenvalues. FR: le plus grand module des valeurs propres de W."""
    return float(torch.linalg.eigvals(W).abs().max())


def asymptotic_regime(W: torch.Tensor, tol: float = 1e-6) -> str:
    """Task 2.4, question (c): label W by what happens to the Jacobian dh_t/dh_0 = W^t as t grows: "vanishing"
    when it goes to 0, "exploding" when it grows without bound. Its spectral radius rho (see spectral_radius)
    decides which: deriving the rule is question (c). W is "marginal" when rho is within tol of the value that
    separates the two, whether W is diagonalizable or not (a Jordan block too): the label depends on rho alone.

    FR: Tâche 2.4, question (c) : étiquetez W selon ce que devient la jacobienne dh_t/dh_0 = W^t quand t grandit :
    "vanishing" si elle tend vers 0, "exploding" si elle croît sans borne. Son rayon spectral rho (voir
    spectral_radius) en décide : établir la règle, c'est la question (c). W est "marginal" quand rho est à moins de
    tol de la valeur qui sépare les deux régimes, que W soit diagonalisable ou non (un bloc de Jordan aussi) :
    l'étiquette ne dépend que de rho."""
    # YOUR CODE HERE
    raise NotImplementedError("asymptotic_regime: not implemented yet / pas encore implémenté")


def scaled_orthogonal(n: int, radius: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Task 2.5: a random (n, n) matrix radius * Q with Q orthogonal (Q^T Q = I), so every eigenvalue has modulus
    `radius`. Draw Q from the QR decomposition of a standard Gaussian matrix sampled with `generator`: the same
    seed gives the same matrix, another seed another matrix.

    FR: Tâche 2.5 : une matrice aléatoire (n, n) radius * Q avec Q orthogonale (Q^T Q = I), donc chaque valeur
    propre est de module `radius`. Tirez Q de la décomposition QR d'une matrice gaussienne standard échantillonnée
    avec `generator` : la même graine donne la même matrice, une autre graine une autre matrice."""
    # YOUR CODE HERE
    raise NotImplementedError("scaled_orthogonal: not implemented yet / pas encore implémenté")


def recall_task(n: int, length: int, n_classes: int = 4, noise: float = 0.1,
                generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The memory task: the first input is the one-hot code of a class, the next `length - 1` inputs are Gaussian
    noise; the class must be recalled after the last step. Returns xs (n, length, n_classes) and labels (n,).

    FR: la tâche de mémoire : la première entrée est le code one-hot d'une classe, les `length - 1` suivantes du
    bruit gaussien ; la classe doit être retrouvée après la dernière étape."""
    labels = torch.randint(0, n_classes, (n,), generator=generator)
    xs = noise * torch.randn(n, length, n_classes, generator=generator)
    xs[:, 0] = F.one_hot(labels, n_classes).float()
    return xs, labels


class RecallDataModule(L.LightningDataModule):
    """The memory task of `recall_task` at one length, drawn once from `seed`: what `python -m labkit.train
    lab02_linear_rnn` trains on.

    FR: la tâche de mémoire de `recall_task` à une longueur donnée, tirée une fois à partir de `seed` : ce sur quoi
    s'entraîne `python -m labkit.train lab02_linear_rnn`."""

    def __init__(self, length: int = 20, n_train: int = 2048, n_val: int = 512, n_classes: int = 4,
                 batch_size: int = 64, seed: int = 0) -> None:
        super().__init__()
        self.save_hyperparameters()

    def setup(self, stage: str | None = None) -> None:
        h = self.hparams
        gen = torch.Generator().manual_seed(h.seed)
        self.train_set = TensorDataset(*recall_task(h.n_train, h.length, h.n_classes, generator=gen))
        self.val_set = TensorDataset(*recall_task(h.n_val, h.length, h.n_classes, generator=gen))

    def train_dataloader(self) -> DataLoader:
        return DataLoader(self.train_set, batch_size=self.hparams.batch_size, shuffle=True,
                          generator=torch.Generator().manual_seed(self.hparams.seed))

    def val_dataloader(self) -> DataLoader:
        return DataLoader(self.val_set, batch_size=512)


class LinearRNN(L.LightningModule):
    """A linear RNN with a linear read-out of h_T, trained to recall the first input of a sequence.

    W starts as `scaled_orthogonal(hidden_size, spectral_radius)` and stays fixed unless `train_recurrent`, so that
    the run keeps one spectral radius; U, b and the read-out are trained, with Adam or plain SGD (`optimizer`).

    FR: un RNN linéaire avec une lecture linéaire de h_T, entraîné à retrouver la première entrée d'une séquence.
    W part de `scaled_orthogonal(hidden_size, spectral_radius)` et reste fixe sauf si `train_recurrent` ; U, b et
    la lecture sont entraînés, avec Adam ou SGD simple (`optimizer`).
    """

    def __init__(self, input_size: int = 4, hidden_size: int = 32, n_classes: int = 4, spectral_radius: float = 1.0,
                 train_recurrent: bool = False, lr: float = 1e-2, optimizer: str = "adam",
                 seed: int = 0) -> None:
        super().__init__()
        self.save_hyperparameters()
        g = torch.Generator().manual_seed(seed)
        self.W = nn.Parameter(scaled_orthogonal(hidden_size, spectral_radius, g), requires_grad=train_recurrent)
        self.U = nn.Parameter(torch.randn(hidden_size, input_size, generator=g) / input_size**0.5)
        self.b = nn.Parameter(torch.zeros(hidden_size))
        self.readout = nn.Linear(hidden_size, n_classes)
        self.train_acc = torchmetrics.Accuracy(task="multiclass", num_classes=n_classes)
        self.val_acc = torchmetrics.Accuracy(task="multiclass", num_classes=n_classes)

    def hidden_states(self, xs: torch.Tensor, h0: torch.Tensor | None = None) -> torch.Tensor:
        """Task 2.6: the recurrence on a batch. xs (B, T, M), h0 (B, N) or None for zeros -> states (B, T + 1, N),
        with states[:, 0] = h0.

        FR: Tâche 2.6 : la récurrence sur un lot. xs (B, T, M), h0 (B, N) ou None pour des zéros -> états
        (B, T + 1, N), avec states[:, 0] = h0."""
        # YOUR CODE HERE
        raise NotImplementedError("LinearRNN.hidden_states: not implemented yet / pas encore implémenté")

    def forward(self, xs: torch.Tensor) -> torch.Tensor:
        return self.readout(self.hidden_states(xs)[:, -1])

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        xs, y = batch
        # h0 as a leaf so that dL/dh_0 can be logged: the gradient that reaches the first step.
        h0 = xs.new_zeros(xs.shape[0], self.W.shape[0], requires_grad=True)
        logits = self.readout(self.hidden_states(xs, h0)[:, -1])
        loss = F.cross_entropy(logits, y)
        (grad_h0,) = torch.autograd.grad(loss, h0, retain_graph=True)
        jac = jacobian_h_t_h0(self.W.detach(), xs.shape[1])
        # the spectral norm's SVD fails on non-finite entries, which an unstable W reaches
        jac_norm = torch.linalg.matrix_norm(jac, ord=2) if bool(jac.isfinite().all()) else jac.new_tensor(math.inf)
        self.train_acc(logits, y)
        # the loss is a batch mean, so B * grad_h0[i] is example i's own gradient: log the mean of their norms
        self.log_dict({"train/loss": loss, "train/acc": self.train_acc,
                       "grad/dL_dh0": (grad_h0 * xs.shape[0]).norm(dim=1).mean(),
                       "grad/dhT_dh0": jac_norm}, on_step=True, on_epoch=False)
        return loss

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        xs, y = batch
        logits = self(xs)
        self.val_acc(logits, y)
        self.log_dict({"val/loss": F.cross_entropy(logits, y), "val/acc": self.val_acc}, prog_bar=True)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        optimizer = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}[self.hparams.optimizer]
        return optimizer([p for p in self.parameters() if p.requires_grad], lr=self.hparams.lr)
