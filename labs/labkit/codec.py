"""The strict JSON codec of everything that crosses the sandbox's boundary: cases in, probe outputs out.

Tensors become {"__tensor__": {"dtype", "shape", "data"}}; non-finite floats become the strings "nan", "inf", "-inf"
so that the file stays strict JSON (no NaN literals) and a float64 survives the round trip exactly. Decoding checks
every shape and type and raises ValueError on anything else: the records come from student code.
"""

from __future__ import annotations

import json
import math
import numbers
from typing import Any

import torch

from labkit.i18n import tr

_DTYPES = {
    "float64": torch.float64, "float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16,
    "int64": torch.int64, "int32": torch.int32, "int16": torch.int16, "int8": torch.int8, "uint8": torch.uint8,
    "bool": torch.bool,
}
_DTYPE_NAMES = {v: k for k, v in _DTYPES.items()}
_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _encode_float(x: float) -> float | str:
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def encode(value: Any) -> Any:
    """Turn probe outputs and case inputs into strict-JSON-able data."""
    if isinstance(value, torch.Tensor):
        # A subclass can intercept even these calls (__torch_function__), but all it can produce is data or an
        # error: what is recorded is a plain list of numbers, judged outside this process.
        t = torch.Tensor.detach(torch.Tensor.cpu(value)).as_subclass(torch.Tensor)
        if t.dtype not in _DTYPE_NAMES:
            raise TypeError(tr(f"unsupported tensor dtype {t.dtype}",
                               f"dtype de tenseur non pris en charge : {t.dtype}"))
        flat = t.reshape(-1).tolist()
        if t.dtype.is_floating_point:
            flat = [_encode_float(float(x)) for x in flat]
        return {"__tensor__": {"dtype": _DTYPE_NAMES[t.dtype], "shape": list(t.shape), "data": flat}}
    if isinstance(value, bool) or value is None:
        return bool(value) if value is not None else None
    if isinstance(value, numbers.Integral):  # int, numpy integers; int() strips any subclass behaviour
        return int(value)
    if isinstance(value, numbers.Real):
        x = float(value)
        return x if math.isfinite(x) else {"__float__": _encode_float(x)}
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    raise TypeError(tr(f"cannot record a value of type {type(value).__name__}",
                       f"impossible d'enregistrer une valeur de type {type(value).__name__}"))


def decode(data: Any) -> Any:
    """Inverse of :func:`encode`; raises ValueError on anything malformed."""
    if isinstance(data, dict):
        if set(data) == {"__tensor__"}:
            spec = data["__tensor__"]
            if not isinstance(spec, dict) or set(spec) != {"dtype", "shape", "data"}:
                raise ValueError(tr("malformed tensor record", "tenseur enregistré mal formé"))
            dtype = _DTYPES.get(spec["dtype"]) if isinstance(spec["dtype"], str) else None
            shape = spec["shape"]
            if dtype is None:
                raise ValueError(tr(f"unsupported dtype {spec['dtype']!r}",
                                    f"dtype non pris en charge : {spec['dtype']!r}"))
            if not isinstance(shape, list) or not all(isinstance(s, int) and s >= 0 for s in shape):
                raise ValueError(tr("malformed tensor shape", "forme de tenseur mal formée"))
            flat = spec["data"]
            if not isinstance(flat, list) or len(flat) != math.prod(shape):
                raise ValueError(tr("tensor data does not match its shape",
                                    "les données du tenseur ne correspondent pas à sa forme"))
            values = [_NONFINITE[x] if isinstance(x, str) and x in _NONFINITE else x for x in flat]
            if not all(isinstance(x, (int, float)) for x in values):
                raise ValueError(tr("tensor data must be numbers", "les données d'un tenseur doivent être des nombres"))
            return torch.tensor(values, dtype=dtype).reshape(shape)
        if set(data) == {"__float__"}:
            if data["__float__"] not in _NONFINITE:
                raise ValueError(tr("malformed non-finite float", "flottant non fini mal formé"))
            return _NONFINITE[data["__float__"]]
        return {k: decode(v) for k, v in data.items()}
    if isinstance(data, list):
        return [decode(v) for v in data]
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    raise ValueError(tr(f"unexpected JSON value {type(data).__name__}",
                        f"valeur JSON inattendue : {type(data).__name__}"))


def _reject_constant(name: str) -> Any:
    raise ValueError(tr(f"non-standard JSON constant {name}", f"constante JSON non standard : {name}"))


def loads_strict(text: str) -> Any:
    return json.loads(text, parse_constant=_reject_constant)


def dumps_strict(data: Any) -> str:
    return json.dumps(data, allow_nan=False, sort_keys=True)
