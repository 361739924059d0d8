"""The sandbox every grading kernel runs in (see SECURITY.md).

bubblewrap gives the kernel new network, PID, IPC and UTS namespaces, a private /tmp and /dev/shm, read-only views
of the Python environment and `labkit`, and its own working directory as the only writable place; nothing else of
the host (no `solutions/`, no gradebook, no other student) exists inside. When the grader is root, setpriv then
drops to an unprivileged uid with no capabilities and no_new_privs, prlimit sets CPU, memory, process, file-size
and core limits, and `timeout` bounds the whole notebook. The kernel talks to the grader over ZMQ ipc sockets in a
directory bound into the sandbox. When the kernel exits, bubblewrap's PID namespace takes every process it started
with it; --die-with-parent does the same if the grader dies.
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

SANDBOX_UID = 65534  # nobody


class SandboxUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class Limits:
    notebook_seconds: int = 600  # wall clock for the whole notebook
    cpu_seconds: int = 900
    memory_bytes: int = 8 * 2**30  # address space: torch maps far more than it touches
    processes: int = 256
    file_bytes: int = 200 * 2**20
    open_files: int = 1024


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
    """What the kernel needs to run Python: the interpreter's prefix, the environment and labkit's folder."""
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), Path(labkit.__file__).resolve().parent}
    return sorted(roots)


def _parents(paths: list[Path]) -> list[Path]:
    out = set()
    for p in paths:
        out.update(q for q in p.parents if q != Path("/"))
    return sorted(out, key=lambda q: (len(q.parts), str(q)))


def command_prefix(workdir: Path, socket_dir: Path, limits: Limits) -> list[str]:
    """The argv that starts a kernel command inside the sandbox, with `workdir` as its writable working directory."""
    workdir, socket_dir = workdir.resolve(), socket_dir.resolve()
    ro_roots = _python_roots()
    cmd = ["bwrap", "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent",
           "--new-session", "--clearenv"]
    for system in ("/usr", "/bin", "/lib", "/lib64", "/sbin", "/etc/ld.so.cache", "/etc/alternatives",
                   "/etc/localtime", "/etc/fonts", "/etc/ssl"):
        cmd += ["--ro-bind-try", system, system]
    cmd += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp", "--perms", "1777", "--tmpfs",
            "/dev/shm"]
    for parent in _parents([*ro_roots, workdir, socket_dir]):
        cmd += ["--perms", "0755", "--dir", str(parent)]
    for root in ro_roots:
        cmd += ["--ro-bind", str(root), str(root)]
    cmd += ["--bind", str(workdir), str(workdir), "--bind", str(socket_dir), str(socket_dir), "--chdir", str(workdir)]
    env = {"HOME": "/tmp", "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "LANG": "C.UTF-8",
           "NBGRADER_EXECUTION": "autograde", "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp", "XDG_CACHE_HOME": "/tmp",
           "WANDB_MODE": "disabled", "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": str(os.cpu_count() or 1)}
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    cmd += ["--", "timeout", "-s", "KILL", str(limits.notebook_seconds)]
    if os.geteuid() == 0:  # as root, bwrap keeps every capability: drop them and the uid before student code runs
        cmd += ["setpriv", f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_UID}", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all", "--no-new-privs"]
    cmd += ["prlimit", f"--cpu={limits.cpu_seconds}", f"--as={limits.memory_bytes}", f"--nproc={limits.processes}",
            f"--fsize={limits.file_bytes}", f"--nofile={limits.open_files}", "--core=0", "--"]
    return cmd


def hand_over(path: Path) -> None:
    """Give the sandbox user a folder tree it must write (its working directory, its socket directory)."""
    if os.geteuid() != 0:
        return
    for p in [path, *path.rglob("*")]:
        os.lchown(p, SANDBOX_UID, SANDBOX_UID)
