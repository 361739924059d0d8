"""A fault of the grading machine is never a student's grade.

- A course, its submissions, a clone of the repository and a Python environment all under /tmp (the environment
  reached through a symlinked folder) grade like anywhere else.
- A machine that cannot grade (a reference that errors, a labkit that cannot be imported inside the sandbox) fails
  its canary: the batch stops before any student, exits 2 with a message that says what failed, and the gradebook
  and exports are left as they were.
- A kernel factory that dies while a student's notebook runs leaves that student a `grader error` (no score, exit
  status 1), which the next run grades.
"""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from autograder.grade import grade
from autograder.sample_class import build_sample_class
from autograder.sandbox.kernels import JOBS_PREFIX, JOBS_ROOT

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
EXPECTED = {"partial": 8.0333, "perfect": 10.0, "stub": 0.0}


@pytest.fixture(scope="module")
def under_tmp(lab01):
    """A copy of the repository and a venv under /tmp; the venv's site-packages point at this environment's
    packages (a .pth file), and it is used through a symlink to its folder."""
    base = Path(tempfile.mkdtemp(prefix="grading machine é ", dir="/tmp"))
    clone = base / "clone"
    for part in ("autograder", "labkit", "solutions", "labs", "pyproject.toml"):
        copy = shutil.copytree if (REPO / part).is_dir() else shutil.copy
        copy(REPO / part, clone / part, **({"ignore": shutil.ignore_patterns("__pycache__")}
                                           if (REPO / part).is_dir() else {}))
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(base / "real" / "venv")], check=True)
    site = next((base / "real" / "venv" / "lib").glob("python3*/site-packages"))
    here = next(p for p in sys.path if p.endswith("site-packages"))
    (site / "course.pth").write_text(f"{clone}\n{here}\n")
    (base / "link").symlink_to(base / "real")
    subs = build_sample_class(lab01, base / "submissions")
    for student in ("broken", "cheater"):
        shutil.rmtree(subs / student)
    yield {"base": base, "clone": clone, "python": base / "link" / "venv" / "bin" / "python", "subs": subs}
    shutil.rmtree(base, ignore_errors=True)


def _grade_cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    python = env["python"]
    return subprocess.run([str(python), "-m", "autograder.cli", "grade", "lab01_cnn", str(env["subs"]), "--out",
                           str(env["base"] / "course"), "--quiet", *args], cwd=env["clone"], capture_output=True,
                          text=True, timeout=900,
                          env={**os.environ, "PATH": f"{python.parent}:{os.environ['PATH']}"})


def _course_files(course: Path) -> dict[str, bytes]:
    """The gradebook and every export, byte for byte."""
    files = ["gradebook.db", "grades.csv", "canvas.csv", "moodle.csv"]
    found = {name: (course / name).read_bytes() for name in files if (course / name).exists()}
    for folder in ("results", "feedback"):
        found |= {str(p.relative_to(course)): p.read_bytes() for p in (course / folder).rglob("*") if p.is_file()}
    return found


def test_a_course_and_environment_under_tmp_grade_like_anywhere_else(under_tmp):
    done = _grade_cli(under_tmp)
    assert done.returncode == 0, done.stderr[-3000:]
    with open(under_tmp["base"] / "course" / "grades.csv", newline="") as f:
        scores = {row["student_id"]: float(row["auto_score"]) for row in csv.DictReader(f)}
    assert scores == EXPECTED, done.stdout[-3000:]


def test_a_reference_that_errors_stops_the_batch_before_any_student(under_tmp):
    course = under_tmp["base"] / "course"
    if not (course / "gradebook.db").exists():
        assert _grade_cli(under_tmp).returncode == 0
    before = _course_files(course)
    reference = under_tmp["clone"] / "solutions" / "lab01_cnn" / "lab01_cnn.py"
    text = reference.read_text()
    # An error inside the solution: the stub does not change, and the reference still agrees with itself.
    start = text.index("def conv_output_size(")
    at = text.index("### BEGIN SOLUTION\n", start) + len("### BEGIN SOLUTION\n")
    reference.write_text(text[:at] + "    raise RuntimeError('a package is missing')\n" + text[at:])
    try:
        done = _grade_cli(under_tmp, "--regrade")
    finally:
        reference.write_text(text)
    assert done.returncode == 2
    assert "reference fails public case" in done.stderr and "conv_output_size" in done.stderr, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert "no student was graded" in done.stderr
    assert _course_files(course) == before


def test_a_labkit_that_does_not_import_in_the_sandbox_stops_the_batch(under_tmp, tmp_path):
    """The grader's own process imports labkit; the sandbox's factory cannot (as when the environment is hidden
    from the kernels): the canary fails and nothing is graded."""
    init = under_tmp["clone"] / "labkit" / "__init__.py"
    text = init.read_text()
    init.write_text("import os\nif os.environ.get('NBGRADER_EXECUTION'):\n    raise ImportError('hidden')\n" + text)
    env = {**under_tmp, "subs": under_tmp["subs"]}
    env["base"] = tmp_path
    try:
        done = _grade_cli(env)
    finally:
        init.write_text(text)
    assert done.returncode == 2
    assert "could not be graded" in done.stderr and "What to do" in done.stderr, done.stderr[-3000:]
    assert not (tmp_path / "course" / "gradebook.db").exists()
    assert not (tmp_path / "course" / "grades.csv").exists()


def _our_zygotes() -> list[int]:
    """The kernel factory processes this test process started (through its workers), and no other test's."""
    parents, commands = {}, {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            parents[int(pid)] = int(Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[1])
            commands[int(pid)] = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue

    def ours(pid: int) -> bool:
        while pid > 1:
            if pid == os.getpid():
                return True
            pid = parents.get(pid, 0)
        return False

    return [pid for pid, command in commands.items() if b"zygote.py" in command and ours(pid)]


def test_a_factory_that_dies_mid_notebook_is_a_grader_error_and_the_next_run_grades_the_student(lab01, tmp_path):
    subs = build_sample_class(lab01, tmp_path / "subs")
    for student in ("broken", "cheater", "partial", "stub"):
        shutil.rmtree(subs / student)
    # The student's notebook says when it runs, then waits: the test ends the factory then.
    nb_path = subs / "perfect" / lab01.notebook_name
    nb = json.loads(nb_path.read_text())
    nb["cells"].insert(1, {"cell_type": "code", "execution_count": None, "id": "wait", "metadata": {},
                           "outputs": [], "source": "import pathlib, time\npathlib.Path('running').touch()\n"
                                                    "time.sleep(8)"})
    nb_path.write_text(json.dumps(nb))
    killed = []

    def kill_factory_when_the_notebook_runs() -> None:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not killed:
            if list(JOBS_ROOT.glob(f"{JOBS_PREFIX}*/j*/running")):
                for pid in _our_zygotes():
                    os.kill(pid, signal.SIGKILL)
                killed.append(True)
            time.sleep(0.1)

    watcher = threading.Thread(target=kill_factory_when_the_notebook_runs, daemon=True)
    watcher.start()
    [first] = grade(lab01.name, subs, tmp_path / "course", progress=False, workers=1)
    watcher.join(timeout=5)
    assert killed, "the notebook never ran"
    assert first.status == "grader error" and first.auto_score == 0
    assert any("factory died" in p for p in first.problems), first.problems
    assert not (tmp_path / "course" / "done" / lab01.name / "perfect.json").exists()
    grades = (tmp_path / "course" / "grades.csv").read_text()
    assert "grader error" in grades
    [again] = grade(lab01.name, subs, tmp_path / "course", progress=False, workers=1)
    assert again.status == "graded" and again.auto_score == 10.0


HOG = """
import os, time
for i in range(10):  # ten processes that each hold 400 MB: 4 GB for one student
    if os.fork() == 0:
        block = bytearray(400 * 2**20)
        block[::4096] = b"x" * len(block[::4096])
        time.sleep(120)
        os._exit(0)
    time.sleep(0.1)
time.sleep(120)
"""


def _sandbox_memory() -> int:
    """The proportional memory of every process of the sandbox's user (factories, kernels and their children)."""
    from autograder.sandbox import SANDBOX_UID

    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.stat(f"/proc/{pid}").st_uid != SANDBOX_UID:
                continue
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("Pss:")) * 1024
        except (OSError, StopIteration):
            continue
    return total


@pytest.mark.skipif(os.geteuid() != 0, reason="measures the sandbox user's processes, which needs root")
def test_a_student_whose_processes_hold_too_much_memory_is_stopped_alone(lab01, tmp_path):
    subs = build_sample_class(lab01, tmp_path / "subs")
    for student in ("broken", "cheater", "partial"):
        shutil.rmtree(subs / student)
    nb = json.loads((subs / "stub" / lab01.notebook_name).read_text())
    nb["cells"].insert(1, {"cell_type": "code", "execution_count": None, "id": "hog", "metadata": {},
                           "outputs": [], "source": HOG})
    (subs / "stub" / lab01.notebook_name).write_text(json.dumps(nb))
    (subs / "stub").rename(subs / "hog")
    limit_gb, peak, done = 1.5, [0], threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _sandbox_memory())
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        outcomes = {o.student: o for o in grade(lab01.name, subs, tmp_path / "course", progress=False, workers=1,
                                                memory_gb=limit_gb)}
    finally:
        done.set()
        watcher.join()
    assert any("memory limit" in p for p in outcomes["hog"].problems), outcomes["hog"].problems
    assert outcomes["hog"].status == "graded"
    assert outcomes["perfect"].auto_score == 10.0 and not outcomes["perfect"].problems
    # The hog's 4 GB never all came: its namespace was stopped past the limit (the factory and one sampling
    # interval's growth are the margin).
    assert peak[0] < (limit_gb + 1.5) * 2**30, f"peak {peak[0] / 2**30:.2f} GiB"
