import os
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("WANDB_MODE", "disabled")
os.environ.setdefault("WANDB_SILENT", "true")
# nbgrader shells out to alembic: the venv's scripts must be on PATH even when pytest is called by full path.
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")


@pytest.fixture(scope="session")
def lab01():
    from autograder.labs import get_lab

    return get_lab("lab01_cnn")


def make_lab_dir(tmp: Path, lab, module_text: str) -> Path:
    """A lab folder as the kernel sees it at grading time: the module under test and the public checks."""
    d = tmp / lab.name
    d.mkdir(parents=True)
    (d / lab.module_file.name).write_text(module_text)
    shutil.copy(lab.source_dir / "checks.py", d / "checks.py")
    return d
