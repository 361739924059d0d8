import os
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("WANDB_MODE", "disabled")
os.environ.setdefault("WANDB_SILENT", "true")
# pytest-xdist already runs one test per core: torch's own threads would only compete with the other worker.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ["LABKIT_LANG"] = "en"  # messages are matched in English; French is tested where it is asked for
# nbgrader shells out to alembic: the venv's scripts must be on PATH even when pytest is called by full path.
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")


def pytest_collection_modifyitems(items):
    """Notebooks and whole grading batches first: a long test that starts last keeps one pytest-xdist worker busy
    while the others have nothing left to do."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


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


@pytest.fixture(scope="session")
def run_folder(tmp_path_factory, worker_id) -> Path:
    """A folder common to every pytest-xdist worker of this test run (the run's own folder without xdist): where
    batches graded once per run are kept for all workers."""
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


@pytest.fixture(scope="session")
def graded_classes(run_folder):
    """lab name -> (course dir, outcomes by student): a lab's sample class graded once per test run, when a test
    first asks for it, with SAMPLE_SECRET. pytest-xdist workers share it through the run's folder, under a lock."""
    import dataclasses
    import json

    from filelock import FileLock

    from autograder.grade import grade
    from autograder.labs import get_lab
    from autograder.results import CheckResult, Outcome
    from autograder.sample_class import build_sample_class
    from tests.helpers import SAMPLE_SECRET

    cache: dict[str, tuple] = {}

    def get(lab_name: str):
        if lab_name not in cache:
            tmp = run_folder / f"sample-{lab_name}"
            saved = tmp / "outcomes.json"
            with FileLock(f"{tmp}.lock"):
                if not saved.exists():
                    lab = get_lab(lab_name)
                    submissions = build_sample_class(lab, tmp / "submissions")
                    outcomes = grade(lab.name, submissions, tmp / "course", progress=False, secret=SAMPLE_SECRET)
                    saved.write_text(json.dumps([dataclasses.asdict(o) for o in outcomes]))
                outcomes = [Outcome(**{**o, "checks": [CheckResult(**c) for c in o["checks"]]})
                            for o in json.loads(saved.read_text())]
            cache[lab_name] = tmp / "course", {o.student: o for o in outcomes}
        return cache[lab_name]

    return get
