"""Run a Python snippet as an unprivileged user, as a teaching assistant without root would run the grader.

The suite runs as root in CI; then it creates a system user and runs the snippet as that user. The interpreter and
the repository may sit under a folder other users cannot enter (the CI's Python lives in /root): the snippet then
runs in a private mount namespace where such a folder is replaced by an empty tmpfs holding only those paths,
bound back in place. Nothing of the host changes.
"""

from __future__ import annotations

import json
import os
import pwd
import shlex
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.labs import REPO_ROOT

USER = "labgrader-test"


def unprivileged_user() -> tuple[int, int]:
    """(uid, gid) of the unprivileged test user, created on first use (root only)."""
    try:
        entry = pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER], check=True)
        entry = pwd.getpwnam(USER)
    return entry.pw_uid, entry.pw_gid


def workdir() -> Path:
    """A folder the test user owns, in a place every user can reach."""
    uid, gid = unprivileged_user()
    path = Path(tempfile.mkdtemp(prefix="unpriv-", dir="/tmp"))
    os.chown(path, uid, gid)
    return path


def _closed_ancestor(path: Path) -> Path | None:
    """The outermost folder on the way to `path` that other users cannot enter, if any."""
    for parent in reversed(path.parents):
        if parent != Path("/") and not os.stat(parent).st_mode & stat.S_IXOTH:
            return parent
    return None


def _reachable_script(paths: list[Path]) -> str:
    """Shell lines that make `paths` reachable through closed folders, inside the current mount namespace."""
    hidden = [(i, path, _closed_ancestor(path)) for i, path in enumerate(paths)]
    hidden = [(i, path, closed) for i, path, closed in hidden if closed is not None]
    stash, q = "/tmp/.unpriv-stash", lambda p: shlex.quote(str(p))
    lines = [f"mkdir -p {stash}/{i} && mount --bind {q(path)} {stash}/{i}" for i, path, _ in hidden]
    lines += [f"mount -t tmpfs -o mode=0755 tmpfs {q(closed)}" for closed in sorted({c for _, _, c in hidden})]
    lines += [f"mkdir -p {q(path)} && mount --move {stash}/{i} {q(path)}" for i, path, _ in hidden]
    return "\n".join(lines)


def run_python(code: str, cwd: Path, timeout: float = 3600) -> subprocess.CompletedProcess:
    """Run `code` with this interpreter as the test user; its stdout is returned."""
    uid, gid = unprivileged_user()
    roots = sorted({Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), REPO_ROOT.resolve()})
    env = {"HOME": str(cwd), "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "LANG": "C.UTF-8",
           "WANDB_MODE": "disabled"}
    run = shlex.join(["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--",
                      "env", "-i", *[f"{k}={v}" for k, v in env.items()], sys.executable, "-c", code])
    script = f"set -e\nmount --make-rprivate /\n{_reachable_script(roots)}\ncd {shlex.quote(str(cwd))}\nexec {run}\n"
    return subprocess.run(["unshare", "--mount", "--", "sh", "-c", script], capture_output=True, text=True,
                          timeout=timeout)


def grade_as_unprivileged(lab: str, submissions: Path, course: Path, **options) -> dict[str, dict]:
    """`grade()` run by the test user: student -> {auto_score, status, problems}."""
    code = (f"import json; from pathlib import Path; from autograder.grade import grade\n"
            f"out = grade({lab!r}, Path({str(submissions)!r}), Path({str(course)!r}), progress=False, "
            f"**{options!r})\n"
            "print(json.dumps({o.student: dict(auto_score=o.auto_score, status=o.status, problems=o.problems) "
            "for o in out}))")
    result = run_python(code, course.parent)
    if result.returncode != 0:
        raise RuntimeError(f"grading as {USER} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])
