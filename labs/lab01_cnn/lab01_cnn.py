"""Lab 1: the geometry of convolutional networks (exam question 1).

Fill in every function that raises NotImplementedError. Sizes are the side of a square map or kernel.
Run the notebook's test cells to check your work on the public cases.

FR: Lab 1 : la géométrie des réseaux convolutifs (question 1 de l'examen). Complétez chaque fonction qui lève
NotImplementedError. Les tailles sont le côté d'une carte ou d'un noyau carrés. Exécutez les cellules de test du
notebook pour vérifier votre travail sur les cas publics.
"""

from __future__ import annotations

import copy
import itertools

import lightning as L
import torch
import torch.nn.functional as F
import torchmetrics
from torch import nn

MODES = ("full", "valid", "same")


def _require_positive(**values: int) -> None:
    for name, value in values.items():
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value} / {name} doit valoir au moins 1 "
                             f"(valeur reçue : {value})")


def conv_output_size(size: int, kernel: int, padding: int = 0, stride: int = 1, dilation: int = 1) -> int:
    """Task 1.1: side of the output of one convolution, from the formula (no layer run to read a shape: a method
    rule reads your source).

    A kernel of side k with dilation d covers d * (k - 1) + 1 input pixels. Raise ValueError when size, kernel,
    stride or dilation is below 1, when padding is negative, or when the kernel does not fit in the padded input.

    FR: Tâche 1.1 : côté de la sortie d'une convolution, par la formule (sans exécuter de couche pour lire une
    taille : une règle de méthode lit votre code source). Un noyau de côté k et de dilatation d couvre
    d * (k - 1) + 1 pixels de l'entrée. Levez ValueError quand size, kernel, stride ou dilation vaut moins de 1,
    quand padding est négatif, ou quand le noyau ne tient pas dans l'entrée complétée par le padding.
    """
    # YOUR CODE HERE
    raise NotImplementedError("conv_output_size: not implemented yet / pas encore implémenté")


def feature_map_sizes(input_size: int, n_layers: int, kernel: int, padding: int, stride: int = 1) -> list[int]:
    """Task 1.2 (question a): the side of the feature map after each of `n_layers` identical convolutions, by the
    formula (no torch).

    FR: Tâche 1.2 (question a) : le côté de la carte de caractéristiques après chacune des `n_layers` convolutions
    identiques, par la formule (sans torch).
    """
    # YOUR CODE HERE
    raise NotImplementedError("feature_map_sizes: not implemented yet / pas encore implémenté")


def receptive_field(n_layers: int, kernel: int, stride: int = 1, dilation: int = 1) -> int:
    """Task 1.3 (question b): side of the input region one neuron of the last layer sees, by a formula or a
    recursion (no torch).

    Every layer has the same kernel, stride and dilation. Raise ValueError when n_layers, kernel, stride or dilation
    is below 1.

    FR: Tâche 1.3 (question b) : côté de la région de l'entrée que voit un neurone de la dernière couche, par une
    formule ou une récurrence (sans torch). Toutes les couches ont le même noyau, le même pas (stride) et la même
    dilatation. Levez ValueError quand n_layers, kernel, stride ou dilation vaut moins de 1.
    """
    # YOUR CODE HERE
    raise NotImplementedError("receptive_field: not implemented yet / pas encore implémenté")


def padding_for(mode: str, kernel: int) -> int:
    """Task 1.4 (questions c-e): zero-padding per side that makes a stride-1 convolution "full", "valid" or "same"
    (no torch).

    Raise ValueError for any other mode, and for "same" with an even kernel (no symmetric padding keeps the size).

    FR: Tâche 1.4 (questions c-e) : le zéro padding par côté qui rend une convolution de pas 1 "full", "valid" ou
    "same" (sans torch). Levez ValueError pour tout autre mode, et pour "same" avec un noyau pair (aucun padding
    symétrique ne conserve la taille).
    """
    # YOUR CODE HERE
    raise NotImplementedError("padding_for: not implemented yet / pas encore implémenté")


def last_feature_map(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The last feature map of `model` on `x`: `model.feature_maps(x)[-1]` when it has that method, else `model(x)`.

    FR: la dernière carte de caractéristiques de `model` sur `x` : `model.feature_maps(x)[-1]` si le modèle a cette
    méthode, sinon `model(x)`."""
    if hasattr(model, "feature_maps"):
        return model.feature_maps(x)[-1]
    return model(x)


def measured_receptive_field(model: nn.Module, input_size: int) -> int:
    """Task 1.5: measure the receptive field of the centre unit of the last feature map with autograd.

    Take the gradient of that unit with respect to the input and return the side of the input region where it is
    non-zero. The answer must not depend on the weights: a ReLU that happens to be inactive for the trained or
    random weights must not shrink the measured field.

    FR: Tâche 1.5 : mesurez avec autograd le champ récepteur de l'unité centrale de la dernière carte de
    caractéristiques. Prenez le gradient de cette unité par rapport à l'entrée et renvoyez le côté de la région de
    l'entrée où il est non nul. La réponse ne doit pas dépendre des poids : une ReLU qui se trouve inactive pour les
    poids entraînés ou aléatoires ne doit pas rétrécir le champ mesuré.
    """
    # YOUR CODE HERE
    raise NotImplementedError("measured_receptive_field: not implemented yet / pas encore implémenté")


class ExamCNN(L.LightningModule):
    """Task 1.6: the exam's network: six 5x5 convolutions, zero-padding 2, stride 1, each followed by a ReLU,
    then a classification head (average pooling to 4x4 and a linear layer).

    `self.convs` must be an `nn.ModuleList` of the six `nn.Conv2d` layers (in_channels -> width -> ... -> width).

    FR: Tâche 1.6 : le réseau de l'examen : six convolutions 5x5, zéro padding 2, pas 1, chacune suivie d'une ReLU,
    puis une tête de classification (moyenne sur 4x4 et une couche linéaire). `self.convs` doit être un
    `nn.ModuleList` des six couches `nn.Conv2d` (in_channels -> width -> ... -> width).
    """

    def __init__(self, in_channels: int = 1, width: int = 16, n_classes: int = 10, lr: float = 1e-3,
                 channels_last: bool = False) -> None:
        super().__init__()
        self.save_hyperparameters()
        # YOUR CODE HERE
        raise NotImplementedError("ExamCNN.__init__: not implemented yet / pas encore implémenté")
        # Pooling to 4x4 keeps where in the image each feature fired; a global average learns far slower here.
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(width * 16, n_classes))
        self.train_acc = torchmetrics.Accuracy(task="multiclass", num_classes=n_classes)
        self.val_acc = torchmetrics.Accuracy(task="multiclass", num_classes=n_classes)

    def feature_maps(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The six feature maps (after each ReLU), first layer first.

        FR: les six cartes de caractéristiques (après chaque ReLU), la première couche d'abord."""
        # YOUR CODE HERE
        raise NotImplementedError("ExamCNN.feature_maps: not implemented yet / pas encore implémenté")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.hparams.channels_last:  # NHWC convolutions are faster on tensor cores
            x = x.contiguous(memory_format=torch.channels_last)
        return self.head(self.feature_maps(x)[-1])

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        x, y = batch
        logits = self(x)
        loss = F.cross_entropy(logits, y)
        self.train_acc(logits, y)
        self.log_dict({"train/loss": loss, "train/acc": self.train_acc}, prog_bar=True, on_step=True, on_epoch=False)
        return loss

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        x, y = batch
        logits = self(x)
        self.val_acc(logits, y)
        self.log_dict({"val/loss": F.cross_entropy(logits, y), "val/acc": self.val_acc}, prog_bar=True)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
