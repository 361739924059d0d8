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
    from helpers import SAMPLE_SECRET

    from autograder.grade import grade
    from autograder.labs import get_lab
    from autograder.results import CheckResult, Outcome
    from autograder.sample_class import build_sample_class

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


@pytest.fixture(scope="session")
def graded(tmp_path_factory, run_folder):
    """lab name -> variant -> results: the reference, the stub, every mutant and every honest variant (named with
    HONEST_PREFIX) of a lab, graded once per test run
    when a test first asks for that lab. pytest-xdist workers share the results through a file under a lock (the
    scheduler keeps a lab's tests together, but not always)."""
    import json

    from filelock import FileLock
    from helpers import HONEST, HONEST_PREFIX, LABS, apply_replacements, grade_modules

    from autograder.notebooks import strip_solutions
    from autograder.results import CheckResult
    from autograder.sample_class import reference_source

    cache: dict[str, dict] = {}

    def grade_catalogue(lab_name: str) -> dict:
        lab = LABS[lab_name]
        reference = reference_source(lab)
        modules = {"reference": reference, "stub": strip_solutions(lab.module_file.read_text(), "stub")}
        for name, replacements in lab.mutants.MUTANTS.items():
            modules[name] = apply_replacements(reference, replacements)
        for name, replacements in HONEST[lab_name].items():
            modules[HONEST_PREFIX + name] = apply_replacements(reference, replacements)
        return grade_modules(lab, modules, tmp_path_factory.mktemp(lab_name))

    def get(lab_name: str) -> dict:
        if lab_name not in cache:
            path = run_folder / f"mutants-{lab_name}.json"
            with FileLock(f"{path}.lock"):
                if not path.exists():
                    results = grade_catalogue(lab_name)
                    path.write_text(json.dumps({v: {c: r.to_dict() for c, r in checks.items()}
                                                for v, checks in results.items()}))
                cache[lab_name] = {v: {c: CheckResult.from_dict(r) for c, r in checks.items()}
                                   for v, checks in json.loads(path.read_text()).items()}
        return cache[lab_name]

    return get
