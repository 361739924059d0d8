"""Lab 3: Adagrad, RMSprop and Adam from scratch (exam question 3).

Fill in every `step` that raises NotImplementedError (Tasks 3.1-3.3) and `trajectory` (Task 3.4). Each optimizer must
update parameters exactly as the `torch.optim` class of the same name does with the same arguments: eps is added
after the square root, `weight_decay` is L2 added to the gradient (g <- g + weight_decay * p), every hyperparameter
is read from the parameter's group (`group["eps"]`, not `self.defaults`: groups may differ), and the state lives per
parameter in `self.state[p]` so that `state_dict()` / `load_state_dict()` carry it. A parameter whose `.grad` is None
is skipped in that step: neither it nor its state (step count included) changes. Build them yourself: the graded
classes may subclass `torch.optim.Optimizer`, but may not use torch.optim's Adagrad, RMSprop, Adam (or their
relatives) nor their functional forms.

FR: Lab 3 : Adagrad, RMSprop et Adam écrits à partir de zéro (question 3 de l'examen). Complétez chaque `step` qui lève
NotImplementedError (tâches 3.1 à 3.3) et `trajectory` (tâche 3.4). Chaque optimiseur doit mettre à jour les
paramètres exactement comme la classe `torch.optim` du même nom avec les mêmes arguments : eps est ajouté après la
racine carrée, `weight_decay` est une pénalité L2 ajoutée au gradient (g <- g + weight_decay * p), chaque
hyperparamètre est lu dans le groupe du paramètre (`group["eps"]`, pas `self.defaults` : les groupes peuvent
différer), et l'état est conservé par paramètre dans `self.state[p]` pour que `state_dict()` / `load_state_dict()`
le transportent. Un paramètre dont le `.grad` vaut None est ignoré à ce pas : ni lui ni son état (compteur de pas
compris) ne changent. Programmez-les vous-même : les classes évaluées peuvent hériter de `torch.optim.Optimizer`, mais
ne peuvent utiliser ni les Adagrad, RMSprop et Adam de torch.optim (ni leurs variantes), ni leurs formes fonctionnelles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import lightning as L
import torch
import torch.nn.functional as F
import torchmetrics
from torch import nn


class Adagrad(torch.optim.Optimizer):
    """Task 3.1: Adagrad as torch.optim.Adagrad computes it (lr_decay = 0, initial_accumulator_value = 0). Per
    parameter, with g its gradient (plus weight_decay * p): s <- s + g^2, then p <- p - lr * g / (sqrt(s) + eps).

    FR: Tâche 3.1 : Adagrad tel que le calcule torch.optim.Adagrad (lr_decay = 0, initial_accumulator_value = 0).
    Pour chaque paramètre, avec g son gradient (plus weight_decay * p) : s <- s + g^2, puis
    p <- p - lr * g / (sqrt(s) + eps)."""

    def __init__(self, params: Iterable, lr: float = 1e-2, eps: float = 1e-10, weight_decay: float = 0.0) -> None:
        if lr < 0 or eps < 0 or weight_decay < 0:
            raise ValueError("lr, eps and weight_decay must be non-negative / "
                             "lr, eps et weight_decay doivent être positifs ou nuls")
        super().__init__(params, dict(lr=lr, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        ### BEGIN SOLUTION
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad if group["weight_decay"] == 0 else p.grad.add(p, alpha=group["weight_decay"])
                state = self.state[p]
                if not state:
                    state["step"] = torch.tensor(0.0)
                    state["sum"] = torch.zeros_like(p)
                state["step"] += 1
                state["sum"].addcmul_(g, g, value=1)
                p.addcdiv_(g, state["sum"].sqrt().add_(group["eps"]), value=-group["lr"])
        ### END SOLUTION
        return loss


class RMSprop(torch.optim.Optimizer):
    """Task 3.2: RMSprop as torch.optim.RMSprop computes it with its other arguments at their defaults
    (momentum = 0, centered = False). Per parameter, with g its gradient (plus weight_decay * p):
    v <- alpha * v + (1 - alpha) * g^2, then p <- p - lr * g / (sqrt(v) + eps).

    FR: Tâche 3.2 : RMSprop tel que le calcule torch.optim.RMSprop avec ses autres arguments à leur valeur par
    défaut (momentum = 0, centered = False). Pour chaque paramètre, avec g son gradient (plus weight_decay * p) :
    v <- alpha * v + (1 - alpha) * g^2, puis p <- p - lr * g / (sqrt(v) + eps)."""

    def __init__(self, params: Iterable, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        if lr < 0 or eps < 0 or weight_decay < 0 or not 0 <= alpha < 1:
            raise ValueError("lr, eps, weight_decay must be non-negative and alpha in [0, 1) / "
                             "lr, eps, weight_decay doivent être positifs ou nuls et alpha dans [0, 1[")
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        ### BEGIN SOLUTION
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad if group["weight_decay"] == 0 else p.grad.add(p, alpha=group["weight_decay"])
                state = self.state[p]
                if not state:
                    state["step"] = torch.tensor(0.0)
                    state["square_avg"] = torch.zeros_like(p)
                state["step"] += 1
                state["square_avg"].mul_(group["alpha"]).addcmul_(g, g, value=1 - group["alpha"])
                p.addcdiv_(g, state["square_avg"].sqrt().add_(group["eps"]), value=-group["lr"])
        ### END SOLUTION
        return loss


class Adam(torch.optim.Optimizer):
    """Task 3.3: Adam as torch.optim.Adam computes it (amsgrad = False). Per parameter, with g its gradient (plus
    weight_decay * p) and t the number of steps this parameter has taken, this one included:
    m <- b1 * m + (1 - b1) * g, v <- b2 * v + (1 - b2) * g^2, m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t),
    then p <- p - lr * m_hat / (sqrt(v_hat) + eps), with (b1, b2) = betas.

    FR: Tâche 3.3 : Adam tel que le calcule torch.optim.Adam (amsgrad = False). Pour chaque paramètre, avec g son
    gradient (plus weight_decay * p) et t le nombre de pas que ce paramètre a faits, celui-ci compris :
    m <- b1 * m + (1 - b1) * g, v <- b2 * v + (1 - b2) * g^2, m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t),
    puis p <- p - lr * m_hat / (sqrt(v_hat) + eps), avec (b1, b2) = betas."""

    def __init__(self, params: Iterable, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        if lr < 0 or eps < 0 or weight_decay < 0 or not all(0 <= b < 1 for b in betas):
            raise ValueError("lr, eps, weight_decay must be non-negative and betas in [0, 1) / "
                             "lr, eps, weight_decay doivent être positifs ou nuls et betas dans [0, 1[")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        ### BEGIN SOLUTION
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad if group["weight_decay"] == 0 else p.grad.add(p, alpha=group["weight_decay"])
                state = self.state[p]
                if not state:
                    state["step"] = torch.tensor(0.0)
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                state["step"] += 1
                t = float(state["step"])
                state["exp_avg"].lerp_(g, 1 - beta1)
                state["exp_avg_sq"].mul_(beta2).addcmul_(g, g, value=1 - beta2)
                denom = (state["exp_avg_sq"].sqrt() / (1 - beta2**t) ** 0.5).add_(group["eps"])
                p.addcdiv_(state["exp_avg"], denom, value=-group["lr"] / (1 - beta1**t))
        ### END SOLUTION
        return loss


def rosenbrock(x: torch.Tensor) -> torch.Tensor:
    """(1 - x)^2 + 100 (y - x^2)^2, minimum at (1, 1). FR: minimum en (1, 1)."""
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def ill_conditioned_quadratic(x: torch.Tensor, condition: float = 50.0) -> torch.Tensor:
    """0.5 (x^2 + condition * y^2), minimum at (0, 0). FR: minimum en (0, 0)."""
    return 0.5 * (x[0] ** 2 + condition * x[1] ** 2)


def trajectory(optimizer_factory: Callable[[list[torch.Tensor]], torch.optim.Optimizer],
               fn: Callable[[torch.Tensor], torch.Tensor], x0: torch.Tensor, steps: int) -> torch.Tensor:
    """Task 3.4: minimise `fn` from `x0` (shape (2,)) with the optimizer that `optimizer_factory([x])` builds.
    Returns the iterates x_0, x_1, ..., x_steps as a (steps + 1, 2) tensor; `x0` itself is not modified.

    FR: Tâche 3.4 : minimisez `fn` à partir de `x0` (forme (2,)) avec l'optimiseur que construit
    `optimizer_factory([x])`. Renvoie les itérés x_0, x_1, ..., x_steps dans un tenseur (steps + 1, 2) ; `x0`
    lui-même n'est pas modifié."""
    ### BEGIN SOLUTION
    x = x0.detach().clone().requires_grad_(True)
    optimizer = optimizer_factory([x])
    points = [x.detach().clone()]
    for _ in range(steps):
        optimizer.zero_grad()
        fn(x).backward()
        optimizer.step()
        points.append(x.detach().clone())
    return torch.stack(points)
    ### END SOLUTION


OPTIMIZERS = {"sgd": torch.optim.SGD, "adagrad": Adagrad, "rmsprop": RMSprop, "adam": Adam}


class DigitsClassifier(L.LightningModule):
    """A small MLP on the 8x8 digits, trained with one of OPTIMIZERS.

    FR: un petit MLP sur les chiffres 8x8, entraîné avec l'un des OPTIMIZERS."""

    def __init__(self, optimizer: str = "adam", lr: float = 1e-3, hidden: int = 64) -> None:
        super().__init__()
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {optimizer!r} / "
                             f"optimizer doit être l'une des valeurs {sorted(OPTIMIZERS)} "
                             f"(valeur reçue : {optimizer!r})")
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
