"""The bundled sample class: submissions built from a lab's release and reference, for the demo and the tests.

Every lab gets the same kinds of student: `perfect` (the reference module, written answers filled in), `stub` (the
release untouched), `broken` (a notebook that is not valid JSON), `cheater` (lying return values plus in-kernel
patches of comparison functions, IPython hooks and the visible checks) and `partial`: the reference with the wrong
implementations that the lab's mutant catalogue (solutions/<lab>/mutants.py) names in SAMPLE_PARTIAL.
"""

from __future__ import annotations

import ast
import copy
import json
import shutil
import textwrap
from pathlib import Path

import nbformat

from autograder.labs import REPO_ROOT, Lab
from autograder.notebooks import strip_solutions

CHEATING_CELL = '''
# Everything here runs in the grading kernel: none of it should earn a point.
import builtins, numpy, torch, labkit.compare, labkit.student
torch.allclose = lambda *a, **k: True
torch.equal = lambda *a, **k: True
torch.testing.assert_close = lambda *a, **k: None
numpy.allclose = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None
builtins.all = lambda *a, **k: True
labkit.compare.compare = lambda *a, **k: None
labkit.student.check = lambda *a, **k: print("all public cases pass")

import ast
class _DropAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
get_ipython().ast_transformers.append(_DropAsserts())
get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)
'''

LYING_MODULE_HEADER = '''
class _AlwaysEqual(int):
    """Claims to equal anything."""
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __hash__(self): return 0
    def __index__(self): return 0
    def __iter__(self): return iter([])
    def __len__(self): return 0
'''


def replace_function(source: str, name: str, replacement: str) -> str:
    """Replace the top-level function, class or method `name` ("f", "Class" or "Class.f") in a module's source."""
    tree = ast.parse(source)
    owner, _, func = name.rpartition(".")
    scope = tree.body
    if owner:
        scope = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == owner).body
    node = next((n for n in scope if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == func), None)
    if node is None:
        raise KeyError(f"no function or class {name} in the module")
    lines = source.splitlines(keepends=True)
    start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
    indent = lines[node.lineno - 1][: len(lines[node.lineno - 1]) - len(lines[node.lineno - 1].lstrip())]
    body = textwrap.indent(textwrap.dedent(replacement).strip("\n") + "\n", indent)
    return "".join(lines[:start]) + body + "".join(lines[node.end_lineno:])


def reference_source(lab: Lab) -> str:
    """The reference module as a student who solved everything would submit it (markers removed)."""
    return "".join(line for line in lab.module_file.read_text().splitlines(keepends=True)
                   if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))


def answer_everything(notebook: dict, text: str = "My answer, with the steps of the derivation.") -> dict:
    nb = copy.deepcopy(notebook)
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and cell["cell_type"] == "markdown":
            cell["source"] = text
    return nb


def add_cell(notebook: dict, code: str, position: int = 2) -> dict:
    nb = copy.deepcopy(notebook)
    cell = nbformat.v4.new_code_cell(code.strip())
    cell["id"] = f"student-{len(nb['cells'])}"
    nb["cells"].insert(position, json.loads(json.dumps(cell)))
    return nb


def sample_students(lab: Lab) -> dict[str, dict[str, str]]:
    """Student id -> {file name: text}."""
    release_nb = json.loads((lab.root / "labs" / lab.name / lab.notebook_name).read_text())
    stub = strip_solutions(lab.module_file.read_text(), str(lab.module_file))
    reference = reference_source(lab)
    nb_name, mod_name = lab.notebook_name, lab.module_file.name

    def dump(nb: dict) -> str:
        return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"

    catalogue = lab.mutants
    partial = reference
    for mutant in catalogue.SAMPLE_PARTIAL:
        for name, replacement in catalogue.MUTANTS[mutant].items():
            partial = replace_function(partial, name, replacement)
    first_def = stub.index("\ndef ")  # after the imports: `from __future__` must stay first
    lying = stub[:first_def] + LYING_MODULE_HEADER + stub[first_def:].replace("raise NotImplementedError(",
                                                                              "return _AlwaysEqual(0) or (")
    return {
        "perfect": {nb_name: dump(answer_everything(release_nb)), mod_name: reference},
        "stub": {nb_name: dump(release_nb), mod_name: stub},
        "partial": {nb_name: dump(release_nb), mod_name: partial},
        "broken": {nb_name: dump(release_nb)[: len(dump(release_nb)) // 2], mod_name: reference},
        "cheater": {nb_name: dump(add_cell(release_nb, CHEATING_CELL)), mod_name: lying},
    }



def build_sample_class(lab: Lab, dest: Path, root: Path = REPO_ROOT) -> Path:
    """Write one folder per sample student into `dest` (emptied first)."""
    if dest.exists():
        shutil.rmtree(dest)
    for student, files in sample_students(lab).items():
        folder = dest / student
        folder.mkdir(parents=True)
        for name, text in files.items():
            (folder / name).write_text(text)
    return dest
