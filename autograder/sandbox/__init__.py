"""The sandbox every grading kernel runs in (see SECURITY.md): its policy here, the warm kernel factory that runs
inside it (zygote), and the grader's side of that factory's kernels (kernels).

bubblewrap gives the kernel new network, PID, IPC and UTS namespaces, a private /tmp and /dev/shm, read-only views
of the Python environment and `labkit`, and its own working directory as the only writable place; nothing else of
the host (no `solutions/`, no gradebook, no other student) exists inside. When the grader is root, setpriv then
drops to an unprivileged uid with no capabilities and no_new_privs. Inside, the kernel factory (zygote) forks each
student's process into namespaces of its own and applies the :class:`Limits` it is sent with each
request: the per-process rlimits (``Limits.rlimits``, set by the process itself before any student code runs), a
wall-clock limit and a memory limit over all of the student's processes together (both kept by its keeper).

This file is the sandbox's policy, in one place: the limits, the environment every grading process gets
(:data:`KERNEL_ENV`, and :data:`GRADING_ENV` where the sandbox is off), the unprivileged uid (SANDBOX_UID, defined
beside the factory that uses it in zygote) and what is bound.
The kernel talks to the grader over ZMQ ipc sockets in a directory bound into the sandbox. When the kernel exits,
its PID namespace takes every process it started with it; --die-with-parent does the same if the grader dies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import labkit
from autograder.sandbox.zygote import SANDBOX_UID
from labkit.i18n import language

DEFAULT_MEMORY_GB = 3.0  # per student, every process together (PrairieLearn gives 2 GiB; a notebook here holds ~1)


class SandboxUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class Limits:
    """Everything one student's processes may use."""

    cell_seconds: int = 60  # one notebook cell; in the clean check process, the module's import and each check
    notebook_seconds: int = 600  # wall clock for the whole notebook, and for all the checks together
    memory_total_bytes: int = int(DEFAULT_MEMORY_GB * 2**30)  # every process of one student together (PSS)
    cpu_seconds: int = 900
    memory_bytes: int = 8 * 2**30  # address space per process: torch maps far more than it touches
    processes: int = 256
    file_bytes: int = 200 * 2**20
    open_files: int = 1024

    def rlimits(self) -> dict[str, int]:
        """The per-process limits, named as `resource.setrlimit` names them."""
        return {"RLIMIT_CPU": self.cpu_seconds, "RLIMIT_AS": self.memory_bytes, "RLIMIT_NPROC": self.processes,
                "RLIMIT_FSIZE": self.file_bytes, "RLIMIT_NOFILE": self.open_files, "RLIMIT_CORE": 0}

    def request(self) -> dict[str, int | dict[str, int]]:
        """The limits as the kernel factory applies them to one process it forks (autograder.sandbox.zygote)."""
        return {"rlimits": self.rlimits(), "seconds": self.notebook_seconds, "memory": self.memory_total_bytes}


# The environment of every grading kernel: nothing of the grader's own.
def python_executable() -> str:
    """This interpreter, reached through real folders: the sandbox binds the environment at its real path, so a venv
    found through a symlinked folder must be started from there (its own `python` link kept, or it is no venv)."""
    return str(Path(sys.executable).parent.resolve() / Path(sys.executable).name)


# What makes a run a grading run (labkit's grading profile, no wandb, no display): also set for a run without the
# sandbox, which otherwise keeps the grader's own environment.
GRADING_ENV = {"NBGRADER_EXECUTION": "autograde", "WANDB_MODE": "disabled", "MPLBACKEND": "Agg"}
KERNEL_ENV = {"HOME": "/tmp", "PATH": f"{Path(python_executable()).parent}:/usr/bin:/bin", "LANG": "C.UTF-8",
              "MPLCONFIGDIR": "/tmp", "XDG_CACHE_HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1",
              **GRADING_ENV}


@cache
def bwrap_works() -> bool:
    """bubblewrap is installed and can build a namespace here."""
    if shutil.which("bwrap") is None:
        return False
    probe = ["bwrap", "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "--die-with-parent", "true"]
    return subprocess.run(probe, capture_output=True, timeout=30).returncode == 0


def require_sandbox() -> None:
    if not bwrap_works():
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is missing or cannot create namespaces on this machine, so student code cannot be "
            "isolated. Install it (Debian/Ubuntu: `apt-get install bubblewrap`) or, only for code you trust, pass "
            "--unsafe-no-sandbox.")


def _python_roots() -> list[Path]:
    """What the kernel needs to run Python: the interpreter's prefix, the environment (with the package folders
    that its .pth files add) and labkit's folder. Never the course repository itself: it holds the solutions."""
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), Path(labkit.__file__).resolve().parent}
    roots |= {Path(p).resolve() for p in sys.path if Path(p).name in ("site-packages", "dist-packages")
              and Path(p).is_dir()}
    return sorted(roots)


def _parents(paths: list[Path]) -> list[Path]:
    out = set()
    for p in paths:
        out.update(q for q in p.parents if q != Path("/"))
    return sorted(out, key=lambda q: (len(q.parts), str(q)))


def factory_command(jobs_dir: Path, modules: list[str]) -> list[str]:
    """The argv of a worker's kernel factory (autograder.sandbox.zygote) inside the outer sandbox.

    The factory sees the Python environment and labkit read-only, a private /tmp and /dev/shm, no network, and the
    worker's job folders (`jobs_dir`) at /jobs; each kernel it forks then narrows that view to its own job."""
    from autograder.sandbox import zygote

    jobs_dir = jobs_dir.resolve()
    ro_roots = _python_roots()
    script = Path(zygote.__file__).resolve()
    cmd = ["bwrap", "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent",
           "--new-session", "--clearenv"]
    for system in ("/usr", "/bin", "/lib", "/lib64", "/sbin", "/etc/ld.so.cache", "/etc/alternatives",
                   "/etc/localtime", "/etc/fonts", "/etc/ssl"):
        cmd += ["--ro-bind-try", system, system]
    # Each kernel mounts a /proc of its own PID namespace. Linux allows that only where an uncovered proc mount is
    # already visible, and bubblewrap's --proc covers parts of its own: so the factory, which runs no student code,
    # sees the host's, and no kernel ever does.
    cmd += ["--bind", "/proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp", "--perms", "1777",
            "--tmpfs", "/dev/shm"]
    for parent in _parents([*ro_roots, script]):
        cmd += ["--perms", "0755", "--dir", str(parent)]
    for root in ro_roots:
        cmd += ["--ro-bind", str(root), str(root)]
    cmd += ["--ro-bind", str(script), str(script), "--bind", str(jobs_dir), zygote.JOBS,
            "--perms", "0755", "--dir", zygote.SUBMISSION, "--chdir", "/"]
    # Messages written inside the sandbox (a check that ran past its time) in the language the grader reports in.
    for key, value in {**KERNEL_ENV, "LABKIT_LANG": language()}.items():
        cmd += ["--setenv", key, value]
    cmd += ["--"]
    if os.geteuid() == 0:  # as root, bwrap keeps every capability: drop them and the uid before anything runs
        cmd += ["setpriv", f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_UID}", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all", "--no-new-privs"]
    # The factory imports the labkit bound here, the one this process uses, whatever `python -I` alone would find.
    labkit_root = str(Path(labkit.__file__).resolve().parent.parent)
    return [*cmd, python_executable(), "-I", str(script), labkit_root, *modules]


def hand_over(path: Path) -> None:
    """Give the sandbox user a folder tree it must write (its working directory, its socket directory)."""
    if os.geteuid() != 0:
        return
    for p in [path, *path.rglob("*")]:
        os.lchown(p, SANDBOX_UID, SANDBOX_UID)
