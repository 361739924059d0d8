"""Lab 1: the geometry of convolutional networks (exam question 1).

Fill in every function that raises NotImplementedError. Sizes are the side of a square map or kernel.
Run the notebook's test cells to check your work on the public cases.
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
            raise ValueError(f"{name} must be at least 1, got {value}")


def conv_output_size(size: int, kernel: int, padding: int = 0, stride: int = 1, dilation: int = 1) -> int:
    """Task 1.1: side of the output of one convolution.

    A kernel of side k with dilation d covers d * (k - 1) + 1 input pixels. Raise ValueError when size, kernel,
    stride or dilation is below 1, when padding is negative, or when the kernel does not fit in the padded input.
    """
    # YOUR CODE HERE
    raise NotImplementedError("conv_output_size: not implemented yet / pas encore implémenté")


def feature_map_sizes(input_size: int, n_layers: int, kernel: int, padding: int, stride: int = 1) -> list[int]:
    """Task 1.2 (question a): the side of the feature map after each of `n_layers` identical convolutions."""
    # YOUR CODE HERE
    raise NotImplementedError("feature_map_sizes: not implemented yet / pas encore implémenté")


def receptive_field(n_layers: int, kernel: int, stride: int = 1, dilation: int = 1) -> int:
    """Task 1.3 (question b): side of the input region one neuron of the last layer sees.

    Every layer has the same kernel, stride and dilation; padding does not change the receptive field.
    Raise ValueError when n_layers, kernel, stride or dilation is below 1.
    """
    # YOUR CODE HERE
    raise NotImplementedError("receptive_field: not implemented yet / pas encore implémenté")


def padding_for(mode: str, kernel: int) -> int:
    """Task 1.4 (questions c-e): zero-padding per side that makes a stride-1 convolution "full", "valid" or "same".

    Raise ValueError for any other mode, and for "same" with an even kernel (no symmetric padding keeps the size).
    """
    # YOUR CODE HERE
    raise NotImplementedError("padding_for: not implemented yet / pas encore implémenté")


def last_feature_map(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The last feature map of `model` on `x`: `model.feature_maps(x)[-1]` when it has that method, else `model(x)`."""
    if hasattr(model, "feature_maps"):
        return model.feature_maps(x)[-1]
    return model(x)


def measured_receptive_field(model: nn.Module, input_size: int) -> int:
    """Task 1.5: measure the receptive field of the centre unit of the last feature map with autograd.

    Take the gradient of that unit with respect to the input and return the side of the input region where it is
    non-zero. The answer must not depend on the weights: a ReLU that happens to be inactive for the trained or
    random weights must not shrink the measured field.
    """
    # YOUR CODE HERE
    raise NotImplementedError("measured_receptive_field: not implemented yet / pas encore implémenté")


class ExamCNN(L.LightningModule):
    """Task 1.6: the exam's network: six 5x5 convolutions, zero-padding 2, stride 1, each followed by a ReLU,
    then a classification head (average pooling to 4x4 and a linear layer).

    `self.convs` must be an `nn.ModuleList` of the six `nn.Conv2d` layers (in_channels -> width -> ... -> width).
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
        """The six feature maps (after each ReLU), first layer first."""
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
