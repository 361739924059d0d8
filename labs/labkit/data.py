"""Datasets that need no download: scikit-learn's 8x8 digits, as a LightningDataModule."""

from __future__ import annotations

import lightning as L
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

from labkit.i18n import tr


def digits_tensors(image_size: int = 8) -> tuple[torch.Tensor, torch.Tensor]:
    """All 1,797 digits as (N, 1, image_size, image_size) floats in [0, 1] and int64 labels."""
    digits = load_digits()
    x = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
    if image_size != 8:
        x = F.interpolate(x, size=(image_size, image_size), mode="bilinear", align_corners=False)
    return x, torch.tensor(digits.target, dtype=torch.int64)


class DigitsDataModule(L.LightningDataModule):
    """The digits split once, with a fixed seed, into train and validation sets."""

    def __init__(self, image_size: int = 8, batch_size: int = 64, val_fraction: float = 0.2,
                 limit: int | None = None, seed: int = 0, num_workers: int = 0) -> None:
        super().__init__()
        if not 0.0 < val_fraction < 1.0:
            raise ValueError(tr(f"val_fraction must be in (0, 1), got {val_fraction}",
                                f"val_fraction doit être dans ]0, 1[ (valeur reçue : {val_fraction})"))
        self.image_size, self.batch_size, self.val_fraction = image_size, batch_size, val_fraction
        self.limit, self.seed, self.num_workers = limit, seed, num_workers

    def setup(self, stage: str | None = None) -> None:
        x, y = digits_tensors(self.image_size)
        order = torch.randperm(len(x), generator=torch.Generator().manual_seed(self.seed))
        if self.limit is not None:
            order = order[: self.limit]
        n_val = max(1, int(len(order) * self.val_fraction))
        self.train_set = TensorDataset(x[order[n_val:]], y[order[n_val:]])
        self.val_set = TensorDataset(x[order[:n_val]], y[order[:n_val]])

    def train_dataloader(self) -> DataLoader:
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=True, num_workers=self.num_workers,
                          generator=torch.Generator().manual_seed(self.seed))

    def val_dataloader(self) -> DataLoader:
        return DataLoader(self.val_set, batch_size=self.batch_size, num_workers=self.num_workers)
