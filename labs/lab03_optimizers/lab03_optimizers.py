"""Lab 3: Adagrad, RMSprop and Adam from scratch (exam question 3).

Fill in every `step` that raises NotImplementedError. Each optimizer must update parameters exactly as the
`torch.optim` class of the same name does with the same arguments: eps is added after the square root,
`weight_decay` is L2 added to the gradient (g <- g + weight_decay * p), and the state lives per parameter in
`self.state[p]` so that `state_dict()` / `load_state_dict()` carry it. Parameters whose `.grad` is None are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import lightning as L
import torch
import torch.nn.functional as F
import torchmetrics
from torch import nn


class Adagrad(torch.optim.Optimizer):
    """Task 3.1: s <- s + g^2;  p <- p - lr * g / (sqrt(s) + eps)."""

    def __init__(self, params: Iterable, lr: float = 1e-2, eps: float = 1e-10, weight_decay: float = 0.0) -> None:
        if lr < 0 or eps < 0 or weight_decay < 0:
            raise ValueError("lr, eps and weight_decay must be non-negative")
        super().__init__(params, dict(lr=lr, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        # YOUR CODE HERE
        raise NotImplementedError("Adagrad.step: not implemented yet")
        return loss


class RMSprop(torch.optim.Optimizer):
    """Task 3.2: v <- alpha * v + (1 - alpha) * g^2;  p <- p - lr * g / (sqrt(v) + eps). No momentum, not centered."""

    def __init__(self, params: Iterable, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        if lr < 0 or eps < 0 or weight_decay < 0 or not 0 <= alpha < 1:
            raise ValueError("lr, eps, weight_decay must be non-negative and alpha in [0, 1)")
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        # YOUR CODE HERE
        raise NotImplementedError("RMSprop.step: not implemented yet")
        return loss


class Adam(torch.optim.Optimizer):
    """Task 3.3: m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;  m_hat = m / (1 - b1^t);  v_hat = v / (1 - b2^t);
    p <- p - lr * m_hat / (sqrt(v_hat) + eps)."""

    def __init__(self, params: Iterable, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        if lr < 0 or eps < 0 or weight_decay < 0 or not all(0 <= b < 1 for b in betas):
            raise ValueError("lr, eps, weight_decay must be non-negative and betas in [0, 1)")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        # YOUR CODE HERE
        raise NotImplementedError("Adam.step: not implemented yet")
        return loss


def rosenbrock(x: torch.Tensor) -> torch.Tensor:
    """(1 - x)^2 + 100 (y - x^2)^2, minimum at (1, 1)."""
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def ill_conditioned_quadratic(x: torch.Tensor, condition: float = 50.0) -> torch.Tensor:
    """0.5 (x^2 + condition * y^2), minimum at (0, 0)."""
    return 0.5 * (x[0] ** 2 + condition * x[1] ** 2)


def trajectory(optimizer_factory: Callable[[list[torch.Tensor]], torch.optim.Optimizer],
               fn: Callable[[torch.Tensor], torch.Tensor], x0: torch.Tensor, steps: int) -> torch.Tensor:
    """Task 3.4: minimise `fn` from `x0` (shape (2,)) with the optimizer that `optimizer_factory([x])` builds.
    Returns the iterates x_0, x_1, ..., x_steps as a (steps + 1, 2) tensor; `x0` itself is not modified."""
    # YOUR CODE HERE
    raise NotImplementedError("trajectory: not implemented yet")


OPTIMIZERS = {"sgd": torch.optim.SGD, "adagrad": Adagrad, "rmsprop": RMSprop, "adam": Adam}


class DigitsClassifier(L.LightningModule):
    """A small MLP on the 8x8 digits, trained with one of OPTIMIZERS."""

    def __init__(self, optimizer: str = "adam", lr: float = 1e-3, hidden: int = 64) -> None:
        super().__init__()
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {optimizer!r}")
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))
        self.val_acc = torchmetrics.Accuracy(task="multiclass", num_classes=10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train/loss", loss, on_step=True, on_epoch=False)
        return loss

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        x, y = batch
        logits = self(x)
        self.val_acc(logits, y)
        self.log_dict({"val/loss": F.cross_entropy(logits, y), "val/acc": self.val_acc}, prog_bar=True)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return OPTIMIZERS[self.hparams.optimizer](self.parameters(), lr=self.hparams.lr)
