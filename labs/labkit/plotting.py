"""Small plotting helpers the notebooks share (matplotlib).

The backend is left to matplotlib: in Jupyter the kernel selects the inline backend, so ``plt.show()`` and a figure
returned by a cell display as images; in a script on a machine without a display matplotlib falls back to Agg.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import torch


def line_plot(series: Mapping[str, Sequence[float]], xlabel: str, ylabel: str, title: str = "",
              x: Sequence[float] | None = None, logy: bool = False):
    """One line per named series; returns the figure (log it to wandb with wandb.Image(fig))."""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for name, ys in series.items():
        ax.plot(list(x) if x is not None else range(1, len(ys) + 1), list(ys), marker="o", ms=3, label=name)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if logy:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def heatmap(values: torch.Tensor, title: str = "", cmap: str = "viridis"):
    """A 2-D tensor as an image with a colour bar."""
    fig, ax = plt.subplots(figsize=(4, 4))
    im = ax.imshow(values.detach().cpu().numpy(), cmap=cmap)
    fig.colorbar(im, ax=ax, fraction=0.046)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def scatter_2d(point_sets: Mapping[str, torch.Tensor], title: str = "", ax=None):
    """2-D point sets on one axis, the first drawn first (small, translucent), the last on top (large markers):
    generated samples, then the modes they should cover. Returns the figure."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(4, 4))
    else:
        fig = ax.figure
    names = list(point_sets)
    for i, name in enumerate(names):
        pts = point_sets[name].detach().float().cpu()
        last = i == len(names) - 1 and len(names) > 1
        ax.scatter(pts[:, 0], pts[:, 1], s=40 if last else 3, alpha=1.0 if last else 0.4, marker="x" if last else "o",
                   label=name, color="black" if last else None)
    ax.set(title=title, aspect="equal")
    ax.legend(loc="upper right", fontsize=7)
    fig.tight_layout()
    return fig
