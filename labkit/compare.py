"""Comparing a result with the expected one: None when it matches, else a :class:`Mismatch` that says why, in the
student's language, with and without the expected value (what hidden-case feedback may show)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch

from labkit.i18n import tr


@dataclass(frozen=True)
class Mismatch:
    """Why a result does not match. `kind` says what went wrong without any expected value (what hidden-case
    feedback may show); `detail` adds the expected and actual values. `reveals`: the value is one of few (a bool,
    None, a string, an error or not), so knowing it is wrong on known inputs tells the expected one."""

    kind: str
    detail: str
    reveals: bool = False

    def __str__(self) -> str:
        return self.detail


def compare(expected: dict[str, Any], actual: dict[str, Any], rtol: float, atol: float) -> Mismatch | None:
    """None when `actual` matches `expected`, else why not. Both are decoded run_case results."""
    if "error" in expected:
        if "error" not in actual:
            return Mismatch(tr("returned a value where it should raise an error",
                               "renvoie une valeur là où une erreur doit être levée"),
                            tr(f"expected {expected['error']} to be raised, got a value",
                               f"{expected['error']} attendue, une valeur a été renvoyée"), reveals=True)
        if actual["error"] != expected["error"]:
            return Mismatch(tr(f"raised {actual['error']}, which is not the right error",
                               f"lève {actual['error']}, qui n'est pas la bonne erreur"),
                            tr(f"expected {expected['error']}, got {actual['error']}",
                               f"{expected['error']} attendue, {actual['error']} obtenue"))
        return None
    if "error" in actual:
        message = actual.get("message", "")
        text = tr(f"raised {actual['error']}: {message}".rstrip(": "),
                  f"lève {actual['error']}" + (f" (message d'origine : {message})" if message else ""))
        return Mismatch(text, text)
    return _compare_values(expected["value"], actual["value"], rtol, atol, path="")


def _compare_values(exp: Any, act: Any, rtol: float, atol: float, path: str) -> Mismatch | None:
    where = f"{path}: " if path else ""
    if isinstance(exp, torch.Tensor):
        return _compare_tensors(exp, act, rtol, atol, where)
    if isinstance(exp, dict):
        if not isinstance(act, dict) or set(act) != set(exp):
            got = sorted(act) if isinstance(act, dict) else type(act).__name__
            return Mismatch(where + tr(f"wrong keys {got}", f"mauvaises clés {got}"),
                            where + tr(f"expected keys {sorted(exp)}, got {got}",
                                       f"clés attendues {sorted(exp)}, obtenues {got}"))
        for k in sorted(exp):
            msg = _compare_values(exp[k], act[k], rtol, atol, f"{path}.{k}" if path else k)
            if msg:
                return msg
        return None
    if isinstance(exp, list):
        if not isinstance(act, list) or len(act) != len(exp):
            got = (tr(f"a list of {len(act)}", f"une liste de {len(act)}") if isinstance(act, list)
                   else type(act).__name__)
            return Mismatch(where + tr(f"wrong length or type ({got})", f"mauvaise longueur ou mauvais type ({got})"),
                            where + tr(f"expected {short(exp)}, got {short(act)}",
                                       f"attendu {short(exp)}, obtenu {short(act)}"))
        for i, (e, a) in enumerate(zip(exp, act, strict=True)):
            msg = _compare_values(e, a, rtol, atol, f"{path}[{i}]")
            if msg:
                return msg
        return None
    if isinstance(exp, float) and isinstance(act, (int, float)) and not isinstance(act, bool):
        if (math.isnan(exp) and math.isnan(act)) or math.isclose(act, exp, rel_tol=rtol, abs_tol=atol):
            return None
        shown_exp, shown_act = f"{exp:.6g}", f"{act:.6g}"
    elif isinstance(exp, bool | str | int | float) or exp is None:
        # a bool, str, None or int must come back as exactly that type and value; a float as a number
        if not isinstance(exp, float) and type(act) is type(exp) and act == exp:
            return None
        shown_exp, shown_act = repr(exp), short(act)
        if isinstance(exp, bool | str) or exp is None:
            return Mismatch(where + tr("wrong answer", "mauvaise réponse"),
                            where + tr(f"expected {shown_exp}, got {shown_act}",
                                       f"attendu {shown_exp}, obtenu {shown_act}"), reveals=True)
    else:
        return Mismatch(where + tr("cannot be compared", "impossible à comparer"),
                        where + tr(f"unexpected expected value {type(exp).__name__}",
                                   f"valeur attendue inattendue : {type(exp).__name__}"))
    return Mismatch(where + tr(f"wrong value {shown_act}", f"mauvaise valeur {shown_act}"),
                    where + tr(f"expected {shown_exp}, got {shown_act}", f"attendu {shown_exp}, obtenu {shown_act}"))


def _compare_tensors(exp: torch.Tensor, act: Any, rtol: float, atol: float, where: str) -> Mismatch | None:
    if not isinstance(act, torch.Tensor):
        got = type(act).__name__
        return Mismatch(where + tr(f"not a tensor (got {got})", f"pas un tenseur ({got} obtenu)"),
                        where + tr(f"expected a tensor, got {got}", f"tenseur attendu, {got} obtenu"))
    if tuple(act.shape) != tuple(exp.shape):
        got = tuple(act.shape)
        return Mismatch(where + tr(f"wrong shape {got}", f"mauvaise forme {got}"),
                        where + tr(f"expected shape {tuple(exp.shape)}, got {got}",
                                   f"forme attendue {tuple(exp.shape)}, obtenue {got}"))
    if exp.dtype.is_floating_point != act.dtype.is_floating_point or (exp.dtype == torch.bool) != (
        act.dtype == torch.bool
    ):
        return Mismatch(where + tr(f"wrong dtype {act.dtype}", f"mauvais dtype {act.dtype}"),
                        where + tr(f"expected dtype {exp.dtype}, got {act.dtype}",
                                   f"dtype attendu {exp.dtype}, obtenu {act.dtype}"))
    e, a = exp.double(), act.double()
    close = torch.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    if not bool(close.all()):
        i = int((~close).reshape(-1).nonzero()[0])
        diff = float((a - e).abs().max()) if e.numel() else 0.0
        n_wrong, n = int((~close).sum()), e.numel()
        wrong = tr(f"{n_wrong} of {n} entries differ", f"{n_wrong} coefficients sur {n} diffèrent")
        ev, av = e.reshape(-1)[i].item(), a.reshape(-1)[i].item()
        return Mismatch(where + tr(f"wrong values: {wrong}", f"mauvaises valeurs : {wrong}"),
                        where + wrong + tr(f" (first at flat index {i}: expected {ev:.6g}, got {av:.6g}; "
                                           f"max |diff| {diff:.3g})",
                                           f" (le premier à l'indice à plat {i} : attendu {ev:.6g}, obtenu "
                                           f"{av:.6g} ; |écart| max {diff:.3g})"))
    return None


def short(value: Any, limit: int = 80) -> str:
    if isinstance(value, torch.Tensor):
        return f"tensor{tuple(value.shape)}"
    if isinstance(value, dict) and set(value) == {"__tensor__"}:
        return f"tensor{tuple(value['__tensor__'].get('shape', []))}"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
