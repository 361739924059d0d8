"""Grade modules in-process through the same record -> file -> judge path the kernel and grader use."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from autograder.judge import judge_check
from autograder.labs import Lab
from autograder.results import CheckResult
from labkit.grading import CASES_FILE, GRADING_DIR, dumps_strict, encode

SAMPLE_SECRET = "sample-class"  # fixed, so that the hidden cases and the partial scores are the same every run

# One fresh Python process records every variant (importing torch and lightning once), as the clean check process
# would.
RECORD_ALL = """
import json, os, sys
from labkit.grading import record_checks
name, dirs = sys.argv[1], json.loads(sys.argv[2])
for d in dirs:
    os.chdir(d)
    sys.modules.pop(name, None)
    record_checks(d, name + ".py")
"""


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
    procs = [subprocess.Popen([sys.executable, "-c", RECORD_ALL, lab.name, json.dumps(folders[i::n])],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for i in range(n)]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"recording failed:\n{err.decode()[-3000:]}")
    return {variant: {cid: judge_check(lab, cid, d / GRADING_DIR / "records" / f"{cid}.json", seed_text,
                                       module_source=modules[variant])
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
