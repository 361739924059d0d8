"""What several test modules share: grading modules through the same record -> file -> judge path the clean check
process and the grader use; the labs' catalogues of mistakes and honest variants; finding the processes grading left
running."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
from pathlib import Path

import pytest

from autograder.judge import judge_check
from autograder.labs import Lab, all_labs
from autograder.results import CheckResult
from autograder.sample_class import replace_function
from autograder.sandbox import SANDBOX_UID
from labkit.codec import dumps_strict, encode
from labkit.grading import CASES_FILE, GRADING_DIR
from labkit.recording import record_folders_command

SAMPLE_SECRET = "sample-class"  # fixed, so that the hidden cases and the partial scores are the same every run


def grade_modules(lab: Lab, modules: dict[str, str], workdir: Path,
                  seed_text: str = "test:student") -> dict[str, dict[str, CheckResult]]:
    """Variant name -> check id -> result, for each module text in `modules`."""
    dirs = {}
    for i, (variant, text) in enumerate(modules.items()):
        d = workdir / f"v{i}" / lab.name  # the kernel imports the module named after its folder
        (d / GRADING_DIR).mkdir(parents=True)
        (d / lab.module_file.name).write_text(text)
        (d / "checks.py").write_text((lab.source_dir / "checks.py").read_text())
        cases = {cid: encode(lab.cases(cid, seed_text)) for cid in lab.checks}
        (d / GRADING_DIR / CASES_FILE).write_text(dumps_strict(cases))
        dirs[variant] = d
    # One recording process per core, each taking every n-th variant.
    folders = [str(d) for d in dirs.values()]
    n = max(1, min(os.cpu_count() or 1, len(folders)))
    procs = [subprocess.Popen(record_folders_command(lab.name, folders[i::n]),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for i in range(n)]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"recording failed:\n{err.decode()[-3000:]}")
    return {variant: {cid: judge_check(lab, cid, lab.cases(cid, seed_text), d / GRADING_DIR / "records" / f"{cid}.json",
                                       modules[variant])
                      for cid in lab.checks} for variant, d in dirs.items()}


def total(results: dict[str, CheckResult]) -> float:
    return round(sum(r.score for r in results.values()), 4)


def markdown_cells(lab: Lab) -> list[str]:
    """The markdown cells of a lab's notebook source, comment marks removed, model answers (solution regions)
    dropped: what a student reads."""
    cells = []
    for cell in re.split(r"(?m)^(?=# %%)", lab.notebook_source.read_text(encoding="utf-8")):
        if cell.startswith("# %% [markdown]"):
            text = "\n".join(line[2:] for line in cell.splitlines()[1:])
            cells.append(re.sub(r"### BEGIN SOLUTION.*?### END SOLUTION", "", text, flags=re.S).strip())
    return cells


def assert_notebook_bilingual(lab: Lab) -> None:
    """Every heading is "English / Français"; every cell with text besides its heading has its **FR —** part."""
    for cell in markdown_cells(lab):
        headings = re.findall(r"(?m)^#{1,4} .+$", cell)
        assert all(" / " in h for h in headings), headings
        if re.sub(r"(?m)^#{1,4} .+$", "", cell).strip():
            assert "**FR —**" in cell, cell[:200]


# --- the labs' catalogues of mistakes and honest variants ---------------------------------------------------

LABS = {lab.name: lab for lab in all_labs()}


def on_one_worker(lab_name: str, *values: str):
    """A test case of `lab_name`, run by the pytest-xdist worker that grades that lab's catalogue (once)."""
    return pytest.param(lab_name, *values, marks=pytest.mark.xdist_group(f"mutants-{lab_name}"))


def _honest(lab) -> dict[str, dict[str, str]]:
    """The lab's honest-variant catalogue: name -> {function or Class.method: replacement source}."""
    path = Path(lab.source_dir) / "honest.py"
    if not path.exists():
        return {}  # test_every_lab_has_an_honest_catalogue says which lab lacks one
    spec = importlib.util.spec_from_file_location(f"_honest_{lab.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.HONEST


HONEST = {name: _honest(lab) for name, lab in LABS.items()}
HONEST_PREFIX = "honest: "  # graded beside the mutants under this prefix, so that no name collides

LAB_NAMES = [on_one_worker(name) for name in sorted(LABS)]
CASES = [on_one_worker(lab.name, name) for lab in LABS.values() for name in sorted(lab.mutants.MUTANTS)]
HONEST_CASES = [on_one_worker(name, variant) for name in sorted(LABS) for variant in sorted(HONEST[name])]


def apply_replacements(reference: str, replacements: dict[str, str]) -> str:
    source = reference
    for function, replacement in replacements.items():
        source = replace_function(source, function, replacement)
    return source


# --- processes grading left behind ----------------------------------------------------------------------------

def sandbox_processes(uid: int = SANDBOX_UID) -> list[int]:
    """Processes running as the uid grading kernels run as that no grader holds any more: a kernel's processes live
    in namespaces under their worker's factory, so one that escaped them outlives its parents and is re-parented to
    init. (Processes of other batches running at the same time still have their factory as an ancestor.)"""
    out = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if int(fields["Uid"].split()[1]) == uid and int(fields["PPid"]) in (0, 1):
                out.append(int(pid))
    return out


def cmdlines(pids: set[int]) -> dict[int, str]:
    out = {}
    for pid in pids:
        try:
            out[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
        except OSError:
            out[pid] = "(gone)"
    return out
