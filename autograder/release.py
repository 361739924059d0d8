"""`autograder release`: write the student release `labs/` from `solutions/`.

Per lab: the student notebook (nbgrader generate_assignment: solutions and hidden tests cleared), the module with
its solution regions stubbed, the public checks and the reference outputs of their public cases. Beside the labs:
the shared runtime package `labkit` and the student README. Releasing twice gives identical bytes.
"""

from __future__ import annotations

import filecmp
import shutil
import tempfile
from pathlib import Path

from autograder.course import CourseDir
from autograder.labs import REPO_ROOT, Lab, all_labs
from autograder.notebooks import strip_solutions
from labkit.codec import decode, dumps_strict
from labkit.grading import PUBLIC_EXPECTED_FILE, run_case
from labkit.train import CONFIG_FILE as TRAIN_CONFIG

STUDENT_FILES = Path(__file__).parent / "student_files"  # README and packaging of the student release


def public_expected(lab: Lab) -> str:
    """The reference's results on every public case, as strict JSON."""
    reference = lab.reference()
    expected = {cid: [run_case(c, reference, case) for case in c.public] for cid, c in lab.checks.items()}
    for results in expected.values():
        for result in results:
            decode(result)  # fails loudly if the reference produced something the codec cannot carry
            result.pop("message", None)
    return dumps_strict(expected) + "\n"


def build_lab(lab: Lab, out: Path) -> None:
    """Write one lab's student folder into `out` (which must not exist)."""
    lab.validate()
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        released = CourseDir(Path(tmp) / lab.name).generate(lab)
        shutil.copy(released / lab.notebook_name, out / lab.notebook_name)
    shutil.copy(lab.source_dir / "checks.py", out / "checks.py")
    shutil.copy(lab.source_dir / TRAIN_CONFIG, out / TRAIN_CONFIG)  # python -m labkit.train's profiles
    (out / lab.module_file.name).write_text(strip_solutions(lab.module_file.read_text(), str(lab.module_file)))
    (out / PUBLIC_EXPECTED_FILE).write_text(public_expected(lab))


def build_release(dest: Path, root: Path = REPO_ROOT) -> None:
    """Write the whole release into `dest` (which must not exist)."""
    dest.mkdir(parents=True)
    for lab in all_labs(root):
        build_lab(lab, dest / lab.name)
    kit = dest / "labkit"
    shutil.copytree(root / "labkit", kit, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for item in sorted(STUDENT_FILES.iterdir()):
        shutil.copy(item, dest / item.name)


def release(root: Path = REPO_ROOT, lab: Lab | None = None) -> Path:
    """Rewrite labs/ from solutions/; with `lab`, only that lab's folder."""
    labs_dir = root / "labs"
    if lab is not None:
        with tempfile.TemporaryDirectory() as tmp:
            build_lab(lab, Path(tmp) / lab.name)
            shutil.rmtree(labs_dir / lab.name, ignore_errors=True)
            shutil.copytree(Path(tmp) / lab.name, labs_dir / lab.name)
        return labs_dir / lab.name
    with tempfile.TemporaryDirectory() as tmp:
        build_release(Path(tmp) / "labs", root)
        if labs_dir.exists():
            shutil.rmtree(labs_dir)
        shutil.copytree(Path(tmp) / "labs", labs_dir)
    return labs_dir


def release_diff(root: Path = REPO_ROOT) -> list[str]:
    """Paths (relative to labs/) that differ from what release would write; empty when up to date."""
    labs_dir = root / "labs"
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "labs"
        build_release(fresh, root)
        return _tree_diff(fresh, labs_dir)


def _tree_diff(expected: Path, actual: Path) -> list[str]:
    def files(base: Path) -> set[str]:
        if not base.exists():
            return set()
        return {str(p.relative_to(base)) for p in base.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts}

    want, have = files(expected), files(actual)
    diff = [f"missing: {p}" for p in sorted(want - have)] + [f"unexpected: {p}" for p in sorted(have - want)]
    diff += [f"differs: {p}" for p in sorted(want & have) if not filecmp.cmp(expected / p, actual / p, shallow=False)]
    return diff
