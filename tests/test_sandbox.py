"""The adversarial corpus: attacks graded by the real pipeline, in one batch with honest students.

Each attacker gains nothing on what it attacks, honest students keep their solo scores, the gradebook is intact, no
listener is reached, no process is left behind, and cells that never end are stopped at the cell limit. The corpus
is graded twice: by the caller (root in CI: the sandbox drops to uid 65534) and by an unprivileged user, as a
teaching assistant without root grades (bubblewrap then builds the user namespaces itself).
"""

import json
import os
import shutil
import socket
import sqlite3
import threading
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
import unprivileged
from helpers import cmdlines, sandbox_processes

from autograder.grade import grade
from autograder.labs import get_lab
from autograder.sample_class import CHEATING_CELL, add_cell, build_sample_class
from autograder.sandbox import SANDBOX_UID, bwrap_works

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("corpus"), pytest.mark.skipif(not bwrap_works(), reason="bubblewrap is required (course.sh "
                                                                             "installs it)")]
LAB = get_lab("lab01_cnn")
SOLO = {"perfect": 10.0, "partial": 8.0333}  # the same students graded alone (tests/test_grade_end_to_end.py)
CELL_TIMEOUT, NOTEBOOK_TIMEOUT = 8, 120  # lab01's longest cell takes 0.5 s when graded


def _listener() -> tuple[int, list[bytes]]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    received: list[bytes] = []

    def serve():
        server.settimeout(1.0)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            received.append(conn.recv(100) or b"connected")
            conn.close()

    stop = threading.Event()
    threading.Thread(target=serve, daemon=True).start()
    return server.getsockname()[1], received


def _attacks(course: Path, port: int) -> dict[str, tuple[str, str]]:
    """student -> (module: "stub" | "perfect", code of a cell added to the notebook)."""
    secret = (LAB.module_file).as_posix()
    return {
        "loop": ("perfect", "while True:\n    pass"),
        "sleeper": ("perfect", "import time\ntime.sleep(10**6)"),
        "memory": ("perfect", "blocks = []\nwhile True:\n    blocks.append(bytearray(2**28))"),
        "forkbomb": ("stub", "import os, time\nchild = False\nfor _ in range(10):\n    try:\n        if os.fork() == 0:\n"
                             "            child = True\n    except OSError:\n        break\n"
                             "if child:\n    time.sleep(30)\n    os._exit(0)"),
        "exit_cell": ("perfect", "import os\nos._exit(0)"),
        "sys_exit": ("stub", "import sys\nsys.exit(0)"),
        "segfault": ("stub", "import ctypes\nctypes.string_at(0)"),
        "cheater": ("stub", CHEATING_CELL),
        "reader": ("stub", f"stolen = []\nfor path in [{secret!r}, {str(course / 'source' / LAB.name / LAB.notebook_name)!r}, "
                           f"{str(course / 'gradebook.db')!r}, '/root/.bash_history']:\n"
                           "    try:\n        stolen.append(open(path, 'rb').read()[:1000])\n"
                           "    except OSError as e:\n        stolen.append(repr(e).encode())\n"
                           "print(b'\\n'.join(stolen))"),
        "writer": ("stub", f"import sqlite3\nfor target in [{str(course / 'gradebook.db')!r}]:\n"
                           "    try:\n        db = sqlite3.connect(target)\n"
                           "        db.execute('update grade set auto_score = 100')\n        db.commit()\n"
                           "    except Exception as e:\n        print(e)\n"
                           f"try:\n    open({str(course / 'autograded' / 'perfect' / LAB.name / 'lab01_cnn.py')!r}, 'w')"
                           ".write('broken')\nexcept OSError as e:\n    print(e)"),
        "flood": ("stub", "for _ in range(200):\n    print('x' * 1_000_000)"),
        "survivor": ("stub", "import subprocess\nsubprocess.Popen(['sleep', '1000'], start_new_session=True)\n"
                             "import os\nif os.fork() == 0:\n    os.setsid()\n    import time\n    time.sleep(1000)"),
        "fd_writer": ("stub", "import os\nfor fd in range(3, 4096):\n    try:\n"
                              "        os.write(fd, b'{\"pid\": 1, \"status\": 0, \"ready\": true}\\n')\n"
                              "    except OSError:\n        pass"),
        "immortal": ("stub", "import atexit, ctypes, signal, time\nctypes.CDLL(None).prctl(1, 0, 0, 0, 0)  # no parent-death signal\n"
                             "signal.signal(signal.SIGTERM, signal.SIG_IGN)\natexit.register(lambda: time.sleep(10**6))"),
        "network": ("stub", f"import socket\ntry:\n    s = socket.create_connection(('127.0.0.1', {port}), timeout=3)\n"
                            "    s.sendall(b'pwned')\nexcept OSError as e:\n    print(e)"),
        "forger": ("perfect", "import os, pickle\nd = '_grading/records'\n"
                              "def forge():\n"
                              "    os.remove(f'{d}/conv_output_size.json')\n"
                              "    os.symlink('/etc/passwd', f'{d}/conv_output_size.json')\n"
                              "    open(f'{d}/feature_map_sizes.json', 'w').write(' ' * 9_000_000)\n"
                              "    open(f'{d}/receptive_field.json', 'wb').write(pickle.dumps({'score': 10}))\n"
                              "get_ipython().events.register('post_run_cell', lambda *a: os.path.isdir(d) and "
                              "os.path.exists(f'{d}/receptive_field.json') and not os.path.islink("
                              "f'{d}/conv_output_size.json') and forge())"),
    }


def _notebook_edits(nb: dict) -> dict[str, dict]:
    """Attacks on the notebook file itself (perfect module): test cells rewritten to print a score with points
    raised to 100, a test cell's grade id changed, all test cells deleted."""
    tests = [i for i, c in enumerate(nb["cells"]) if c["metadata"].get("nbgrader", {}).get("grade")
             and c["cell_type"] == "code"]
    points = json.loads(json.dumps(nb))
    for i in tests:
        points["cells"][i]["metadata"]["nbgrader"]["points"] = 100
        points["cells"][i]["source"] = "print(100.0)\n100.0"
    grade_id = json.loads(json.dumps(nb))
    grade_id["cells"][tests[0]]["metadata"]["nbgrader"]["grade_id"] = "my_own_check"
    deleted = json.loads(json.dumps(nb))
    deleted["cells"] = [c for i, c in enumerate(deleted["cells"]) if i not in tests]
    return {"points_edit": points, "grade_id_edit": grade_id, "deleted_tests": deleted}


TENSOR_LIAR = """
import torch as _torch


class _Liar(_torch.Tensor):
    \"\"\"A tensor that says it equals anything and answers every torch call with True.\"\"\"

    def __eq__(self, other):
        return True

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return True


def _lie(*args, **kwargs):
    return _torch.zeros(3).as_subclass(_Liar)


"""


# Rewrites the clean check process's records behind its back, for as long as the process lives.
CLEAN_FORGER = """
import os as _os, pickle as _pickle, threading as _threading, time as _time
def _forge():
    d = '_grading/records'
    while True:
        for name in list(_os.listdir(d)) if _os.path.isdir(d) else []:
            path = _os.path.join(d, name)
            try:
                _os.remove(path)
                if name.startswith('conv'):
                    _os.symlink('/etc/passwd', path)
                elif name.startswith('feature'):
                    open(path, 'w').write(' ' * 9_000_000)
                else:
                    open(path, 'wb').write(_pickle.dumps({'score': 10}))
            except OSError:
                pass
        _time.sleep(0.001)
_threading.Thread(target=_forge, daemon=True).start()
"""


def _at_import(code: str, module: str) -> str:
    """`code` run when the module is imported, right after its `from __future__` line."""
    future = "from __future__ import annotations\n"
    head, _, tail = module.partition(future)
    return head + future + code + tail


@pytest.fixture(scope="module", params=["caller", "unprivileged"])
def corpus(request, tmp_path_factory):
    if request.param == "unprivileged" and os.geteuid() != 0:
        pytest.skip("this suite already runs unprivileged: the caller's corpus is graded by an unprivileged user")
    tmp = unprivileged.workdir() if request.param == "unprivileged" else tmp_path_factory.mktemp("corpus")
    sample = build_sample_class(LAB, tmp / "sample")
    subs, course = tmp / "subs", tmp / "course"
    nb_name, mod_name = LAB.notebook_name, LAB.module_file.name
    release_nb = json.loads((sample / "stub" / nb_name).read_text())
    modules = {kind: (sample / kind / mod_name).read_text() for kind in ("stub", "perfect")}
    port, received = _listener()

    def student(name: str, notebook: dict | bytes, module: str) -> None:
        folder = subs / name
        folder.mkdir(parents=True)
        (folder / nb_name).write_bytes(notebook if isinstance(notebook, bytes) else json.dumps(notebook).encode())
        (folder / mod_name).write_text(module)

    for honest in SOLO:
        student(honest, json.loads((sample / honest / nb_name).read_text()), (sample / honest / mod_name).read_text())
    for name, (module, code) in _attacks(course, port).items():
        student(name, add_cell(release_nb, code), modules[module])
    for name, nb in _notebook_edits(release_nb).items():
        student(name, nb, modules["perfect"])
    student("import_exit", release_nb, _at_import("import os\nos._exit(0)\n", modules["perfect"]))
    student("clean_forger", release_nb, _at_import(CLEAN_FORGER, modules["stub"]))
    student("import_sys_exit", release_nb, _at_import("import sys\nsys.exit(0)\n", modules["perfect"]))
    student("tensor_liar", release_nb,
            _at_import(TENSOR_LIAR, modules["stub"].replace("raise NotImplementedError(", "return _lie(")))
    checksums = json.loads(json.dumps(release_nb))
    for cell in checksums["cells"]:
        if "checksum" in cell["metadata"].get("nbgrader", {}):
            cell["metadata"]["nbgrader"]["checksum"] = "0" * 32  # unanswered cells would look answered
    student("checksum_edit", checksums, modules["stub"])
    student("not_utf8", b"\xff\xfe" + b"\x00garbage" * 10, modules["perfect"])
    student("bad_json", b'{"cells": [', modules["perfect"])
    with zipfile.ZipFile(subs / "zipslip.zip", "w") as zf:
        zf.writestr("../../escaped.txt", "outside")
        zf.writestr(nb_name, json.dumps(release_nb))
        zf.writestr(mod_name, modules["stub"])

    if request.param == "unprivileged":
        for folder in subs.iterdir():
            if folder.name.removesuffix(".zip") not in {*SOLO, *WALL_ATTACKS}:
                shutil.rmtree(folder) if folder.is_dir() else folder.unlink()
    options = dict(cell_timeout=CELL_TIMEOUT, notebook_timeout=NOTEBOOK_TIMEOUT)
    if request.param == "unprivileged":
        kernel_uid = unprivileged.unprivileged_user()[0]
    else:
        kernel_uid = SANDBOX_UID if os.geteuid() == 0 else os.geteuid()
    running_before = set(sandbox_processes(kernel_uid))
    if request.param == "unprivileged":
        outcomes = {s: SimpleNamespace(student=s, **o)
                    for s, o in unprivileged.grade_as_unprivileged(LAB.name, subs, course, **options).items()}
    else:
        outcomes = {o.student: o for o in grade(LAB.name, subs, course, progress=False, **options)}
    time.sleep(1)
    return dict(mode=request.param, outcomes=outcomes, course=course, received=received, tmp=tmp,
                kernel_uid=kernel_uid, running_before=running_before)


def test_honest_students_keep_their_solo_scores(corpus):
    assert {s: corpus["outcomes"][s].auto_score for s in SOLO} == SOLO


EXPECTED_ATTACKERS = {
    # What the attacker's honest code earns: stub modules earn nothing; a correct module keeps what was not broken.
    "forkbomb": 0, "fd_writer": 0, "immortal": 0, "sys_exit": 0, "segfault": 0, "cheater": 0, "reader": 0, "writer": 0, "flood": 0, "survivor": 0,
    "network": 0, "import_exit": 0, "import_sys_exit": 0, "tensor_liar": 0, "checksum_edit": 0, "not_utf8": 0,
    "bad_json": 0, "zipslip": 0,
    "loop": 10.0, "sleeper": 10.0, "memory": 10.0,  # the cell is interrupted or fails, the notebook goes on
    # the notebook's kernel dies before any test cell runs; its module (the reference) is still graded in a clean
    # process, and the problem is reported
    "exit_cell": 10.0,
    "points_edit": 10.0,  # test cells and points are restored from the source: exactly the module's 10 points
    "grade_id_edit": 0,  # nbgrader cannot match the notebook to its source: nothing is graded, a TA is told
    "deleted_tests": 10.0,  # deleted test cells come back and are graded
    "forger": 10.0,  # records forged by the notebook are never read: the clean check process writes the judged ones
    # the stub's module forging the clean process's records from a thread (symlink, oversized, pickle): the forged
    # files score zero, the genuine ones are the stub's
    "clean_forger": 0,
}


# Attacks on the sandbox's walls (files, processes, network) are graded in both modes: bubblewrap builds them
# differently with and without root, and the process limit counts per host uid (65534 or the TA's). Attacks on the
# notebook format, the kernel's Python, the judge, the time limits and the per-process limits (memory, output) meet
# the same code either way, so the unprivileged grader is given only the former.
WALL_ATTACKS = {"forkbomb", "exit_cell", "reader", "writer", "survivor", "fd_writer", "immortal", "network",
                "zipslip"}


def test_attackers_gain_nothing(corpus):
    attackers = EXPECTED_ATTACKERS if corpus["mode"] == "caller" else {
        s: points for s, points in EXPECTED_ATTACKERS.items() if s in WALL_ATTACKS}
    assert {s: corpus["outcomes"][s].auto_score for s in attackers} == attackers
    assert "stopped running" in " ".join(corpus["outcomes"]["exit_cell"].problems)


def test_gradebook_is_intact(corpus):
    db = sqlite3.connect(corpus["course"] / "gradebook.db")
    assert db.execute("select max(auto_score) from grade").fetchone()[0] <= 3.0  # no cell worth more than its points
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    perfect = corpus["course"] / "autograded" / "perfect" / LAB.name / LAB.module_file.name
    assert "def conv_output_size" in perfect.read_text()


def test_nothing_was_read_reached_or_left_behind(corpus):
    # What the reader printed is in its graded notebook (the kernel's folder itself is gone after the run).
    reader = nbformat.read(corpus["course"] / "autograded" / "reader" / LAB.name / LAB.notebook_name, as_version=4)
    stolen = "".join(o.get("text", "") for c in reader.cells if c.cell_type == "code" for o in c.outputs).encode()
    assert b"BEGIN SOLUTION" not in stolen and b"SQLite format" not in stolen and b"record(" not in stolen
    assert stolen.count(b"FileNotFoundError") + stolen.count(b"PermissionError") == 4
    assert corpus["received"] == [], "a sandboxed kernel reached the grader's loopback listener"
    deadline = time.monotonic() + 10  # the grader's own processes may still be exiting
    while (left := set(sandbox_processes(corpus["kernel_uid"])) - corpus["running_before"]) and (
            time.monotonic() < deadline):
        time.sleep(0.5)
    assert not left, f"processes started by student code outlived grading: {cmdlines(left)}"
    assert not (corpus["tmp"] / "escaped.txt").exists() and not (corpus["tmp"].parent / "escaped.txt").exists()
    if corpus["mode"] == "caller":  # the output cap is the grader's own: the flood is in the caller's corpus only
        flood = corpus["course"] / "autograded" / "flood" / LAB.name / LAB.notebook_name
        assert flood.stat().st_size < 5 * 2**20


def test_cells_that_never_end_are_stopped_by_the_cell_limit(corpus):
    """A busy loop and a sleep of eleven days each end at the cell's time limit, which their graded notebook shows,
    and the rest of the student's work is still graded."""
    students = [s for s in ("loop", "sleeper") if s in corpus["outcomes"]]
    assert students or corpus["mode"] == "unprivileged"  # that run grades the attacks on the machine only
    for student in students:
        nb = nbformat.read(corpus["course"] / "autograded" / student / LAB.name / LAB.notebook_name, as_version=4)
        endless = [c for c in nb.cells if c.cell_type == "code" and ("while True" in c.source or "10**6" in c.source)]
        assert endless and "CellTimeoutError" in [o.get("ename") for o in endless[0].outputs], student
        assert corpus["outcomes"][student].auto_score == 10.0, student


