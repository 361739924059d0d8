"""nbgrader's formgrader for one course directory, safe to press every button of.

`autograder formgrader DIR` writes DIR/nbgrader_config.py and starts a Jupyter server on 127.0.0.1 with a token and
nbgrader's formgrader for that course (as root too). In that server:

- **Autograde** grades the student with this grader (`autograder grade LAB ... --only STUDENT`): in the sandbox,
  with the course's secret, late-penalty method and feedback level, exports rewritten.
- **Generate Feedback** first finalizes the lab (penalties on totals, every export; autograder.finalize), then runs
  nbgrader's feedback with the model answers and hidden-test regions removed, and checks what it wrote.

The course's nbgrader_config.py protects the other ways in (nbgrader's own commands, a formgrader started by hand
in DIR): nbgrader's autograde is refused with a message that names the command to run, and nbgrader's feedback
drops model answers. Student code never runs in the Jupyter server: no kernel can be started in it, and nbgrader's
validate and assignment-list extensions are off.
"""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from nbconvert.exporters import NotebookExporter
from nbformat import NotebookNode
from nbgrader.apps import NbGraderAPI
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.course import CourseDir
from autograder.intake import STUDENT_ID
from autograder.notebooks import MODEL_ANSWER_NOTE, model_answers, without_model_answers
from autograder.settings import Feedback

COURSE_ENV, ROOT_ENV = "AUTOGRADER_FORMGRADER_COURSE", "AUTOGRADER_ROOT"
CONFIG_MARK = "# Written by `autograder formgrader`"


def grade_command(course_root: Path | str, lab: str = "LAB", student: str | None = None) -> str:
    only = f" --only {student}" if student else ""
    return (f"autograder grade {lab} SUBMISSIONS --out {_quote(str(course_root))}{only}  (or press Autograde in "
            f"the formgrader that `autograder formgrader {_quote(str(course_root))}` starts)")


def _quote(path: str) -> str:
    return shlex.quote(path)


class RefusedAutograde(NotebookExporter):
    """Set as nbgrader's Autograde exporter by the course's nbgrader_config.py: nbgrader's own autograde would run
    the student's notebook as this user, outside the sandbox, without the judge. It stops before touching any file
    or the gradebook (the exporter is built before nbgrader removes or copies anything)."""

    def __init__(self, *args, parent=None, **kwargs):
        coursedir = getattr(parent, "coursedir", None)
        root = getattr(coursedir, "root", "DIR")
        lab = getattr(coursedir, "assignment_id", "") or "LAB"
        student = getattr(coursedir, "student_id", "")
        student = student if student and student != "*" else None
        raise RuntimeError("nbgrader's autograde is turned off in this course directory: it would run student code "
                           "outside the sandbox and without the judge, and score every check 0. Run: "
                           + grade_command(root, lab if lab != "*" else "LAB", student))


class StudentView(NbGraderPreprocessor):
    """In nbgrader's feedback: no model answer, no hidden-test region (autograder.notebooks.without_model_answers)."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        return without_model_answers(nb), resources


FEEDBACK_PREPROCESSORS = ["nbgrader.preprocessors.GetGrades", "autograder.formgrader.StudentView",
                          "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]


def nbgrader_config_text(course: CourseDir) -> str:
    c = course.config
    lines = [
        f"{CONFIG_MARK} for this course directory; rewritten at every start.",
        "# nbgrader's commands and formgrader read it when run from this folder.",
        "c = get_config()  # noqa: F821",
        f"c.CourseDirectory.root = {str(course.root.resolve())!r}",
        f"c.CourseDirectory.db_url = {course.db_url!r}",
        f"c.CourseDirectory.ignore = {list(c.CourseDirectory.ignore)!r}",
        "c.OverwriteCells.add_missing_cells = True",
        "# nbgrader's autograde would run student code outside the sandbox: refused, naming the command to run.",
        "c.Autograde.exporter_class = 'autograder.formgrader.RefusedAutograde'",
        "# Feedback never shows a model answer nor a hidden test.",
        f"c.GenerateFeedback.preprocessors = {FEEDBACK_PREPROCESSORS!r}",
    ]
    method = course.late_penalty
    if method in ("none", "zero"):
        lines += ["c.AssignLatePenalties.plugin_class = 'nbgrader.plugins.LateSubmissionPlugin'",
                  f"c.LateSubmissionPlugin.penalty_method = {method!r}"]
    else:
        lines.append(f"c.AssignLatePenalties.plugin_class = {method!r}")
    return "\n".join(lines) + "\n"


def write_nbgrader_config(course: CourseDir) -> Path:
    path = course.root / "nbgrader_config.py"
    if path.exists() and CONFIG_MARK not in path.read_text(errors="replace"):
        shutil.copy(path, path.with_name("nbgrader_config.py.before-autograder"))  # someone's own: kept aside
    path.write_text(nbgrader_config_text(course))
    return path


class CourseAPI(NbGraderAPI):
    """nbgrader's API as the formgrader's buttons call it, with Autograde and Generate Feedback done by this
    grader."""

    def _course(self) -> CourseDir:
        return CourseDir(Path(self.coursedir.root).resolve())

    def autograde(self, assignment_id, student_id, force=True, create=True):
        course = self._course()
        if not STUDENT_ID.match(student_id or "") or "/" in assignment_id or assignment_id.startswith("."):
            return {"success": False, "error": f"not a student or lab: {student_id!r}, {assignment_id!r}", "log": ""}
        submitted = course.submitted(student_id, assignment_id)
        if not submitted.is_dir():
            return {"success": False, "log": "",
                    "error": f"{submitted}: no submission to grade; put it in SUBMISSIONS and run "
                             + grade_command(course.root, assignment_id, student_id)}
        feedback = (course.stamp(assignment_id, student_id) or {}).get("feedback") or Feedback.INPUTS
        with tempfile.TemporaryDirectory(prefix="formgrader-") as tmp:
            shutil.copytree(submitted, Path(tmp) / student_id)  # intake empties submitted/ before it reads
            argv = [sys.executable, "-m", "autograder.cli", "--root", os.environ.get(ROOT_ENV) or _repo_root(),
                    "grade", assignment_id, tmp, "--out", str(course.root), "--only", student_id, "--quiet",
                    "--workers", "1", "--feedback", feedback]
            done = subprocess.run(argv, capture_output=True, text=True, env=_env(), cwd=str(course.root))
        log = (done.stdout + done.stderr)[-20000:]
        if done.returncode != 0:
            return {"success": False, "error": f"autograder grade exited {done.returncode}:\n{log}", "log": log}
        return {"success": True, "log": log}

    def generate_feedback(self, assignment_id, student_id=None, force=True):
        from autograder.finalize import finalize

        course = self._course()
        try:
            finalize(assignment_id, course.root, root=Path(os.environ.get(ROOT_ENV) or _repo_root()))
        except Exception as exc:  # a grading batch holds the course, a lab that is not one
            return {"success": False, "error": f"{type(exc).__name__}: {exc}", "log": ""}
        self.config.GenerateFeedback.preprocessors = FEEDBACK_PREPROCESSORS  # whatever the config file says
        result = super().generate_feedback(assignment_id, student_id, force)
        leaks = remove_leaks(course, assignment_id)
        if leaks:
            return {"success": False, "log": result.get("log", ""),
                    "error": "feedback that showed a model answer was removed: " + ", ".join(map(str, leaks))}
        return result


def remove_leaks(course: CourseDir, lab_name: str) -> list[Path]:
    """Delete any file under feedback/ that shows a model answer (a last guard); returns what was deleted."""
    from autograder.labs import get_lab

    try:
        texts = [a[:80] for a in model_answers(get_lab(lab_name, Path(os.environ.get(ROOT_ENV) or _repo_root())))
                 if len(a) > 20]
    except Exception:
        texts = []
    leaks = []
    for path in (course.root / "feedback").rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            if MODEL_ANSWER_NOTE in text or any(t in text for t in texts):
                path.unlink()
                leaks.append(path)
    return leaks


def _repo_root() -> str:
    from autograder.labs import REPO_ROOT

    return str(REPO_ROOT)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    bin_dir = os.path.dirname(sys.executable)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    return env


def _jupyter_server_extension_points():
    return [{"module": "autograder.formgrader"}]


def _load_jupyter_server_extension(serverapp) -> None:
    """Loaded by the server `autograder formgrader` starts: the formgrader's handlers build CourseAPI."""
    from nbgrader.server_extensions.formgrader import base

    base.NbGraderAPI = CourseAPI
    serverapp.log.info("autograder: the formgrader's Autograde and Generate Feedback go through this grader")


load_jupyter_server_extension = _load_jupyter_server_extension

EXTENSIONS = {"nbgrader.server_extensions.formgrader": True, "autograder.formgrader": True,
              "nbgrader.server_extensions.validate_assignment": False,  # runs notebooks outside the sandbox
              "nbgrader.server_extensions.assignment_list": False, "nbgrader.server_extensions.course_list": False,
              "jupyter_server_terminals": False}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_argv(course: CourseDir, port: int, token: str) -> list[str]:
    argv = [sys.executable, "-m", "jupyter_server", "--no-browser", "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--ServerApp.root_dir={course.root}",
            f"--IdentityProvider.token={token}",
            *[f"--ServerApp.jpserver_extensions={name}={on}" for name, on in EXTENSIONS.items()],
            # No kernel can start in this server: a student's notebook opened in it cannot run outside the sandbox.
            "--KernelSpecManager.allowed_kernelspecs=['no-kernels-in-the-formgrader']"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")  # root's own machine: the server still listens on 127.0.0.1 with a token
    return argv


def prepare(course_root: Path) -> CourseDir:
    """Check that DIR is a graded course directory and write its nbgrader_config.py."""
    course = CourseDir(course_root.resolve())
    if not course.gradebook.is_file():
        raise FileNotFoundError(f"{course_root}: no gradebook.db here; grade the lab first with "
                                f"`autograder grade LAB SUBMISSIONS --out {_quote(str(course_root))}`")
    course.configure_late_penalty(None)  # the course's own method
    write_nbgrader_config(course)
    return course


def start(course_root: Path, root: Path, port: int = 0) -> int:
    """Print the formgrader's URL, then become the Jupyter server (until Ctrl-C)."""
    course = prepare(course_root)
    port = port or free_port()
    token = secrets.token_hex(24)
    env = _env()
    env[ROOT_ENV] = str(Path(root).resolve())
    env[COURSE_ENV] = str(course.root)
    print(f"formgrader for {course.root}\n  open: http://127.0.0.1:{port}/formgrader?token={token}\n"
          f"  (listening on 127.0.0.1 only; Ctrl-C stops it)", flush=True)
    os.chdir(course.root)  # nbgrader reads nbgrader_config.py from the current folder
    os.execve(sys.executable, server_argv(course, port, token), env)
    return 0  # not reached
