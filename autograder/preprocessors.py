"""The grading pipeline's own steps, placed among nbgrader's autograde preprocessors (see course.make_config).

WriteCases (before Execute) gives the kernel the cases to run; SafeExecute runs the notebook and survives a dead or
hung kernel; Judge (after Execute, in this process) scores every test cell from the recorded outputs and replaces
the cell's outputs with the score and one line per failed case, so nothing the kernel printed decides a grade.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Bool, Integer, Unicode

from autograder import sandbox
from autograder.judge import CheckResult, judge_check
from autograder.labs import Lab
from labkit.grading import CASES_FILE, GRADING_DIR, dumps_strict, encode


class WrappedKernelManager(AsyncKernelManager):
    """Starts the grading kernel inside the sandbox (autograder.sandbox), talking over ipc sockets; with
    `sandbox` off it starts the kernel directly."""

    sandbox = Bool(True).tag(config=True)
    notebook_seconds = Integer(600).tag(config=True)

    async def _async_pre_start_kernel(self, **kw):
        if not self.sandbox:
            return await super()._async_pre_start_kernel(**kw)
        # Short path: a unix socket path must stay under 108 bytes.
        self._socket_dir = Path(tempfile.mkdtemp(prefix="agk-", dir="/tmp"))
        self.transport, self.ip = "ipc", str(self._socket_dir / "k")
        self.connection_file = str(self._socket_dir / "kernel.json")
        self._workdir = Path(kw.get("cwd") or os.getcwd())
        # What the kernel process itself prints (connection banners, library warnings) would interleave with the
        # grader's progress bar; everything a cell prints still arrives through the kernel's output channel.
        kw.setdefault("stdout", subprocess.DEVNULL)
        kw.setdefault("stderr", subprocess.DEVNULL)
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        # A signal would reach bubblewrap, not the kernel: interrupt through the kernel's control channel instead.
        self.kernel_spec.interrupt_mode = "message"
        sandbox.hand_over(self._socket_dir)
        sandbox.hand_over(self._workdir)
        return cmd, kw

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        cmd = super().format_kernel_cmd(extra_arguments)
        if not self.sandbox:
            return cmd
        limits = sandbox.Limits(notebook_seconds=self.notebook_seconds)
        return sandbox.command_prefix(self._workdir, self._socket_dir, limits) + cmd

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart)
        if self.sandbox and getattr(self, "_socket_dir", None):
            shutil.rmtree(self._socket_dir, ignore_errors=True)


def _lab(resources: dict, root: str) -> Lab:
    name = resources["nbgrader"]["assignment"]
    return Lab(name, Path(root) / "solutions" / name)


def _seed_text(seed: str, resources: dict) -> str:
    return f"{seed}:{resources['nbgrader']['student']}"


class WriteCases(NbGraderPreprocessor):
    seed = Unicode("0").tag(config=True)
    root = Unicode().tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        lab = _lab(resources, self.root)
        workdir = Path(resources["metadata"]["path"]) / GRADING_DIR
        if workdir.is_symlink() or workdir.is_file():
            workdir.unlink()
        elif workdir.exists():
            shutil.rmtree(workdir)
        workdir.mkdir()
        seed_text = _seed_text(self.seed, resources)
        cases = {cid: encode(lab.cases(cid, seed_text)) for cid in lab.checks}
        (workdir / CASES_FILE).write_text(dumps_strict(cases))
        return nb, resources


class SafeExecute(Execute):
    """nbgrader's Execute, but a kernel that dies or cannot be interrupted ends execution instead of the submission:
    the cells that ran keep their records, the rest score zero."""

    max_output_bytes = Integer(2 * 2**20, help="output kept per notebook; the rest is dropped").tag(config=True)

    def output(self, outs, msg, display_id, cell_index):
        # Count as the messages arrive: a student printing hundreds of MB must not fill the grader's memory.
        self._output_bytes = getattr(self, "_output_bytes", 0) + len(json.dumps(msg["content"], default=str))
        if self._output_bytes <= self.max_output_bytes:
            return super().output(outs, msg, display_id, cell_index)
        if not getattr(self, "_output_truncated", False):
            self._output_truncated = True
            note = new_output("stream", name="stdout", text=f"[output beyond {self.max_output_bytes} bytes dropped]\n")
            outs.append(note)
            return note
        return None

    def preprocess(self, nb: NotebookNode, resources: dict, km=None) -> tuple[NotebookNode, dict]:
        self._output_bytes, self._output_truncated = 0, False
        try:
            return super().preprocess(nb, resources, km)
        except Exception as exc:  # DeadKernelError, CellTimeoutError after a failed interrupt, kernel start failures
            resources.setdefault("grading_notes", []).append(
                f"the notebook stopped running: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                .strip())
            return nb, resources


class Judge(NbGraderPreprocessor):
    seed = Unicode("0").tag(config=True)
    root = Unicode().tag(config=True)
    report_dir = Unicode().tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        lab = _lab(resources, self.root)
        records = Path(resources["metadata"]["path"]) / GRADING_DIR / "records"
        seed_text = _seed_text(self.seed, resources)
        results = {cid: judge_check(lab, cid, records / f"{cid}.json", seed_text) for cid in lab.checks}
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
                continue
            result = results.get(meta.get("grade_id"))
            if result is None:  # an autograded cell that is not one of the lab's checks
                result = CheckResult(str(meta.get("grade_id")), 0.0, float(meta.get("points", 0)), 0, 0,
                                     ["this test cell is not part of the lab"])
            cell.outputs = _score_outputs(result)
        report = {"student": resources["nbgrader"]["student"], "lab": lab.name,
                  "checks": [r.to_dict() for r in results.values()], "notes": resources.get("grading_notes", [])}
        out = Path(self.report_dir) / f"{resources['nbgrader']['student']}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=1, sort_keys=True))
        return nb, resources


def _score_outputs(result: CheckResult) -> list[NotebookNode]:
    lines = [f"{result.check}: {result.passed}/{result.total} cases passed, {result.score:g}/{result.max_score:g} "
             "points"] + [f"  - {m}" for m in result.messages]
    return [new_output("stream", name="stdout", text="\n".join(lines) + "\n"),
            new_output("execute_result", data={"text/plain": repr(float(result.score))}, execution_count=1)]
