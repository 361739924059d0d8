"""Checks: the data and probes behind each autograded test cell.

A check is data plus a probe. The probe calls the code under test on one case (a dict of inputs) and returns its
outputs as a dict of tensors and plain values. The same probe runs twice on the same inputs: inside the student's
kernel, where :func:`record` only writes the outputs to a strict-JSON file, and in the grader's own process on the
reference solution, where the judge compares both. Nothing the student's process returns is ever compared there,
only data read back from the file.

On a student's machine :func:`check` runs the public cases against the expected outputs that ship with the lab.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import math
import numbers
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import torch

from labkit.evidence import Observer, graded_objects
from labkit.i18n import tr
from labkit.rules import Rule, broken_rules

GRADING_DIR = "_grading"  # inside the notebook's working directory, during autograde only
CASES_FILE = "cases.json"
READY_FILE = "ready"  # written by the clean check process once it is set up, before the student's module runs
PUBLIC_EXPECTED_FILE = "public_expected.json"
MAX_RECORD_BYTES = 8 * 1024 * 1024

Probe = Callable[[ModuleType, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Check:
    """One autograded test cell: `points` shared equally between its cases."""

    id: str
    points: float
    probe: Probe
    public: Sequence[dict[str, Any]]
    rtol: float = 1e-5
    atol: float = 1e-8
    describe: Callable[[dict[str, Any]], str] | None = None
    rules: tuple[Rule, ...] = ()  # method rules (labkit.rules), judged from the module's source

    def describe_case(self, case: dict[str, Any]) -> str:
        if self.describe is not None:
            return self.describe(case)
        return ", ".join(f"{k}={_short(v)}" for k, v in case.items())


def is_grading() -> bool:
    """True inside nbgrader's autograde run (it sets NBGRADER_EXECUTION for the kernel)."""
    return os.environ.get("NBGRADER_EXECUTION") == "autograde"


# --- strict JSON codec -------------------------------------------------------------------------------------------
# Tensors become {"__tensor__": {"dtype", "shape", "data"}}; non-finite floats become the strings "nan", "inf",
# "-inf" so that the file stays strict JSON (no NaN literals) and a float64 survives the round trip exactly.

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
            raise TypeError(f"unsupported tensor dtype {t.dtype}")
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
    raise TypeError(f"cannot record a value of type {type(value).__name__}")


def decode(data: Any) -> Any:
    """Inverse of :func:`encode`; raises ValueError on anything malformed."""
    if isinstance(data, dict):
        if set(data) == {"__tensor__"}:
            spec = data["__tensor__"]
            if not isinstance(spec, dict) or set(spec) != {"dtype", "shape", "data"}:
                raise ValueError("malformed tensor record")
            dtype = _DTYPES.get(spec["dtype"]) if isinstance(spec["dtype"], str) else None
            shape = spec["shape"]
            if dtype is None:
                raise ValueError(f"unsupported dtype {spec['dtype']!r}")
            if not isinstance(shape, list) or not all(isinstance(s, int) and s >= 0 for s in shape):
                raise ValueError("malformed tensor shape")
            flat = spec["data"]
            if not isinstance(flat, list) or len(flat) != math.prod(shape):
                raise ValueError("tensor data does not match its shape")
            values = [_NONFINITE[x] if isinstance(x, str) and x in _NONFINITE else x for x in flat]
            if not all(isinstance(x, (int, float)) for x in values):
                raise ValueError("tensor data must be numbers")
            return torch.tensor(values, dtype=dtype).reshape(shape)
        if set(data) == {"__float__"}:
            if data["__float__"] not in _NONFINITE:
                raise ValueError("malformed non-finite float")
            return _NONFINITE[data["__float__"]]
        return {k: decode(v) for k, v in data.items()}
    if isinstance(data, list):
        return [decode(v) for v in data]
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    raise ValueError(f"unexpected JSON value {type(data).__name__}")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def loads_strict(text: str) -> Any:
    return json.loads(text, parse_constant=_reject_constant)


def dumps_strict(data: Any) -> str:
    return json.dumps(data, allow_nan=False, sort_keys=True)


# --- running probes ------------------------------------------------------------------------------------------------


MALFORMED = "MalformedResult"


def run_case(check: Check, module: ModuleType, case: dict[str, Any]) -> dict[str, Any]:
    """One case's result as data: {"value": outputs} or {"error": exception type name}.

    An exception is the code's answer only when it passed through the module's own code. One that the probe raised
    alone, unpacking or encoding a malformed return value, is recorded as MALFORMED, which matches no expected error:
    a string returned where a ValueError is expected must not pass because unpacking it raises one."""
    try:
        outputs = check.probe(module, case)
        return {"value": encode(outputs)}
    except Exception as exc:  # the student's exception is the result being recorded
        if not _raised_through(exc, module):
            return {"error": MALFORMED, "message": f"{type(exc).__name__}: {exc}"[:300]}
        return {"error": type(exc).__name__, "message": str(exc)[:300]}


def _raised_through(exc: BaseException, module: ModuleType) -> bool:
    path = getattr(module, "__file__", None)
    if path is None:
        return True
    target = os.path.realpath(path)
    return any(os.path.realpath(frame.filename) == target for frame in traceback.extract_tb(exc.__traceback__))


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
                            where + tr(f"expected {_short(exp)}, got {_short(act)}",
                                       f"attendu {_short(exp)}, obtenu {_short(act)}"))
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
        shown_exp, shown_act = repr(exp), _short(act)
        if isinstance(exp, bool | str) or exp is None:
            return Mismatch(where + tr("wrong answer", "mauvaise réponse"),
                            where + tr(f"expected {shown_exp}, got {shown_act}",
                                       f"attendu {shown_exp}, obtenu {shown_act}"), reveals=True)
    else:
        return Mismatch(where + tr("cannot be compared", "impossible à comparer"),
                        where + f"unexpected expected value {type(exp).__name__}")
    return Mismatch(where + tr(f"wrong value {shown_act}", f"mauvaise valeur {shown_act}"),
                    where + tr(f"expected {shown_exp}, got {shown_act}", f"attendu {shown_exp}, obtenu {shown_act}"))


def _short(value: Any, limit: int = 80) -> str:
    if isinstance(value, torch.Tensor):
        return f"tensor{tuple(value.shape)}"
    if isinstance(value, dict) and set(value) == {"__tensor__"}:
        return f"tensor{tuple(value['__tensor__'].get('shape', []))}"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- the lab folder: checks.py, the student's module, the files the grader writes ------------------------------


def load_checks(lab_dir: Path | str = ".") -> dict[str, Check]:
    """The CHECKS list of `checks.py` in a lab folder, by id."""
    path = Path(lab_dir) / "checks.py"
    name = f"_labchecks_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(tr(f"{path}: no checks.py in this lab folder",
                                   f"{path} : pas de checks.py dans ce dossier de lab"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {c.id: c for c in module.CHECKS}


def lab_name(lab_dir: Path | str = ".") -> str:
    """The lab module's name: the one `labNN_topic.py` in the folder (the folder itself may have been renamed)."""
    modules = sorted(Path(lab_dir).glob("lab[0-9][0-9]_*.py"))
    return modules[0].stem if len(modules) == 1 else Path(lab_dir).resolve().name


def student_module(lab_dir: Path | str = ".") -> ModuleType:
    """The lab module (`labNN_topic.py`) from the lab folder, as the notebook imported it."""
    name = lab_name(lab_dir)
    if str(Path(lab_dir).resolve()) not in [str(Path(p).resolve()) for p in sys.path if p]:
        sys.path.insert(0, str(Path(lab_dir).resolve()))
    return sys.modules.get(name) or importlib.import_module(name)


@dataclass
class PublicResult:
    """One check's public cases run on the student's own machine."""

    check: Check
    passed: int
    failures: list[str]  # one line per failed case or broken method rule

    @property
    def ok(self) -> bool:
        return not self.failures


def run_public(check_id: str, lab_dir: Path | str = ".") -> PublicResult:
    """Run one check's public cases against the expected outputs shipped with the lab, and its method rules."""
    lab_dir = Path(lab_dir)
    c = load_checks(lab_dir)[check_id]
    expected = decode(loads_strict((lab_dir / PUBLIC_EXPECTED_FILE).read_text()))[check_id]
    module = student_module(lab_dir)
    observer = Observer(trusted=[lab_dir / "checks.py"])
    failures, passed = [], 0
    for i, (case, exp) in enumerate(zip(c.public, expected, strict=True)):
        result = _observed_case(c, module, case, observer if c.rules else None)
        reason = compare(exp, decode(result), c.rtol, c.atol)
        if reason:
            failures.append(tr("case", "cas") + f" {i + 1} ({c.describe_case(case)}): {reason.detail}")
        else:
            passed += 1
    source = Path(module.__file__).read_text() if getattr(module, "__file__", None) else ""
    evidence = _evidence(c, module, observer) if c.rules else None
    failures += [tr("method rule broken: ", "règle de méthode enfreinte : ") + b
                 for b in broken_rules(source, c.rules, evidence, module.__name__)]
    return PublicResult(c, passed, failures)


def check(check_id: str, lab_dir: Path | str = ".") -> None:
    """Visible test: run the public cases of one check against the expected outputs shipped with the lab.

    Raises AssertionError listing each failed case and broken method rule. During autograde this does nothing: the
    grader runs the checks in a clean process of its own (record_checks) and judges them.
    """
    if is_grading():
        return
    result = run_public(check_id, lab_dir)
    n = len(result.check.public)
    if not result.ok:
        header = tr(f"{check_id}: {result.passed} of {n} public cases pass; to fix:",
                    f"{check_id} : {result.passed} cas public{'s' if result.passed > 1 else ''} sur {n} "
                    f"réussi{'s' if result.passed > 1 else ''} ; à corriger :")
        raise AssertionError("\n".join([header, *(f"  {line}" for line in result.failures)]))
    print(tr(f"{check_id}: all {n} public cases pass (hidden cases are graded later)",
             f"{check_id} : " + ("le cas public est réussi" if n == 1 else f"les {n} cas publics sont réussis")
             + " (les cas cachés sont notés après la remise)"))


class CheckTimeout(BaseException):
    """A check ran past its time in the clean check process (a BaseException: run_case must not record it as the
    student's own error)."""


def record_checks(lab_dir: Path | str, module_file: str, check_seconds: float | None = None,
                  only: Sequence[str] | None = None) -> None:
    """The clean check process: import the submitted module from its file, nothing else of the student's, and run
    each check's cases (`_grading/cases.json`; `only` these checks, when given), writing each check's outputs and
    the run-time evidence of its method rules to `_grading/records/<check>.json` for the judge. Compares nothing.
    Importing the module and each check get `check_seconds` each, as a notebook cell would."""
    lab_dir = Path(lab_dir).resolve()
    grading = lab_dir / GRADING_DIR
    cases = decode(loads_strict((grading / CASES_FILE).read_text()))
    checks = {k: c for k, c in load_checks(lab_dir).items() if only is None or k in only}
    observer = Observer(trusted=[lab_dir / "checks.py"])
    watched = any(c.rules for c in checks.values())
    (grading / "records").mkdir(exist_ok=True)
    (grading / READY_FILE).write_text("")  # set up: from here on only the student's code can fail
    module, failure = None, None
    if watched:
        observer.start()
    try:
        with _time_limit(check_seconds):
            module = _import_file(lab_dir / module_file)
    except BaseException as exc:  # whatever the module raises at import (SystemExit too) answers every case
        failure = {"error": type(exc).__name__, "message": str(exc)[:300]}
    finally:
        if watched:
            observer.stop()
    tampered_at_import = list(observer.tampered)
    for check_id, c in checks.items():
        observer.reset()
        observer.tampered = list(tampered_at_import)
        results: list[dict[str, Any]] = []
        if module is None:
            results = [dict(failure) for _ in cases[check_id]]
        else:
            try:
                with _time_limit(check_seconds):
                    for case in cases[check_id]:
                        results.append(_observed_case(c, module, case, observer if c.rules else None))
            except CheckTimeout:
                late = {"error": "CheckTimeout", "message": f"the check ran past {check_seconds:g} s"}
                results += [dict(late) for _ in cases[check_id][len(results):]]
        data: dict[str, Any] = {"check": check_id, "results": results}
        if c.rules:
            data["evidence"] = _evidence(c, module, observer)
        out = grading / "records" / f"{check_id}.json"
        tmp = out.with_suffix(".tmp")
        tmp.write_text(dumps_strict(data))
        os.replace(tmp, out)


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise CheckTimeout in this (main) thread after `seconds`, and every second after that, until left."""
    if not seconds:
        yield
        return

    def expire(*_: Any) -> None:
        raise CheckTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _import_file(path: Path) -> ModuleType:
    """The module as submitted, from its own file, under its own name (as the notebook imports it)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path.name}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def _observed_case(c: Check, module: ModuleType, case: dict[str, Any], observer: Observer | None) -> dict[str, Any]:
    if observer is None:
        return run_case(c, module, case)
    observer.start()
    try:
        return run_case(c, module, case)
    finally:
        observer.stop()


def _evidence(c: Check, module: ModuleType | None, observer: Observer) -> dict[str, Any]:
    """What the rules of check `c` are judged on besides the source: see labkit.evidence."""
    targets = {r.target for r in c.rules}

    def of_targets(table: dict[str, set[str]]) -> dict[str, list[str]]:
        return {entry: sorted(names) for entry, names in table.items() if entry.split(".")[0] in targets}

    mro, foreign = graded_objects(module, targets) if module is not None else ({}, {})
    return {"calls": of_targets(observer.calls), "direct": of_targets(observer.direct), "own": of_targets(observer.own),
            "mro": mro, "foreign": foreign, "tampered": observer.tampered[:20]}
