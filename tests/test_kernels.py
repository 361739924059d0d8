"""The warm grading kernels behave as a student's own Jupyter does, and their factory tells the worker the moment a
kernel or check process has ended.

- `%autoreload 2` in a grading kernel still follows the student's own module when it changes, while the modules of
  the Python environment (which the sandbox makes read-only) are left out of its looks.
- The factory's `wait` answers with a process's exit status once it has ended, and with None while it still runs
  after the time asked.
"""

import json
import os
import time

import nbformat
import pytest

from autograder.sandbox import require_sandbox, zygote
from autograder.settings import GradingSettings
from autograder.worker import Job, close_factory, grade_job

pytestmark = pytest.mark.slow

AUTORELOAD_CELLS = [
    "%load_ext autoreload\n%autoreload 2",
    "import lab01_cnn\nbefore = lab01_cnn.VALUE",
    # A later mtime than the first version's, whatever the file system's time resolution.
    "import os, pathlib\npathlib.Path('lab01_cnn.py').write_text('VALUE = 2\\n')\n"
    "os.utime('lab01_cnn.py', (os.path.getmtime('lab01_cnn.py') + 5,) * 2)",
    "import json\n"
    "reloader = get_ipython().magics_manager.registry['AutoreloadMagics']._reloader\n"
    "print(json.dumps({'before': before, 'after': lab01_cnn.VALUE, 'torch_skipped': 'torch' in reloader.skip_modules,"
    " 'module_skipped': 'lab01_cnn' in reloader.skip_modules}))",
]


def test_autoreload_follows_the_students_module_and_skips_the_environment(lab01):
    require_sandbox()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in AUTORELOAD_CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    context = GradingSettings(secret="kernels").context(lab01, "autoreload", "seed", diagnose=False)
    try:
        result = grade_job(Job(context, nbformat.writes(nb), b"VALUE = 1\n", None))
    finally:
        close_factory()
    ran = nbformat.reads(result.notebook, as_version=4)
    printed = "".join(o.get("text", "") for o in ran.cells[-1].outputs if o.output_type == "stream")
    assert json.loads(printed) == {"before": 1, "after": 2, "torch_skipped": True, "module_skipped": False}


def test_the_factory_answers_a_wait_when_the_process_ends():
    factory = zygote.Factory()
    pid = os.fork()
    if pid == 0:
        time.sleep(0.5)
        os._exit(7)
    assert factory.wait(pid, 0) is None  # still running: a look, no wait
    assert factory.wait(pid, 0.01) is None  # still running after the time asked
    assert factory.wait(pid, 60) == 7  # ended during the wait
    assert factory.wait(pid, 60) == 7  # and remembered, once reaped
