"""The grading pipeline's own steps, run on each student's notebook by a worker (autograder.worker).

SafeExecute (nbgrader's Execute) runs the notebook and survives a dead or hung kernel; WriteCases gives the clean
check process the cases to run; Judge (in the worker's own process, after both) scores every test cell from the
recorded outputs and replaces the cell's outputs with the score and one line per failed case, so nothing the
kernel printed decides a grade. Each reads what it needs from resources["grading"]: the lab, the cases drawn for
this student, the folders.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer

from autograder.judge import judge_check
from autograder.results import CheckResult
from labkit.grading import CASES_FILE, GRADING_DIR, dumps_strict, encode


class WriteCases(NbGraderPreprocessor):
    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        grading = resources["grading"]
        lab, workdir = grading["lab"], Path(grading["workdir"]) / GRADING_DIR
        if workdir.is_symlink() or workdir.is_file():
            workdir.unlink()
        elif workdir.exists():
            shutil.rmtree(workdir)
        workdir.mkdir()
        cases = {cid: encode(grading["cases"][cid]) for cid in lab.checks}
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

    ran_a_cell = False  # the kernel started and took a cell: a failure before that is the grading machine's

    def preprocess_cell(self, cell, resources, index):
        self.ran_a_cell = True
        return super().preprocess_cell(cell, resources, index)

    def preprocess(self, nb: NotebookNode, resources: dict, km=None) -> tuple[NotebookNode, dict]:
        self._output_bytes, self._output_truncated = 0, False
        self.shutdown_kernel = "immediate"  # nothing of the kernel is needed once its notebook has run
        try:
            return super().preprocess(nb, resources, km)
        except Exception as exc:  # DeadKernelError, CellTimeoutError after a failed interrupt, kernel start failures
            resources["grading"]["notes"].append(
                f"the notebook stopped running: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                .strip())
            return nb, resources
        finally:
            if km is not None and self.km is not None:
                # nbclient leaves a kernel manager it was given running: end the kernel and the client's threads.
                self._cleanup_kernel()


class Judge(NbGraderPreprocessor):
    """Scores every check from the records the kernel wrote; puts the results in resources["grading"]["checks"]."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        grading = resources["grading"]
        lab = grading["lab"]
        records = Path(grading["records"])
        results = {cid: judge_check(lab, cid, records / f"{cid}.json", "", grading.get("module_source"),
                                    grading.get("feedback", "inputs"), cases=grading["cases"][cid])
                   for cid in lab.checks}
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
                continue
            result = results.get(meta.get("grade_id"))
            if result is None:  # an autograded cell that is not one of the lab's checks
                result = CheckResult(str(meta.get("grade_id")), 0.0, float(meta.get("points", 0)), 0, 0,
                                     ["this test cell is not part of the lab"])
            cell.outputs = _score_outputs(result)
        grading["checks"] = list(results.values())
        return nb, resources


def _score_outputs(result: CheckResult) -> list[NotebookNode]:
    lines = [f"{result.check}: {result.passed}/{result.total} cases passed, {result.score:g}/{result.max_score:g} "
             "points"] + [f"  - {m}" for m in result.messages]
    return [new_output("stream", name="stdout", text="\n".join(lines) + "\n"),
            new_output("execute_result", data={"text/plain": repr(float(result.score))}, execution_count=1)]
