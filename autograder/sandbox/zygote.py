"""The warm kernel factory: one per grading worker, itself inside the worker's sandbox (see autograder.sandbox.kernels).

It imports torch, Lightning, labkit and the kernel machinery once, then answers requests on stdin (one JSON object
a line, one JSON answer a line on stdout). `spawn` forks a *keeper* that enters new user, mount, PID, network, IPC
and UTS namespaces and forks the student's process as PID 1 of them: an IPython kernel for the notebook, or the
clean check process (labkit.recording.record_checks) that imports only the submitted module and runs the checks.
Before any student code runs, that process mounts its own /proc, /tmp and /dev/shm, sees only its own job folder (at
/submission; the other jobs are hidden under an empty read-only tmpfs), drops every capability, sets no_new_privs
and its rlimits. The keeper kills the namespace's every process at its wall-clock limit or when together they hold
more memory than the student's limit, says which in its exit status, and dies with the factory
(PR_SET_PDEATHSIG), which dies with the worker (bubblewrap's --die-with-parent). The factory never runs student
code, so no state passes from one student to the next: each kernel is a fresh fork.

Linux only; talks to the kernel directly through libc (unshare, mount, prctl, capset).
"""

from __future__ import annotations

import ctypes
import importlib
import json
import os
import platform
import resource
import select
import signal
import sys
import time
from typing import Any

JOBS = "/jobs"  # the worker's job folders, bound here by the outer sandbox
# The keeper's exit status when it ended the student's processes itself (a kernel's own status is below 128 + 65).
EXIT_MEMORY, EXIT_TIME = 250, 251
WATCH_INTERVAL_S = 0.1
SUBMISSION = "/submission"  # where a kernel sees its own job folder
SANDBOX_UID = 65534  # nobody: the factory's uid on the host (autograder.sandbox), the kernels' in their namespace

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 4096, 8192, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_SET_NO_NEW_PRIVS = 1, 4, 24, 28, 38
SECBITS_LOCKED_NOROOT = 0x2F  # NOROOT, NOROOT_LOCKED, NO_SETUID_FIXUP, NO_SETUID_FIXUP_LOCKED, KEEP_CAPS_LOCKED
SYS_CAPSET = {"x86_64": 126, "aarch64": 91}
LINUX_CAPABILITY_VERSION_3 = 0x20080522

_libc = ctypes.CDLL(None, use_errno=True)
READ_ONLY_ROOTS: list[str] = []  # the environment and labkit, which every student process must still see


def _call(name: str, *args: Any) -> None:
    if getattr(_libc, name)(*args) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{name}{args!r}: {os.strerror(err)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = lambda s: s.encode() if s is not None else None  # noqa: E731
    _call("mount", enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data))


def _drop_capabilities() -> None:
    """No capability left in any set, none to regain by exec (securebits), none through setuid files."""
    _call("prctl", PR_SET_SECUREBITS, SECBITS_LOCKED_NOROOT, 0, 0, 0)
    cap = 0
    while _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0:
        cap += 1
    header = (ctypes.c_uint32 * 2)(LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable (x2 words): all zero
    if _libc.syscall(SYS_CAPSET[platform.machine()], header, data) != 0:
        raise OSError(ctypes.get_errno(), "capset")
    _call("prctl", PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def _private_tmp(keep: list[str]) -> None:
    """A fresh /tmp of the student's own, in which the read-only folders the process needs that live under /tmp (a
    course or environment kept there) stay visible: the new tmpfs is built at /submission, those folders bound
    into it, and the whole moved over /tmp."""
    _mount("tmpfs", SUBMISSION, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=1g")
    for path in keep:
        inside = SUBMISSION + path[len("/tmp"):]
        os.makedirs(inside, exist_ok=True)
        _mount(path, inside, None, MS_BIND | MS_REC)  # read-only like its source, whose flags it keeps
    for path in {SUBMISSION + p[len("/tmp"):] for p in keep}:
        for parent in _between(SUBMISSION, path):
            os.chmod(parent, 0o755)
    _mount(SUBMISSION, "/tmp", None, MS_MOVE)


def _between(top: str, path: str) -> list[str]:
    parts = path[len(top):].strip("/").split("/")[:-1]
    return [os.path.join(top, *parts[:i]) for i in range(1, len(parts) + 1)]


def _under_tmp(paths: list[str]) -> list[str]:
    """The folders below /tmp among `paths`, those inside another one left out (they come with it)."""
    below = sorted({p.rstrip("/") for p in paths if p.startswith("/tmp/")})
    return [p for p in below if not any(p.startswith(f"{q}/") for q in below)]


def _kernel(request: dict[str, Any], report: int) -> None:
    """PID 1 of the student's namespaces: isolate, then become an IPython kernel or the clean check process."""
    _call("prctl", PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    os.setsid()  # ipykernel interrupts its own process group: make it this namespace's alone
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _private_tmp(_under_tmp(READ_ONLY_ROOTS))
    _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=256m")
    _mount(os.path.join(JOBS, request["job"]), SUBMISSION, None, MS_BIND | MS_REC)
    _mount("tmpfs", JOBS, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "mode=0755,size=4k")
    _call("sethostname", b"sandbox", 7)
    _drop_capabilities()
    _call("prctl", PR_SET_DUMPABLE, 1, 0, 0, 0)  # its own /proc/self as usual; nothing outside can reach it
    for name, value in request["limits"]["rlimits"].items():  # autograder.sandbox.Limits.rlimits
        resource.setrlimit(getattr(resource, name), (value, value))
    os.chdir(SUBMISSION)
    sys.path.insert(0, "")  # the lab module imports from its own folder, as `python -m ipykernel` does
    if request.get("mode") == "check":
        from labkit.recording import record_checks

        os.close(report)  # the sandbox is in place: the factory answers
        record_checks(SUBMISSION, request["module"], request.get("check_seconds"), request.get("checks"))
        os._exit(0)
    connection = os.path.join("/tmp", "kernel.json")
    _write(connection, json.dumps(request["connection"]))
    # No history database: a graded notebook runs once, and its SQLite file and writer thread cost every start.
    sys.argv = ["ipykernel_launcher", "-f", connection, "--HistoryManager.enabled=False"]
    from ipykernel.kernelapp import IPKernelApp

    os.close(report)  # the sandbox is in place: the factory answers

    IPKernelApp.launch_instance(argv=sys.argv[1:])


def _autoreload_skips_the_environment() -> None:
    """A notebook's `%autoreload 2` looks at every imported module's file before each cell: some 4,000 once torch and
    Lightning are in, 24 ms a cell. Every module the factory has imported comes from the Python environment, which
    is read-only in the sandbox and cannot change: each kernel's reloader skips them from its first look, which
    `%load_ext autoreload` makes (2 ms a cell, and 2 ms instead of 24 for the extension's load)."""
    from IPython.extensions.autoreload import ModuleReloader

    unchanging = dict.fromkeys(sys.modules, True)
    look = ModuleReloader.check

    def check(self: ModuleReloader, *args: Any, **kwargs: Any) -> None:
        if not getattr(self, "environment_skipped", False):
            self.environment_skipped = True
            self.skip_modules.update(unchanging)
            # Its deduplicating reloader keeps every module's source, to compare after a change: none of these.
            sources = getattr(getattr(self, "deduper_reloader", None), "source_by_modname", None)
            if isinstance(sources, dict):
                sources.update(dict.fromkeys(unchanging, ""))
        return look(self, *args, **kwargs)

    ModuleReloader.check = check


def _report(fd: int, exc: BaseException) -> None:
    """Why the sandbox could not be built, for the factory to answer the worker with."""
    os.write(fd, f"{type(exc).__name__}: {exc}".encode()[:1000])


def _keeper(request: dict[str, Any], report: int) -> None:
    """Enter the new namespaces, fork the kernel as their PID 1, and end it at its wall-clock limit."""
    _call("prctl", PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    _call("prctl", PR_SET_DUMPABLE, 1, 0, 0, 0)  # writing its own uid_map needs it; no kernel can see the keeper
    uid, gid = os.geteuid(), os.getegid()
    _call("unshare", CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)
    _write("/proc/self/uid_map", f"{SANDBOX_UID} {uid} 1\n")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/gid_map", f"{SANDBOX_UID} {gid} 1\n")
    # The kernel mounts its own /proc in the namespace it shares with the keeper: keep the host's, to watch it.
    host_proc = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY)
    me = int(os.readlink("self", dir_fd=host_proc))
    pid = os.fork()
    if pid == 0:
        os.close(host_proc)
        try:
            _kernel(request, report)
        except BaseException as exc:
            _report(report, exc)
        finally:
            os._exit(0)
    os.close(report)
    # The kernel is PID 1 of its namespace: killing it ends everything it started. Killing it directly, rather than
    # relying on its parent-death signal, holds even if student code cleared that signal.
    signal.signal(signal.SIGUSR1, lambda *_: os.kill(pid, signal.SIGKILL))
    deadline = time.monotonic() + float(request["limits"]["seconds"])
    memory_limit = int(request["limits"]["memory"] or 0)
    ended_by = None
    ended = _end_signal(pid)
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if ended_by is None and time.monotonic() > deadline:
            ended_by = EXIT_TIME
        elif ended_by is None and memory_limit and namespace_memory(host_proc, me) > memory_limit:
            ended_by = EXIT_MEMORY
        if ended_by is not None:
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            break
        # Wake as soon as the kernel ends: its worker waits for this status, for every student.
        select.select(ended, [], [], WATCH_INTERVAL_S)
    os._exit(ended_by or (os.waitstatus_to_exitcode(status) & 0xFF))


def _end_signal(pid: int) -> list[int]:
    """A descriptor that becomes readable when the process ends (a pidfd), or none where the system has no pidfd:
    then the keeper looks every WATCH_INTERVAL_S."""
    try:
        return [os.pidfd_open(pid)]
    except (AttributeError, OSError):
        return []


def _read(proc: int, path: str) -> bytes:
    fd = os.open(path, os.O_RDONLY, dir_fd=proc)
    try:
        return os.read(fd, 1 << 16)
    finally:
        os.close(fd)


def _children(proc: int) -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir(proc):
        if entry.isdigit():
            try:
                ppid = int(_read(proc, f"{entry}/stat").rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
            tree.setdefault(ppid, []).append(int(entry))
    return tree


def namespace_memory(proc: int, keeper: int) -> int:
    """The memory held by every process below `keeper` (the student's whole PID namespace), in bytes, read from the
    /proc open as `proc`: each one's proportional set size, so pages shared with the factory or between the
    student's processes count once."""
    tree, total = _children(proc), 0
    todo = list(tree.get(keeper, []))
    while todo:
        pid = todo.pop()
        todo += tree.get(pid, [])
        total += _pss(proc, pid)
    return total


def _pss(proc: int, pid: int) -> int:
    try:
        for line in _read(proc, f"{pid}/smaps_rollup").splitlines():
            if line.startswith(b"Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:  # not readable: the resident memory it does not share with files
        fields = _read(proc, f"{pid}/statm").split()
        return (int(fields[1]) - int(fields[2])) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


class Factory:
    def __init__(self) -> None:
        self.exited: dict[int, int] = {}

    def spawn(self, request: dict[str, Any]) -> dict[str, Any]:
        """Fork a sandboxed kernel; answers once its sandbox is in place, or with why it could not be."""
        report_r, report_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                devnull = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(devnull, fd)
                # No descriptor of the factory's survives, above all not its answer pipe: a kernel that could write
                # there could forge the factory's answers to the worker.
                os.closerange(3, report_w)
                os.closerange(report_w + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
                os.setsid()
                _keeper(request, report_w)
            except BaseException as exc:
                _report(report_w, exc)
            finally:
                os._exit(111)
        os.close(report_w)
        with os.fdopen(report_r, "rb") as report:
            problem = report.read().decode(errors="replace")
        if problem:
            self.poll(pid)
            return {"error": f"the kernel's sandbox could not be built: {problem}"}
        return {"pid": pid}

    def poll(self, pid: int) -> int | None:
        if pid in self.exited:
            return self.exited[pid]
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return self.exited.setdefault(pid, 0)
        if done == 0:
            return None
        self.exited[pid] = os.waitstatus_to_exitcode(status)
        return self.exited[pid]

    def wait(self, pid: int, seconds: float) -> int | None:
        """How the keeper `pid` ended, as soon as it has; None if it still runs after `seconds`."""
        if self.poll(pid) is None and seconds > 0:
            ended = _end_signal(pid)
            select.select(ended, [], [], seconds if ended else min(seconds, WATCH_INTERVAL_S))
            for fd in ended:
                os.close(fd)
        return self.poll(pid)

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request["op"]
        if op == "spawn":
            return self.spawn(request)
        pid = int(request["pid"])
        if op == "wait":
            return {"status": self.wait(pid, float(request["seconds"]))}
        if op == "kill":
            if self.poll(pid) is None:
                os.kill(pid, signal.SIGUSR1)  # the keeper kills the kernel, then returns its status
            return {"ok": True}
        raise ValueError(f"unknown request {op!r}")


def main() -> None:
    # Same uid as the kernels: being non-dumpable is what keeps a kernel from attaching to the factory (ptrace,
    # /proc/PID/mem) and planting code in the next student's kernel.
    _call("prctl", PR_SET_DUMPABLE, 0, 0, 0, 0)
    labkit_root, modules = sys.argv[1], sys.argv[2:]
    # What every student process must still see: the environment with the package folders its .pth files add, and
    # labkit (not the folder above it, the course repository).
    packages = [p for p in sys.path if os.path.basename(p) in ("site-packages", "dist-packages")]
    READ_ONLY_ROOTS.extend(os.path.realpath(p) for p in (sys.prefix, sys.base_prefix,
                                                          os.path.join(labkit_root, "labkit"), *packages))
    sys.path.insert(0, labkit_root)  # the labkit the worker bound into the sandbox (autograder.sandbox)
    for module in modules:  # what every kernel would otherwise import again
        importlib.import_module(module)
    _autoreload_skips_the_environment()
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # a library printing at import time must not corrupt the answers
    factory = Factory()
    answers.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        try:
            answer = factory.handle(json.loads(line))
        except Exception as exc:
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        answers.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    main()
