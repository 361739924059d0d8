"""Lab 1 checks: one per autograded test cell. Probes call the lab module and return what is compared."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from labkit.grading import Check
from labkit.rules import Rule


def _conv_output_size(mod, case):
    return {"size": mod.conv_output_size(**case)}


def _feature_map_sizes(mod, case):
    return {"sizes": list(mod.feature_map_sizes(**case))}


def _receptive_field(mod, case):
    return {"field": mod.receptive_field(**case)}


def _padding_for(mod, case):
    return {"padding": mod.padding_for(**case)}


class _WithHead(nn.Module):
    """A CNN whose forward returns logits: the feature maps are only reachable through feature_maps()."""

    def __init__(self, body: nn.Sequential) -> None:
        super().__init__()
        self.body, self.head = body, nn.LazyLinear(3)

    def feature_maps(self, x: torch.Tensor) -> list[torch.Tensor]:
        maps = []
        for layer in self.body:
            x = layer(x)
            if isinstance(layer, nn.ReLU):
                maps.append(x)
        return maps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.feature_maps(x)[-1].flatten(1))


def build_cnn(layers: list[list[int]], seed: int, bias: float | None = None, head: bool = False) -> nn.Module:
    """Conv2d + ReLU per layer spec [in, out, kernel, stride, dilation, padding]; `bias` fills every bias
    (a large negative value kills the ReLUs for random weights)."""
    torch.manual_seed(seed)
    body = []
    for c_in, c_out, k, s, d, p in layers:
        conv = nn.Conv2d(c_in, c_out, k, stride=s, dilation=d, padding=p)
        if bias is not None:
            nn.init.constant_(conv.bias, bias)
        body += [conv, nn.ReLU()]
    net = nn.Sequential(*body)
    return _WithHead(net) if head else net


def _measured_receptive_field(mod, case):
    model = build_cnn(case["layers"], case["seed"], case.get("bias"), case.get("head", False))
    if case.get("head", False):
        model(torch.zeros(1, case["layers"][0][0], case["input_size"], case["input_size"]))  # materialise LazyLinear
    return {"field": mod.measured_receptive_field(model, case["input_size"])}


def _zero_padded_layers(maps: list[torch.Tensor], convs: list[nn.Conv2d], x: torch.Tensor) -> list[bool]:
    """Per layer: whether its feature map is relu(5x5 convolution, stride 1, zeros added 2 per side) of the previous
    map, with the layer's own weights. What is judged is what the layer does, not how its padding is written
    (padding=2, (2, 2), "same", or F.pad before a convolution with padding=0 all pass; reflection does not)."""
    same = []
    previous = x
    for fmap, conv in zip(maps, convs, strict=False):
        if conv.weight.shape[-2:] != (5, 5) or conv.weight.shape[1] != previous.shape[1]:
            same.append(False)
        else:
            expected = torch.relu(torch.nn.functional.conv2d(previous, conv.weight, conv.bias, padding=2))
            same.append(fmap.shape == expected.shape and bool(torch.allclose(fmap, expected, atol=1e-5)))
        previous = fmap
    return same


def _exam_cnn(mod, case):
    # Geometry, not constructor arguments: whichever way the padding is written, what is compared is what the layers
    # do (output shapes, kernel, stride, dilation, and each map recomputed with zeros added 2 per side).
    torch.manual_seed(case["seed"])
    net = mod.ExamCNN(in_channels=case["in_channels"], width=case["width"])
    x = torch.randn(2, case["in_channels"], case["size"], case["size"])
    with torch.no_grad():
        maps = net.feature_maps(x)
        convs = [m for m in net.modules() if isinstance(m, nn.Conv2d)]
        zero_padded = _zero_padded_layers(maps, convs, x)
        logits_shape = list(net(x).shape)
    return {
        "map_shapes": [list(m.shape) for m in maps],
        "maps_nonnegative": all(bool((m >= 0).all()) for m in maps),
        "convs": [{"channels": [c.in_channels, c.out_channels], "kernel": list(c.kernel_size),
                   "stride": list(c.stride), "dilation": list(c.dilation)} for c in convs],
        "zero_padding_2_per_side": zero_padded,
        "logits_shape": logits_shape,
    }


def _describe_model(case: dict[str, Any]) -> str:
    text = f"layers[in,out,kernel,stride,dilation,padding]={case['layers']} input_size={case['input_size']}"
    if case.get("bias") is not None:
        text += f" bias={case['bias']}"  # a large negative bias kills every ReLU for the model's own weights
    return text + (" head=True" if case.get("head") else "")


def _formula(target: str) -> Rule:
    """The geometry functions are asked as formulas: running a layer (or any torch code) to read a size is not one."""
    return Rule(target, f"{target} is asked as a formula: no torch, lightning or torchmetrics (no layer run to read a "
                        f"size) / {target} se calcule par une formule : sans torch, lightning ni torchmetrics "
                        "(n'exécutez aucune couche pour en lire la taille)",
                names=("torch", "lightning", "torchmetrics"))


CHECKS = [
    Check("conv_output_size", 2, _conv_output_size, rules=(_formula("conv_output_size"),), public=[
        dict(size=256, kernel=5, padding=2),
        dict(size=32, kernel=3, padding=0, stride=2),
        dict(size=7, kernel=9, padding=0),  # does not fit: ValueError
        dict(size=6, kernel=3, dilation=4),  # the kernel fits, its dilated extent (9 pixels) does not: ValueError
    ]),
    Check("feature_map_sizes", 1, _feature_map_sizes, rules=(_formula("feature_map_sizes"),), public=[
        dict(input_size=256, n_layers=6, kernel=5, padding=2),
        dict(input_size=28, n_layers=2, kernel=3, padding=0),
    ]),
    Check("receptive_field", 2, _receptive_field, rules=(_formula("receptive_field"),), public=[
        dict(n_layers=6, kernel=5),
        dict(n_layers=1, kernel=3),
    ]),
    Check("padding_for", 2, _padding_for, rules=(_formula("padding_for"),), public=[
        dict(mode="full", kernel=5), dict(mode="valid", kernel=5), dict(mode="same", kernel=5),
        dict(mode="half", kernel=5),
    ]),
    Check("measured_receptive_field", 2, _measured_receptive_field, describe=_describe_model, public=[
        dict(layers=[[1, 2, 5, 1, 1, 2], [2, 2, 5, 1, 1, 2]], input_size=32, seed=0),
    ]),
    Check("exam_cnn", 1, _exam_cnn, public=[dict(in_channels=1, width=4, size=16, seed=0)]),
]
