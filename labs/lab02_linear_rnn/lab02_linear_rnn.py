"""Lab 2: linear RNNs, h_t = W h_{t-1} + U x_t + b (exam question 2).

Fill in every function that raises NotImplementedError. Shapes: W (N, N), U (N, M), b (N,), h0 (N,), xs (T, M);
the inputs of step t = 1..T are xs[t - 1].
"""

from __future__ import annotations

import lightning as L
import torch
import torch.nn.functional as F
import torchmetrics
from torch import nn

REGIMES = ("vanishing", "marginal", "exploding")


def rnn_unroll(W: torch.Tensor, U: torch.Tensor, b: torch.Tensor, h0: torch.Tensor, xs: torch.Tensor) -> torch.Tensor:
    """Task 2.1: the states h_0, h_1, ..., h_T by the recurrence, stacked into a (T + 1, N) tensor."""
    # YOUR CODE HERE
    raise NotImplementedError("rnn_unroll: not implemented yet")


def rnn_closed_form(W: torch.Tensor, U: torch.Tensor, b: torch.Tensor, h0: torch.Tensor,
                    xs: torch.Tensor) -> torch.Tensor:
    """Task 2.2 (question a): h_T from the closed form, with matrix powers of W and no step-by-step recurrence:
    h_T = W^T h_0 + sum_{k=1}^{T} W^{T-k} (U x_k + b)."""
    # YOUR CODE HERE
    raise NotImplementedError("rnn_closed_form: not implemented yet")


def jacobian_h_t_h0(W: torch.Tensor, t: int) -> torch.Tensor:
    """Task 2.3 (question b): the Jacobian dh_t/dh_0 (entry [i, j] = dh_{t,i} / dh_{0,j}) as an (N, N) tensor."""
    # YOUR CODE HERE
    raise NotImplementedError("jacobian_h_t_h0: not implemented yet")


def spectral_radius(W: torch.Tensor) -> float:
    """The largest modulus of W's eigenvalues."""
    return float(torch.linalg.eigvals(W).abs().max())


def asymptotic_regime(W: torch.Tensor, tol: float = 1e-6) -> str:
    """Task 2.4 (question c): what W^t does as t grows: "vanishing" (spectral radius below 1 - tol), "exploding"
    (above 1 + tol) or "marginal" (within tol of 1). Norms, diagonals and determinants do not decide it."""
    # YOUR CODE HERE
    raise NotImplementedError("asymptotic_regime: not implemented yet")


def scaled_orthogonal(n: int, radius: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Task 2.5: a random (n, n) matrix radius * Q with Q orthogonal, so every eigenvalue has modulus `radius`.
    Draw Q from the QR decomposition of a standard Gaussian matrix (use `generator`)."""
    # YOUR CODE HERE
    raise NotImplementedError("scaled_orthogonal: not implemented yet")


def recall_task(n: int, length: int, n_classes: int = 4, noise: float = 0.1,
                generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The memory task: the first input is the one-hot code of a class, the next `length - 1` inputs are Gaussian
    noise; the class must be recalled after the last step. Returns xs (n, length, n_classes) and labels (n,)."""
    labels = torch.randint(0, n_classes, (n,), generator=generator)
    xs = noise * torch.randn(n, length, n_classes, generator=generator)
    xs[:, 0] = F.one_hot(labels, n_classes).float()
    return xs, labels


class LinearRNN(L.LightningModule):
    """A linear RNN with a linear read-out of h_T, trained to recall the first input of a sequence.

    W starts as `scaled_orthogonal(hidden_size, spectral_radius)` and stays fixed unless `train_recurrent`, so that
    the run shows one regime; U, b and the read-out are trained.
    """

    def __init__(self, input_size: int = 4, hidden_size: int = 32, n_classes: int = 4, spectral_radius: float = 1.0,
                 train_recurrent: bool = False, lr: float = 1e-2, seed: int = 0) -> None:
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
        """Task 2.6: batched recurrence. xs (B, T, M), h0 (B, N) or None for zeros -> states (B, T + 1, N)."""
        # YOUR CODE HERE
        raise NotImplementedError("LinearRNN.hidden_states: not implemented yet")

    def forward(self, xs: torch.Tensor) -> torch.Tensor:
        return self.readout(self.hidden_states(xs)[:, -1])

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        xs, y = batch
        # h0 as a leaf so that dL/dh_0 can be logged: the gradient that reaches the first step.
        h0 = xs.new_zeros(xs.shape[0], self.W.shape[0], requires_grad=True)
        logits = self.readout(self.hidden_states(xs, h0)[:, -1])
        loss = F.cross_entropy(logits, y)
        (grad_h0,) = torch.autograd.grad(loss, h0, retain_graph=True)
        jac = torch.linalg.matrix_power(self.W.detach(), xs.shape[1])
        self.train_acc(logits, y)
        self.log_dict({"train/loss": loss, "train/acc": self.train_acc,
                       "grad/dL_dh0": grad_h0.norm() * xs.shape[0],  # per example: the loss is a batch mean
                       "grad/dhT_dh0": torch.linalg.matrix_norm(jac, ord=2)}, on_step=True, on_epoch=False)
        return loss

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        xs, y = batch
        logits = self(xs)
        self.val_acc(logits, y)
        self.log_dict({"val/loss": F.cross_entropy(logits, y), "val/acc": self.val_acc}, prog_bar=True)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.Adam([p for p in self.parameters() if p.requires_grad], lr=self.hparams.lr)
