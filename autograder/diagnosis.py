"""Which catalogued mistake a student made: the mutant catalogues as an error model of the course.

Each lab's `mutants.py` holds plausible wrong implementations (MUTANTS) and what each gets wrong (MISTAKES). For a
check that a student fails, the judge calls :func:`diagnose`: every catalogued mistake that replaces a function the
check's probe reaches on the student's cases is built from the trusted reference source, run here in the grader's
process (never in the student's sandbox) on the student's own cases, and compared with the student's recorded
outputs with the check's tolerances. A mistake that matches the student on every case, and breaks the same method
rules, is the diagnosis; mistakes that compute the same thing on every case are one group; several groups are
ambiguous; none is "not in the catalogue".

What can be cached is, per worker process: each mutant module (built once), each mutant's result on one case (the
public cases are every student's), the reference functions one case reaches, and the method rules each mutant
breaks.
"""

from __future__ import annotations

import atexit
import importlib.util
import math
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import torch

from autograder.labs import Lab
from labkit.codec import decode, dumps_strict, encode, loads_strict
from labkit.compare import compare
from labkit.evidence import Observer
from labkit.grading import Check, run_case

# the clean check process's own observation, for parity with what students are judged on
from labkit.recording import observed_case, rule_evidence
from labkit.rules import broken_rules

MISTAKE, AMBIGUOUS, UNKNOWN = "mistake", "ambiguous", "unknown"
KINDS = (MISTAKE, AMBIGUOUS, UNKNOWN)
# Extra hidden-case draws on which two matching mistakes must also agree to be one group.
GROUPING_SEEDS = ("diagnosis-grouping-1", "diagnosis-grouping-2")
_MAX_REMEMBERED = 4096
RUN_LIMIT_S = 5.0  # one mistake on one case; past it the mistake matches nothing on that case
BUDGET_S = 60.0  # one check's diagnosis; past it the diagnosis is "not in the catalogue", never a guess

_lock = threading.RLock()
_modules: dict[tuple[str, str], ModuleType | None] = {}
_results: dict[tuple[str, str, str, str], dict[str, Any]] = {}
_reached: dict[tuple[str, str, str], frozenset[str]] = {}
_rules: dict[tuple[str, str, str], frozenset[str]] = {}
_folder: list[str] = []


def catalogue(lab: Lab) -> dict[str, dict[str, str]]:
    """The lab's MUTANTS: mistake name -> {function or Class.method: replacement source}."""
    return dict(getattr(lab.mutants, "MUTANTS", {}))


def descriptions(lab: Lab) -> dict[str, dict[str, str]]:
    """The lab's MISTAKES: mistake name -> {"en", "fr", "hint_en", "hint_fr"}."""
    return dict(getattr(lab.mutants, "MISTAKES", {}))


def diagnose(lab: Lab, check_id: str, cases: list[dict[str, Any]], expected: list[dict[str, Any]],
             actual: list[dict[str, Any]], broken: list[str]) -> dict[str, Any]:
    """The diagnosis of a failed check: {"kind": mistake | ambiguous | unknown, "mistakes": groups of mistake names
    (one group for "mistake", several for "ambiguous", none for "unknown"), "signature": which cases fail and how}.

    `expected` are the reference's results and `actual` the student's (decoded), case by case; `broken` the method
    rules the student's module breaks, as the judge reported them."""
    check = lab.checks[check_id]
    signature = [failure_kind(e, a, check.rtol, check.atol) for e, a in zip(expected, actual, strict=True)]
    keys = [dumps_strict(encode(c)) for c in cases]
    rules = frozenset(r.text for r in check.rules if any(b == r.text or b.startswith(r.text + " (") for b in broken))
    failed = [a for a, s in zip(actual, signature, strict=True) if s != "ok"]
    if not rules and failed and all(a.get("error") == "NotImplementedError" for a in failed):
        return {"kind": UNKNOWN, "mistakes": [], "signature": signature}  # not attempted: no mistake raises that
    shared = [i < len(check.public) for i in range(len(keys))]  # public cases: every student's
    # The cases the student fails first: most mistakes are told apart there.
    order = sorted(range(len(keys)), key=lambda i: signature[i] == "ok")
    # A mistake can match only if it changes what the reference runs on every case the student fails (elsewhere
    # it computes the reference's answer): one failing case, a public one if any (remembered for every student),
    # tells which mistakes to try. A student who fails none broke a rule: every case counts.
    failing = [i for i in order if signature[i] != "ok"]
    looked_at = [next((i for i in failing if shared[i]), failing[0])] if failing else order
    reached: set[str] = set()
    for i in looked_at:
        reached |= _functions_reached(lab, check, keys[i], shared[i])
    deadline = time.monotonic() + BUDGET_S
    matches = []
    try:
        for name, replaced in catalogue(lab).items():
            if not any(_reaches(function, reached) for function in replaced):
                continue  # the check never runs what this mistake changes: it computes what the reference does
            if _rules_broken(lab, check, name) != rules:
                continue
            module = _mutant(lab, name)
            if module is not None and all(
                    _matches(_mutant_result(lab, check, name, module, keys[i], deadline, shared[i]), actual[i], check)
                    for i in order):
                matches.append(name)
        groups = _group(lab, check, matches, deadline)
    except _OutOfTime:
        return {"kind": UNKNOWN, "mistakes": [], "signature": signature,
                "note": f"diagnosis stopped after {BUDGET_S:g} s"}
    kind = UNKNOWN if not groups else (MISTAKE if len(groups) == 1 else AMBIGUOUS)
    return {"kind": kind, "mistakes": groups, "signature": signature}


def _matches(result: dict[str, Any] | None, actual: dict[str, Any], check: Check) -> bool:
    return result is not None and compare(decode(result), actual, check.rtol, check.atol) is None


def failure_kind(expected: dict[str, Any], actual: dict[str, Any], rtol: float, atol: float) -> str:
    """How one case fails, in words that name no value ("ok" when it does not): what failures are clustered by."""
    if compare(expected, actual, rtol, atol) is None:
        return "ok"
    if "error" in expected:
        if "error" not in actual:
            return f"returns a value instead of raising {expected['error']}"
        return f"raises {actual['error']} instead of {expected['error']}"
    if "error" in actual:
        return f"raises {actual['error']}"
    return _value_kind(expected["value"], actual["value"], rtol, atol, "")


def _value_kind(exp: Any, act: Any, rtol: float, atol: float, path: str) -> str:
    where = f"{path}: " if path else ""
    if isinstance(exp, torch.Tensor):
        if not isinstance(act, torch.Tensor):
            return where + "not a tensor"
        if tuple(act.shape) != tuple(exp.shape):
            return where + "wrong shape"
        if compare({"value": exp}, {"value": act}, rtol, atol) is None:
            return ""
        if exp.dtype.is_floating_point != act.dtype.is_floating_point or (exp.dtype == torch.bool) != (
                act.dtype == torch.bool):
            return where + "wrong dtype"
        if act.dtype.is_floating_point and not bool(torch.isfinite(act).all()) and bool(torch.isfinite(exp).all()):
            return where + "not finite"
        return where + "wrong values"
    if isinstance(exp, dict):
        if not isinstance(act, dict) or set(act) != set(exp):
            return where + "wrong keys"
        for k in sorted(exp):
            kind = _value_kind(exp[k], act[k], rtol, atol, f"{path}.{k}" if path else k)
            if kind:
                return kind
        return ""
    if isinstance(exp, list):
        if not isinstance(act, list) or len(act) != len(exp):
            return where + "wrong length or type"
        for i, (e, a) in enumerate(zip(exp, act, strict=True)):
            kind = _value_kind(e, a, rtol, atol, f"{path}[{i}]")
            if kind:
                return kind
        return ""
    if compare({"value": exp}, {"value": act}, rtol, atol) is None:
        return ""
    if isinstance(exp, float) and isinstance(act, float) and math.isnan(act):
        return where + "not a number"
    return where + ("wrong answer" if isinstance(exp, bool | str) or exp is None else "wrong value")


def _reaches(function: str, reached: set[str]) -> bool:
    return any(q == function or q.startswith(function + ".") for q in reached)


def _functions_reached(lab: Lab, check: Check, key: str, remember: bool) -> frozenset[str]:
    """The reference's functions and methods (qualified names) that the probe runs on one case: a mistake that
    replaces none of them computes, on that case, what the reference does. Remembered for shared cases."""
    cache_key = (str(lab.source_dir), check.id, key)
    found = _reached.get(cache_key)
    if found is None:
        reference = lab.reference()
        filename = os.path.realpath(reference.__file__)
        seen: set[str] = set()
        own: dict[str, bool] = {}

        def trace(frame, event, arg):
            code = frame.f_code
            mine = own.get(code.co_filename)
            if mine is None:
                mine = own[code.co_filename] = os.path.realpath(code.co_filename) == filename
            if mine:
                seen.add(code.co_qualname)
            return None  # no line events

        previous = sys.gettrace()
        sys.settrace(trace)
        try:
            run_case(check, reference, decode(loads_strict(key)))
        finally:
            sys.settrace(previous)
        found = frozenset(seen)
        if remember:
            _remember(_reached, cache_key, found)
    return found


def _mutant(lab: Lab, name: str) -> ModuleType | None:
    """The reference with one catalogued mistake, as a module of its own file (tracebacks and the judge's
    `_raised_through` see the module's code as the student's). None if it cannot be built."""
    key = (str(lab.source_dir), name)
    with _lock:
        if key in _modules:
            return _modules[key]
        module = None
        try:
            source = _mutant_source(lab, name)
            index = list(catalogue(lab)).index(name)
            folder = os.path.join(_scratch(), f"{lab.name}-{index}")
            os.makedirs(folder, exist_ok=True)
            path = os.path.join(folder, f"{lab.name}.py")
            with open(path, "w", encoding="utf-8") as f:
                f.write(source)
            # Named as the clean check process names the student's module: the method rules resolve the lab's own
            # names (a released helper) through it.
            spec = importlib.util.spec_from_file_location(lab.name, path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            with _as_lab_module(lab, module):  # dataclasses look their module up while the class is made
                spec.loader.exec_module(module)
        except Exception:  # a catalogue entry that does not build is no diagnosis (tests/test_diagnosis.py)
            module = None
        _modules[key] = module
        return module


def _mutant_source(lab: Lab, name: str) -> str:
    """The reference as a student who solved everything would submit it, with one catalogued mistake."""
    from autograder.sample_class import reference_source, replace_function

    source = reference_source(lab)
    for function, replacement in catalogue(lab)[name].items():
        source = replace_function(source, function, replacement)
    return source


@contextmanager
def _as_lab_module(lab: Lab, module: ModuleType) -> Iterator[None]:
    """While a mistake runs, it is the lab's module in sys.modules, as the student's is in the clean check
    process."""
    with _lock:
        saved = sys.modules.get(lab.name)
        sys.modules[lab.name] = module
        try:
            yield
        finally:
            if saved is None:
                sys.modules.pop(lab.name, None)
            else:
                sys.modules[lab.name] = saved


def _scratch() -> str:
    if not _folder:
        folder = tempfile.mkdtemp(prefix="autograder-mistakes-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _folder.append(folder)
    return _folder[0]


class _OutOfTime(BaseException):
    """Raised into a mistake's run past RUN_LIMIT_S (BaseException: run_case must not record it as an answer)."""


_NOT_RUN = {"__not_run__": True}  # a run past its limit: matches nothing


def _mutant_result(lab: Lab, check: Check, name: str, module: ModuleType, key: str, deadline: float,
                   remember: bool = True) -> dict[str, Any] | None:
    """A mistake's result on one case (as run_case records it; None past its time limit), computed once per
    worker for the cases that are shared (the public cases, every student's; the grouping draws), not for a
    student's own hidden cases. Each run gets its own copy of the case."""
    cache_key = (str(lab.source_dir), check.id, name, key)
    result = _results.get(cache_key)
    if result is None:
        if time.monotonic() > deadline:
            raise _OutOfTime
        with _as_lab_module(lab, module):
            result = _limited(lambda: run_case(check, module, decode(loads_strict(key))))
        if remember:
            _remember(_results, cache_key, result)
    return None if result is _NOT_RUN else result


def _limited(run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """`run()`, stopped after RUN_LIMIT_S (then _NOT_RUN) where a timer can interrupt it: the main thread of a
    worker process."""
    if threading.current_thread() is not threading.main_thread():
        return run()

    def stop(signum, frame):
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, RUN_LIMIT_S)
    try:
        return run()
    except _OutOfTime:
        return _NOT_RUN
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _rules_broken(lab: Lab, check: Check, name: str) -> frozenset[str]:
    """The check's method rules that a mistake breaks, judged as a student's module is: from its source and the
    run-time evidence of its probes (run here under labkit's observer on the public cases and one fixed hidden
    draw)."""
    if not check.rules:
        return frozenset()
    key = (str(lab.source_dir), check.id, name)
    found = _rules.get(key)
    if found is None:
        source = _mutant_source(lab, name)
        module = _mutant(lab, name)
        evidence = None
        if module is not None:
            observer = Observer(trusted=[lab.source_dir / "checks.py"])
            for case_key in dict.fromkeys(dumps_strict(encode(c)) for c in lab.cases(check.id, GROUPING_SEEDS[0])):
                with _as_lab_module(lab, module):
                    _limited(lambda k=case_key: observed_case(check, module, decode(loads_strict(k)), observer))
            evidence = rule_evidence(check, module, observer)
        broken = broken_rules(source, check.rules, evidence, lab.name)
        found = frozenset(r.text for r in check.rules if any(b.startswith(r.text + " (") for b in broken))
        _rules[key] = found
    return found


def _group(lab: Lab, check: Check, matches: list[str], deadline: float) -> list[list[str]]:
    """Matching mistakes in groups of those that compute the same thing on the check's public cases and on extra
    hidden-case draws (GROUPING_SEEDS): two ways of writing one mistake are one diagnosis."""
    if len(matches) <= 1:
        return [matches] if matches else []
    keys = list(dict.fromkeys(dumps_strict(encode(c)) for seed in GROUPING_SEEDS for c in lab.cases(check.id, seed)))
    groups: list[list[str]] = []
    for name in matches:
        module = _mutant(lab, name)
        for group in groups:
            first = _mutant(lab, group[0])
            if all(_same(_mutant_result(lab, check, group[0], first, k, deadline),
                         _mutant_result(lab, check, name, module, k, deadline), check) for k in keys):
                group.append(name)
                break
        else:
            groups.append([name])
    return groups


def _same(a: dict[str, Any] | None, b: dict[str, Any] | None, check: Check) -> bool:
    if a is None or b is None:
        return a is b
    a, b = decode(a), decode(b)
    return compare(a, b, check.rtol, check.atol) is None and compare(b, a, check.rtol, check.atol) is None


def _remember(cache: dict, key: Any, value: Any) -> None:
    if len(cache) >= _MAX_REMEMBERED:
        cache.clear()
    cache[key] = value


def label(diagnosis: dict[str, Any] | None) -> str:
    """One line for a teaching assistant: the mistake, the ambiguous groups, or "not in the catalogue"."""
    if not diagnosis:
        return ""
    groups = [" = ".join(g) for g in diagnosis.get("mistakes", [])]
    if diagnosis["kind"] == MISTAKE:
        return groups[0]
    if diagnosis["kind"] == AMBIGUOUS:
        return "ambiguous: " + " | ".join(groups)
    return "not in the catalogue"
