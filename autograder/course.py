"""An nbgrader course directory for one lab: where everything lives, its gradebook and nbgrader's configuration.

Every path of the course directory is named here and nowhere else.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import json
import logging
import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import nbformat
import nbgrader.api
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config

from autograder.files import write_atomic, write_json
from autograder.labs import Lab
from autograder.notebooks import source_notebook

# nbgrader shells out to `alembic` to open the gradebook: make this interpreter's scripts findable.
_bin = os.path.dirname(sys.executable)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")


class GraderBusy(RuntimeError):
    pass


@cache
def alembic_head() -> str:
    """The gradebook schema's revision, read in this process. nbgrader asks a fresh `alembic heads` process for it
    every time it creates a gradebook, which costs seconds per course directory; the answer is fixed by the
    installed nbgrader."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import _temp_alembic_ini

    with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as ini:
        return ScriptDirectory.from_config(AlembicConfig(ini)).get_current_head()


nbgrader.api.get_alembic_version = alembic_head


@dataclass(frozen=True)
class CourseDir:
    """`root`: nbgrader's layout (source/, submitted/, autograded/, gradebook.db) plus this grader's own files."""

    root: Path

    @property
    def gradebook(self) -> Path:
        return self.root / "gradebook.db"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.gradebook.resolve()}"

    def source(self, lab: str) -> Path:
        return self.root / "source" / lab

    def submitted(self, student: str, lab: str) -> Path:
        return self.root / "submitted" / student / lab

    def autograded(self, student: str, lab: str) -> Path:
        return self.root / "autograded" / student / lab

    def report(self, lab: str, student: str) -> Path:
        """The judge's results for one student (checks and notes), written once the gradebook has them."""
        return self.root / "reports" / lab / f"{student}.json"

    def _stamp_file(self, lab: str, student: str) -> Path:
        return self.root / "done" / lab / f"{student}.json"

    def stamp(self, lab: str, student: str) -> dict | None:
        """What a graded student was graded from (the submission's digest, the secret's, the feedback level), so
        that a restarted grader skips them; None if they are not graded."""
        try:
            return json.loads(self._stamp_file(lab, student).read_text())
        except (OSError, ValueError):
            return None

    def save_stamp(self, lab: str, student: str, stamp: dict) -> None:
        """Written last, once the gradebook and the report have the student's grades."""
        write_json(self._stamp_file(lab, student), stamp)

    def submission_digest(self, student: str, lab: str) -> str:
        folder, h = self.submitted(student, lab), hashlib.sha256()
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
        return h.hexdigest()

    def intake_record(self, lab: str, student: str) -> Path:
        """What intake found wrong with a student's latest submission of the lab (kept for later exports)."""
        return self.root / "intake" / lab / f"{student}.json"

    def students_with_intake(self, lab: str) -> set[str]:
        return {p.stem for p in (self.root / "intake" / lab).glob("*.json")}

    def log(self, lab: str, student: str) -> Path:
        return self.root / "logs" / f"{lab}-{student}.log"

    @property
    def grades_csv(self) -> Path:
        return self.root / "grades.csv"

    @property
    def canvas_csv(self) -> Path:
        return self.root / "canvas.csv"

    @property
    def moodle_csv(self) -> Path:
        return self.root / "moodle.csv"

    def results(self, student: str) -> Path:
        return self.root / "results" / f"{student}.json"

    def feedback(self, student: str) -> Path:
        return self.root / "feedback" / f"{student}.html"

    @property
    def settings_file(self) -> Path:
        """What later runs (finalize, the formgrader's buttons) need to grade and export as the last batch did: the
        late-penalty method, the zone times are written in, the students not on the roster."""
        return self.root / "course_settings.json"

    def saved_settings(self) -> dict:
        try:
            return json.loads(self.settings_file.read_text())
        except (OSError, ValueError):
            return {}

    def save_settings(self, **values) -> None:
        data = {**self.saved_settings(), **{k: v for k, v in values.items() if v is not None}}
        write_atomic(self.settings_file, json.dumps(data, indent=1, sort_keys=True) + "\n")

    @property
    def zone(self):
        """The zone exports write times in: the one this batch states (--timezone or the due date's), else the one
        the last batch stated, else UTC."""
        from autograder.times import TimesError, current_policy, parse_zone

        policy = current_policy()
        if policy is not None and policy.zone_given:
            return policy.zone
        try:
            return parse_zone(self.saved_settings().get("timezone") or "UTC")
        except TimesError:
            return parse_zone("UTC")

    @contextmanager
    def locked(self, busy: str = "another grader is running on this course directory") -> Iterator[None]:
        """One grading batch or finalize per course directory at a time: another is refused (GraderBusy, saying
        `busy`), never interleaved."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".grader.lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise GraderBusy(f"{self.root}: {busy}") from None
            yield

    @property
    def secret_file(self) -> Path:
        return self.root / "grading_secret"

    def secret(self) -> str:
        """The course's secret for drawing hidden cases: generated on first use, readable by its owner only."""
        if not self.secret_file.is_file():
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32) + "\n")
        return self.secret_file.read_text().strip()

    @cached_property
    def config(self) -> Config:
        c = Config()
        c.CourseDirectory.root = str(self.root.resolve())
        c.CourseDirectory.db_url = self.db_url
        c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "_grading"]
        c.GenerateAssignment.db_url = self.db_url
        return c

    def configure_late_penalty(self, method: str | None) -> None:
        """nbgrader's late-submission plugin: its built-in "none" or "zero", or a plugin class "module.Class".
        None: the method this course's last batch used (kept in course_settings.json), else "none"."""
        if method is None:
            method = self.saved_settings().get("late_penalty") or "none"
        self.__dict__["late_penalty"] = method  # saved with the exports (autograder.exports.write_all)
        if method in ("none", "zero"):
            self.config.AssignLatePenalties.plugin_class = "nbgrader.plugins.LateSubmissionPlugin"
            self.config.LateSubmissionPlugin.penalty_method = method
            return
        module, _, name = method.rpartition(".")
        try:
            plugin = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError, ValueError):
            raise ValueError(f"--late-penalty {method!r}: neither none, zero nor an importable plugin class "
                             "(module.Class, a subclass of nbgrader.plugins.LateSubmissionPlugin)") from None
        self.config.AssignLatePenalties.plugin_class = plugin

    @property
    def late_penalty(self) -> str:
        """The late-penalty method in force (configure_late_penalty's), else the one this course last used."""
        return self.__dict__.get("late_penalty") or self.saved_settings().get("late_penalty") or "none"

    def late_penalty_plugin(self):
        """The configured LateSubmissionPlugin, to compute a penalty on a total score."""
        from nbgrader.preprocessors import AssignLatePenalties

        if "late_penalty" not in self.__dict__:
            self.configure_late_penalty(None)
        step = AssignLatePenalties(config=self.config)
        return step.plugin_class(parent=step)

    def api(self) -> NbGraderAPI:
        api = NbGraderAPI(coursedir=CourseDirectory(config=self.config), config=self.config)
        api.log.setLevel(logging.ERROR)
        return api

    def install_source(self, lab: Lab) -> None:
        """Write the lab's source notebook and its public checks.py into `source/<lab>/`.

        Only these files: nbgrader copies every non-notebook file of the source folder over the student's files,
        so the reference module must never be here.
        """
        dest = self.source(lab.name)
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        nbformat.write(source_notebook(lab), dest / lab.notebook_name)
        shutil.copy(lab.source_dir / "checks.py", dest / "checks.py")

    def generate(self, lab: Lab) -> Path:
        """nbgrader generate_assignment for `lab` (records its cells in the gradebook); returns the release folder."""
        self.install_source(lab)
        result = self.api().generate_assignment(lab.name, force=True, create=True)
        if not result["success"]:
            detail = result.get("error") or result.get("log")
            raise RuntimeError(f"nbgrader generate_assignment failed for {lab.name}:\n{detail}")
        return self.root / "release" / lab.name
