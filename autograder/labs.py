"""Where labs live and what each one is made of.

A lab is a folder `solutions/labNN_topic/` holding the reference module `labNN_topic.py` (solution regions between
"### BEGIN SOLUTION" / "### END SOLUTION"), the notebook source `notebook.py` (jupytext py:percent), `checks.py`
(the checks, shipped to students), `hidden_checks.py` (hidden case generators), `mutants.py` (the catalogue of
plausible wrong implementations, each of which must lose points) and `lab.toml` (what its notebook must show). Only
the notebook, the stubbed module and `checks.py` are ever shipped.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import random
import sys
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

from labkit.grading import Check, load_checks

REPO_ROOT = Path(__file__).resolve().parents[1]


class LabError(Exception):
    """A problem with a lab's source, reported to the user without a traceback."""


@dataclass(frozen=True)
class Lab:
    name: str
    source_dir: Path

    @property
    def module_file(self) -> Path:
        return self.source_dir / f"{self.name}.py"

    @property
    def notebook_source(self) -> Path:
        return self.source_dir / "notebook.py"

    @property
    def notebook_name(self) -> str:
        return f"{self.name}.ipynb"

    @cached_property
    def checks_module(self) -> ModuleType:
        return _load_file(self.source_dir / "checks.py", f"_checks_{self.name}")

    @cached_property
    def checks(self) -> dict[str, Check]:
        return load_checks(self.source_dir)

    @property
    def written(self) -> dict[str, float]:
        """Manually graded answer cells: id -> points."""
        return dict(getattr(self.checks_module, "WRITTEN", {}))

    @property
    def cell_timeout(self) -> int:
        return int(getattr(self.checks_module, "CELL_TIMEOUT_S", 60))

    @property
    def notebook_timeout(self) -> int:
        return int(getattr(self.checks_module, "NOTEBOOK_TIMEOUT_S", 600))

    @cached_property
    def mutants(self) -> ModuleType:
        """MUTANTS (name -> {function: replacement source}) and SAMPLE_PARTIAL (the sample class's partial student)."""
        return _load_file(self.source_dir / "mutants.py", f"_mutants_{self.name}")

    @cached_property
    def metadata(self) -> dict[str, Any]:
        """lab.toml: the notebook's CPU budget and the metric its CPU profile must reach."""
        path = self.source_dir / "lab.toml"
        if not path.is_file():
            raise LabError(f"{path} is missing")
        return tomllib.loads(path.read_text())

    @cached_property
    def hidden(self) -> ModuleType:
        return _load_file(self.source_dir / "hidden_checks.py", f"_hidden_{self.name}")

    def reference(self) -> ModuleType:
        """The reference solution, imported as `solutions.<lab>.<lab>`."""
        root = str(self.source_dir.parent.parent)
        if root not in sys.path:
            sys.path.insert(0, root)
        return importlib.import_module(f"solutions.{self.name}.{self.name}")

    def validate(self) -> None:
        """The lab's contract: every check has a hidden-case generator of its own name in hidden_checks.py, and
        every public function there is one; a misnamed generator would otherwise give its check no hidden case."""
        generators = {name for name, f in vars(self.hidden).items()
                      if inspect.isfunction(f) and f.__module__ == self.hidden.__name__ and not name.startswith("_")}
        where = self.source_dir / "hidden_checks.py"
        for check_id in sorted(set(self.checks) - generators):
            raise LabError(f"{where}: no hidden-case generator for the check {check_id!r} (a function named "
                           f"{check_id}(rng) returning a list of cases)")
        for name in sorted(generators - set(self.checks)):
            raise LabError(f"{where}: {name}() generates cases for no check of checks.py (checks: "
                           f"{', '.join(sorted(self.checks))}); name it after its check, or make it private")

    def cases(self, check_id: str, seed_text: str) -> list[dict[str, Any]]:
        """Public cases followed by hidden ones drawn with a seed derived from `seed_text`."""
        check = self.checks[check_id]
        seed = int.from_bytes(hashlib.sha256(f"{seed_text}:{self.name}:{check_id}".encode()).digest()[:8], "big")
        generator = getattr(self.hidden, check_id, None)
        if generator is None:
            raise LabError(f"{self.source_dir / 'hidden_checks.py'}: no hidden-case generator for {check_id!r}")
        hidden = generator(random.Random(seed))
        if not isinstance(hidden, list) or not all(isinstance(c, dict) for c in hidden):
            raise LabError(f"{self.source_dir / 'hidden_checks.py'}: {check_id}() must return a list of cases (dicts)")
        return [dict(c) for c in check.public] + hidden


def _load_file(path: Path, name: str) -> ModuleType:
    if not path.is_file():
        raise LabError(f"{path} is missing")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def all_labs(root: Path = REPO_ROOT) -> list[Lab]:
    """Every finished lab: a folder of solutions/ with a checks.py."""
    return [Lab(p.name, p) for p in sorted((root / "solutions").glob("lab[0-9][0-9]_*")) if (p / "checks.py").is_file()]


def get_lab(name: str, root: Path = REPO_ROOT) -> Lab:
    labs = {lab.name: lab for lab in all_labs(root)}
    if name not in labs:
        raise LabError(f"unknown lab {name!r}; the finished labs are: {', '.join(labs) or 'none'}")
    return labs[name]
