"""Lab 4: training time as a capacity knob, and dropout with a learned rate (exam question 4).

Fill in every function that raises NotImplementedError (Tasks 4.1-4.8). Conventions: a dropout probability `p_drop`
is the probability that a unit is DROPPED; a mask holds 1 where the unit is KEPT. Every random function takes its
noise as an argument. `RegularizedMLP`, `MemorizationDataModule` and the helpers below the tasks are given: they
train with your functions.

FR: Lab 4 : le temps d'entraînement comme réglage de la capacité, et l'abandon (dropout) à taux appris (question 4
de l'examen). Complétez chaque fonction qui lève NotImplementedError (tâches 4.1 à 4.8). Conventions : `p_drop` est
la probabilité qu'une unité soit ABANDONNÉE ; un masque vaut 1 là où l'unité est GARDÉE. Chaque fonction aléatoire
reçoit son bruit en argument. `RegularizedMLP`, `MemorizationDataModule` et les fonctions utilitaires placées sous
les tâches sont fournis : ils utilisent vos fonctions.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import lightning as L
import torch
import torch.nn.functional as F
import torchmetrics
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from labkit.data import digits_tensors

# --- 4(a): gradient descent as a spectral filter ------------------------------------------------------------------


def gd_filter(eigenvalues: torch.Tensor, lr: float, steps: int) -> torch.Tensor:
    """Task 4.1: the filter factors of `steps` gradient-descent steps of size `lr` from w = 0 on a least-squares
    problem whose Hessian X^T X / n has these eigenvalues: 1 - (1 - lr * eigenvalue)^steps, elementwise.

    FR: Tâche 4.1 : les facteurs de filtre de `steps` pas de descente de gradient de taille `lr` depuis w = 0, pour
    un problème de moindres carrés dont la hessienne X^T X / n a ces valeurs propres :
    1 - (1 - lr * valeur_propre)^steps, élément par élément."""
    # YOUR CODE HERE
    raise NotImplementedError("gd_filter: not implemented yet / pas encore implémenté")


def ridge_filter(eigenvalues: torch.Tensor, alpha: float) -> torch.Tensor:
    """Task 4.1: the filter factors of ridge regression (L2 penalty alpha / 2 * ||w||^2 added to the same loss):
    eigenvalue / (eigenvalue + alpha), elementwise.

    FR: Tâche 4.1 : les facteurs de filtre de la régression ridge (pénalité L2 alpha / 2 * ||w||^2 ajoutée au même
    coût) : valeur_propre / (valeur_propre + alpha), élément par élément."""
    # YOUR CODE HERE
    raise NotImplementedError("ridge_filter: not implemented yet / pas encore implémenté")


def gd_weights(X: torch.Tensor, y: torch.Tensor, lr: float, steps: int) -> torch.Tensor:
    """Task 4.2: the weights after `steps` full-batch gradient-descent steps of size `lr` on 0.5 * mean((X w - y)^2)
    from w = 0, in closed form through the eigendecomposition of X^T X / n (no loop over the steps). X is (n, d); y is
    (n,) or (n, k) (then each column is its own problem); the result is (d,) or (d, k). It must equal running the
    steps, including when d > n or when a feature is always 0 (an eigenvalue is then exactly 0).

    FR: Tâche 4.2 : les poids après `steps` pas de descente de gradient sur le lot complet, de taille `lr`, sur
    0.5 * mean((X w - y)^2) depuis w = 0, sous forme close par la décomposition en éléments propres de X^T X / n (sans
    boucle sur les pas). X est (n, d) ; y est (n,) ou (n, k) (chaque colonne est alors un problème distinct) ; le
    résultat est (d,) ou (d, k). Il doit être égal au résultat des pas effectués un à un, y compris quand d > n ou quand
    une variable d'entrée vaut toujours 0 (une valeur propre est alors exactement 0)."""
    # YOUR CODE HERE
    raise NotImplementedError("gd_weights: not implemented yet / pas encore implémenté")


def effective_dof(eigenvalues: torch.Tensor, lr: float, steps: int) -> torch.Tensor:
    """Task 4.3: the effective degrees of freedom after `steps` gradient-descent steps: the sum of the filter factors
    (a 0-d tensor).

    FR: Tâche 4.3 : le nombre effectif de degrés de liberté après `steps` pas de descente de gradient, c'est-à-dire
    la somme des facteurs de filtre (un tenseur 0-d)."""
    # YOUR CODE HERE
    raise NotImplementedError("effective_dof: not implemented yet / pas encore implémenté")


# --- 4(b): dropout with a learned rate ------------------------------------------------------------------------------


def relaxed_keep_mask(p_drop: torch.Tensor, u: torch.Tensor, temperature: float) -> torch.Tensor:
    """Task 4.4: the Concrete (relaxed Bernoulli) keep mask 1 - sigmoid((logit(p_drop) + logit(u)) / temperature),
    elementwise, with logit(a) = log(a) - log(1 - a). `u` holds one uniform per unit and example, e.g. (batch, units);
    `p_drop` broadcasts against it. Differentiable with respect to p_drop.

    FR: Tâche 4.4 : le masque de conservation relaxé (Concrete, Bernoulli relaxée)
    1 - sigmoid((logit(p_drop) + logit(u)) / temperature), élément par élément, avec logit(a) = log(a) - log(1 - a).
    `u` contient un tirage uniforme pour chaque unité de chaque exemple, typiquement de forme (batch, unités) ;
    `p_drop` est diffusé (broadcast) sur cette forme. Différentiable par rapport à p_drop."""
    # YOUR CODE HERE
    raise NotImplementedError("relaxed_keep_mask: not implemented yet / pas encore implémenté")


class ConcreteDropout(nn.Module):
    """Task 4.5: dropout whose per-unit rate is a parameter. Exactly one learnable parameter: one logit per unit
    (shape (n_units,)), initialised so that every p equals `init_p`; `p` is sigmoid of it. In training, forward(x, u)
    returns x * keep / (1 - p) with keep = relaxed_keep_mask(p, u, temperature); `u` has x's shape and is drawn
    uniform, one per unit and example, when None. In eval mode it returns x unchanged.

    FR: Tâche 4.5 : un dropout dont le taux de chaque unité est un paramètre. Exactement un paramètre appris : un
    logit par unité (forme (n_units,)), initialisé pour que chaque p vaille `init_p` ; `p` en est la sigmoïde. En
    entraînement, forward(x, u) renvoie x * keep / (1 - p) avec keep = relaxed_keep_mask(p, u, temperature) ; `u` a
    la forme de x et, s'il vaut None, est tiré uniformément, un pour chaque unité de chaque exemple. En mode
    évaluation (eval), forward renvoie x inchangé."""

    def __init__(self, n_units: int, init_p: float = 0.1, temperature: float = 0.1) -> None:
        super().__init__()
        if not 0.0 < init_p < 1.0:
            raise ValueError(f"init_p must be in (0, 1), got {init_p} / init_p doit être dans ]0, 1[ "
                             f"(valeur reçue : {init_p})")
        self.temperature = temperature
        # YOUR CODE HERE
        raise NotImplementedError("ConcreteDropout.__init__: not implemented yet / pas encore implémenté")

    @property
    def p(self) -> torch.Tensor:
        # YOUR CODE HERE
        raise NotImplementedError("ConcreteDropout.p: not implemented yet / pas encore implémenté")

    def forward(self, x: torch.Tensor, u: torch.Tensor | None = None) -> torch.Tensor:
        # YOUR CODE HERE
        raise NotImplementedError("ConcreteDropout.forward: not implemented yet / pas encore implémenté")


def concrete_regularizer(p_drop: torch.Tensor, row_sq_norms: torch.Tensor, weight_reg: float,
                         dropout_reg: float) -> torch.Tensor:
    """Task 4.6: Concrete Dropout's regularizer (Gal, Hron, Kendall 2017), a 0-d tensor:
    weight_reg * sum_i row_sq_norms_i / (1 - p_i) + dropout_reg * sum_i [p_i log p_i + (1 - p_i) log(1 - p_i)],
    where row_sq_norms_i is the squared norm of the weights that unit i feeds. Differentiable in both tensors.

    FR: Tâche 4.6 : le régularisateur de Concrete Dropout (Gal, Hron, Kendall 2017), un tenseur 0-d :
    weight_reg * sum_i row_sq_norms_i / (1 - p_i) + dropout_reg * sum_i [p_i log p_i + (1 - p_i) log(1 - p_i)],
    où row_sq_norms_i est le carré de la norme des poids qui reçoivent la sortie de l'unité i. Différentiable par
    rapport aux deux tenseurs."""
    # YOUR CODE HERE
    raise NotImplementedError("concrete_regularizer: not implemented yet / pas encore implémenté")


# --- 4(b)(ii): the gradient with respect to a dropout rate ---------------------------------------------------------


def score_function_grad(p_drop: torch.Tensor, keep_masks: torch.Tensor, losses: torch.Tensor,
                        baseline: float | torch.Tensor = 0.0) -> torch.Tensor:
    """Task 4.7: the REINFORCE (score-function) estimate of d E[loss] / d p_drop from S sampled keep masks (S, n)
    (1 = kept, each unit dropped independently with probability p_drop_i) and their losses (S,): the mean over the
    samples of (loss - baseline) * d log P(mask) / d p_drop. Returns (n,). No autograd needed.

    FR: Tâche 4.7 : l'estimateur REINFORCE (par fonction de score) de d E[loss] / d p_drop à partir de S masques de
    conservation tirés (S, n) (1 = gardée ; chaque unité est abandonnée indépendamment avec la probabilité p_drop_i)
    et de leurs coûts (S,) : la moyenne sur les tirages de (loss - baseline) * d log P(masque) / d p_drop. Renvoie un
    tenseur (n,). L'autograd n'est pas nécessaire."""
    # YOUR CODE HERE
    raise NotImplementedError("score_function_grad: not implemented yet / pas encore implémenté")


MAX_EXACT_UNITS = 12


def exact_dropout_grad(p_drop: torch.Tensor,
                       loss_of_mask: Callable[[torch.Tensor], torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Task 4.8: the exact expected loss E[loss] and its gradient d E[loss] / d p_drop (n,) when each of the n units
    is dropped independently with probability p_drop_i, by enumerating all 2^n keep masks. `loss_of_mask` maps a
    (K, n) float tensor of keep masks (1 = kept, one mask per row) to their K losses. Raises ValueError when
    n > MAX_EXACT_UNITS (12). Must be exact for any p_drop in [0, 1], 0 and 1 included.

    FR: Tâche 4.8 : le coût moyen exact E[loss] et son gradient d E[loss] / d p_drop (n,) quand chacune des n
    unités est abandonnée indépendamment avec la probabilité p_drop_i, en énumérant les 2^n masques de conservation.
    `loss_of_mask` reçoit un tenseur réel (K, n) de masques (1 = gardée, un masque par ligne) et renvoie leurs K
    coûts. Lève ValueError quand n > MAX_EXACT_UNITS (12). Doit être exact pour tout p_drop dans [0, 1], 0 et 1
    compris."""
    # YOUR CODE HERE
    raise NotImplementedError("exact_dropout_grad: not implemented yet / pas encore implémenté")


# --- given: helpers for the experiments ---------------------------------------------------------------------------


def hessian_spectrum(X: torch.Tensor) -> torch.Tensor:
    """The eigenvalues of X^T X / n, ascending. FR: les valeurs propres de X^T X / n, en ordre croissant."""
    return torch.linalg.eigvalsh(X.T @ X / X.shape[0])


def ridge_weights(X: torch.Tensor, y: torch.Tensor, alpha: float) -> torch.Tensor:
    """argmin 0.5 * mean((X w - y)^2) + alpha / 2 * ||w||^2, by a linear solve.

    FR: argmin 0.5 * mean((X w - y)^2) + alpha / 2 * ||w||^2, par la résolution d'un système linéaire."""
    n, d = X.shape
    return torch.linalg.solve(X.T @ X / n + alpha * torch.eye(d, dtype=X.dtype), X.T @ y / n)


def gd_weights_by_steps(X: torch.Tensor, y: torch.Tensor, lr: float, steps: int) -> torch.Tensor:
    """The same weights as gd_weights, by running the steps (for comparison only).

    FR: les mêmes poids que gd_weights, en effectuant les pas un à un (pour comparaison seulement)."""
    w = torch.zeros((X.shape[1],) + tuple(y.shape[1:]), dtype=X.dtype)
    for _ in range(steps):
        w = w - lr * X.T @ (X @ w - y) / X.shape[0]
    return w


def least_squares_digits(n: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The 8x8 digits as a float64 least-squares problem: pixels scaled to [0, 1] (n, 64), one-hot targets (n, 10)
    centred per class.

    FR: les chiffres 8x8 comme problème de moindres carrés en float64 : pixels ramenés dans [0, 1] (n, 64), cibles
    one-hot (n, 10) centrées par classe."""
    x, labels = digits_tensors()
    X = x.flatten(1).double()[:n]
    Y = F.one_hot(labels[:n], 10).double()
    return X, Y - Y.mean(dim=0)


def flat_parameters(module: nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().reshape(-1) for p in module.parameters()])


class MemorizationDataModule(L.LightningDataModule):
    """`n_train` digits for training and `n_val` others for validation (a fixed split). `shuffle_fraction` of the
    training labels are permuted among themselves (1.0: Zhang et al.'s shuffled labels); validation labels are always
    true. Validation runs on two loaders: the whole training set (in eval mode: what has been memorised) and the
    validation set.

    FR: `n_train` chiffres pour l'entraînement et `n_val` autres pour la validation (une partition fixe). Une fraction
    `shuffle_fraction` des étiquettes d'entraînement est permutée entre elles (avec `1.0`, les étiquettes mélangées
    de Zhang et al.) ; les étiquettes de validation sont toujours vraies. La validation parcourt deux chargeurs : tout
    l'ensemble d'entraînement (en mode eval : ce qui a été mémorisé) et l'ensemble de validation."""

    def __init__(self, n_train: int = 500, n_val: int = 500, shuffle_fraction: float = 0.0, batch_size: int = 100,
                 seed: int = 0) -> None:
        super().__init__()
        if not 0.0 <= shuffle_fraction <= 1.0:
            raise ValueError(f"shuffle_fraction must be in [0, 1], got {shuffle_fraction} / "
                             f"shuffle_fraction doit être dans [0, 1] (valeur reçue : {shuffle_fraction})")
        self.n_train, self.n_val, self.shuffle_fraction = n_train, n_val, shuffle_fraction
        self.batch_size, self.seed = batch_size, seed

    def setup(self, stage: str | None = None) -> None:
        x, y = digits_tensors()
        g = torch.Generator().manual_seed(self.seed)
        order = torch.randperm(len(x), generator=g)
        train, val = order[: self.n_train], order[self.n_train: self.n_train + self.n_val]
        labels = y[train].clone()
        chosen = torch.randperm(self.n_train, generator=g)[: round(self.shuffle_fraction * self.n_train)]
        labels[chosen] = labels[chosen[torch.randperm(len(chosen), generator=g)]]
        self.corrupted = float((labels != y[train]).float().mean())  # the fraction of training labels now wrong
        self.train_set = TensorDataset(x[train].flatten(1), labels)
        self.val_set = TensorDataset(x[val].flatten(1), y[val])

    def train_dataloader(self) -> DataLoader:
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=True,
                          generator=torch.Generator().manual_seed(self.seed))

    def val_dataloader(self) -> list[DataLoader]:
        return [DataLoader(self.train_set, batch_size=1000), DataLoader(self.val_set, batch_size=1000)]


DROPOUT_MODES = ("none", "fixed", "learned_train_loss", "concrete")


class RegularizedMLP(L.LightningModule):
    """An MLP on the flattened 8x8 digits, 64 -> hidden -> ... -> 10 with ReLU, and dropout after each hidden layer:

    - "none": no dropout; "fixed": nn.Dropout(p);
    - "learned_train_loss": ConcreteDropout whose rates are trained on the training loss alone;
    - "concrete": ConcreteDropout plus concrete_regularizer (weight_reg, dropout_reg) for each dropout layer.

    Logs train/batch_loss per step; per validation epoch train/loss and train/acc on the whole training set in eval
    mode, val/loss and val/acc (torchmetrics), p/layer{k} (the mean dropout rate of layer k), weights/distance
    (||theta_t - theta_0|| over the linear layers' weights and biases). The dropout logits train with their own
    learning rate `p_lr`.

    FR: un MLP sur les chiffres 8x8 aplatis, 64 -> hidden -> ... -> 10 avec ReLU, et un dropout après chaque couche
    cachée : "none" : aucun dropout ; "fixed" : nn.Dropout(p) ; "learned_train_loss" : ConcreteDropout dont les taux
    sont entraînés sur le seul coût d'entraînement ; "concrete" : ConcreteDropout plus concrete_regularizer
    (weight_reg, dropout_reg) pour chaque couche de dropout. Journalise train/batch_loss à chaque pas ; à chaque
    époque de validation, train/loss et train/acc sur tout l'ensemble d'entraînement en mode eval, val/loss et
    val/acc (torchmetrics), p/layer{k} (le taux de dropout moyen de la couche k) et weights/distance
    (||theta_t - theta_0|| sur les poids et biais des couches linéaires). Les logits de dropout s'entraînent avec
    leur propre pas d'apprentissage `p_lr`."""

    def __init__(self, dropout: str = "none", hidden: int = 512, layers: int = 2, p: float = 0.1,
                 temperature: float = 0.1, lr: float = 3e-3, p_lr: float = 3e-2, weight_reg: float = 1e-4,
                 dropout_reg: float = 1e-2) -> None:
        super().__init__()
        if dropout not in DROPOUT_MODES:
            raise ValueError(f"dropout must be one of {DROPOUT_MODES}, got {dropout!r} / "
                             f"dropout doit être l'une des valeurs {DROPOUT_MODES} (valeur reçue : {dropout!r})")
        self.save_hyperparameters()
        blocks: list[nn.Module] = []
        self.drops = nn.ModuleList()
        self.next_linear: list[nn.Linear] = []  # the layer each dropout feeds: its columns are the units' weights
        width = 64
        for _ in range(layers):
            blocks += [nn.Linear(width, hidden), nn.ReLU()]
            drop: nn.Module = {"none": nn.Identity(), "fixed": nn.Dropout(p)}.get(dropout) or ConcreteDropout(
                hidden, init_p=p, temperature=temperature)
            self.drops.append(drop)
            blocks.append(drop)
            width = hidden
        blocks.append(nn.Linear(width, 10))
        self.net = nn.Sequential(*blocks)
        linears = [m for m in self.net if isinstance(m, nn.Linear)]
        self.next_linear = linears[1:]
        self.train_acc = torchmetrics.Accuracy(task="multiclass", num_classes=10)
        self.val_acc = torchmetrics.Accuracy(task="multiclass", num_classes=10)
        self.register_buffer("theta_0", self.weight_vector())

    @property
    def learned(self) -> bool:
        return self.hparams.dropout in ("learned_train_loss", "concrete")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def mean_p(self) -> list[float]:
        if self.hparams.dropout == "none":
            return [0.0] * len(self.drops)
        if self.hparams.dropout == "fixed":
            return [self.hparams.p] * len(self.drops)
        return [float(d.p.detach().mean()) for d in self.drops]

    def regularizer(self) -> torch.Tensor:
        if self.hparams.dropout != "concrete":
            return torch.zeros((), device=self.device)
        hp = self.hparams
        return sum(concrete_regularizer(d.p, lin.weight.pow(2).sum(dim=0), hp.weight_reg, hp.dropout_reg)
                   for d, lin in zip(self.drops, self.next_linear, strict=True))

    def training_step(self, batch: list[torch.Tensor], batch_idx: int) -> torch.Tensor:
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train/batch_loss", loss, on_step=True, on_epoch=False)
        return loss + self.regularizer()

    def validation_step(self, batch: list[torch.Tensor], batch_idx: int, dataloader_idx: int = 0) -> None:
        x, y = batch
        logits = self(x)
        split, metric = ("train", self.train_acc) if dataloader_idx == 0 else ("val", self.val_acc)
        metric(logits, y)
        self.log_dict({f"{split}/loss": F.cross_entropy(logits, y), f"{split}/acc": metric}, add_dataloader_idx=False)

    def on_validation_epoch_end(self) -> None:
        logs = {f"p/layer{k}": v for k, v in enumerate(self.mean_p())}
        logs["weights/distance"] = float((self.weight_vector() - self.theta_0).norm())
        self.log_dict(logs)

    def weight_vector(self) -> torch.Tensor:
        return torch.cat([flat_parameters(m) for m in self.net if isinstance(m, nn.Linear)])

    def configure_optimizers(self) -> torch.optim.Optimizer:
        logits = [p for drop in self.drops for p in drop.parameters()]  # whatever the student named them
        weights = [p for p in self.parameters() if all(p is not q for q in logits)]
        groups = [{"params": weights, "lr": self.hparams.lr}]
        if logits:
            groups.append({"params": logits, "lr": self.hparams.p_lr})
        return torch.optim.Adam(groups)
