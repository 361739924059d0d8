"""Grading on a Dask cluster: a real `dask scheduler` and two `dask worker` processes on the loopback interface grade
the sample class, one worker is killed mid-batch, and the grades equal a local run's."""

import csv
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import SAMPLE_SECRET

from autograder.grade import grade
from autograder.sample_class import build_sample_class
from autograder.sandbox import bwrap_works

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("sample-lab01_cnn"),
              pytest.mark.skipif(not bwrap_works(), reason="bubblewrap is required")]
COLUMNS = ["student_id", "score", "max_score", "auto_score", "auto_max_score", "needs_manual_grade", "status",
           "problems"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask(*args: str, log: Path) -> subprocess.Popen:
    dask = Path(sys.executable).parent / "dask"
    return subprocess.Popen([str(dask), *args], stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def _grades(course: Path) -> list[dict]:
    with open(course / "grades.csv") as f:
        return [{k: row[k] for k in COLUMNS} for row in csv.DictReader(f)]


@pytest.fixture
def cluster(tmp_path):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [_dask("scheduler", "--host", "127.0.0.1", "--port", str(port), "--dashboard-address", ":0",
                   log=tmp_path / "scheduler.log")]
    time.sleep(2)
    for i in range(2):
        procs.append(_dask("worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
                           "--local-directory", str(tmp_path / f"w{i}"), log=tmp_path / f"worker{i}.log"))
    yield address, procs
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        p.wait()


def test_a_cluster_grades_like_this_machine_even_when_a_worker_dies(lab01, tmp_path, cluster, graded_classes):
    address, procs = cluster
    local, _ = graded_classes(lab01.name)  # the sample class graded on this machine
    subs = build_sample_class(lab01, tmp_path / "subs")

    remote = tmp_path / "remote"
    done = remote / "done" / lab01.name

    def kill_a_worker_once_one_student_is_done() -> None:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not (done.is_dir() and any(done.iterdir())):
            time.sleep(0.1)
        os.killpg(procs[1].pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_a_worker_once_one_student_is_done, daemon=True)
    killer.start()
    grade(lab01.name, subs, remote, progress=False, secret=SAMPLE_SECRET, cluster=address)
    killer.join(timeout=5)
    assert procs[1].poll() is not None, "the worker was killed mid-batch"
    assert _grades(remote) == _grades(local)
