"""Every lab's student notebook runs top to bottom with the reference module on CPU in a real Jupyter kernel, wandb
offline included, and every cell that draws shows its figure as an image."""

import ast
import re
import shutil
import time

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.labs import REPO_ROOT, Lab, all_labs
from autograder.sample_class import reference_source

# Words a French and an English reader read alike: math operators and symbols, units, names of methods and tools.
NEUTRAL_WORDS = {
    "max", "min", "log", "exp", "det", "sum", "std", "corr", "lr", "rho", "alpha", "sigma", "tau", "theta", "phi",
    "psi", "lambda", "mu", "eta", "nats", "ms", "autograd", "ridge", "dropout", "concrete", "gibbs", "adam",
    "adagrad", "rmsprop", "reinforce", "straight", "through", "modes", "total", "variance", "contraction",
    "approximation", "angle", "angles", "test", "none", "true", "false", "requires", "grad", "pac", "relu",
    "sigmoid", "vs", "padding",
    "full", "valid", "same",  # the exam's names of the paddings, in both of its languages
    "sgd", "cae", "iaf",  # acronyms, as code spells them
}


def untranslated_words(text: str) -> list[str]:
    """The words of `text` that a reader of only one of the two languages may not read, line by line: none in a line
    that is "English / Français" (it holds " / ") or in a text that is the French line of a pair ("FR ..."); elsewhere
    every word that is not code (a token with a digit, an underscore, a dot, a slash, a bracket, a brace, "=", "^",
    "*" or an inner capital, or in capitals), a single letter, or in NEUTRAL_WORDS."""
    if text.strip().startswith("FR"):
        return []
    words = []
    for line in text.splitlines():
        if " / " in line:
            continue
        for token in line.split():
            if re.search(r"[\d_./\\{}\[\]=^*]|[a-z][A-Z]", token) or re.fullmatch(r"\W*[A-Z]{2,}\W*", token):
                continue
            words += [w for w in re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)?", token)
                      if len(w) > 1 and not w.isupper() and w.lower() not in NEUTRAL_WORDS]
    return words


def _shown_strings(node: ast.AST) -> list[str]:
    """The texts an expression shows when printed: a literal; an f-string's literal parts joined, with "{}" for
    each computed field (a field that is itself a literal, a table's header cell, is a text of its own); through
    concatenation, conditionals, dict keys and values, containers and str.join; not the arguments of other calls
    nor subscripts (what those compute is data)."""
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) else []
    if isinstance(node, ast.JoinedStr):
        joined, inner = "", []
        for value in node.values:
            if isinstance(value, ast.Constant):
                joined += str(value.value)
            elif isinstance(value, ast.FormattedValue) and isinstance(value.value, (ast.Constant, ast.JoinedStr)):
                inner += _shown_strings(value.value)
                joined += "{}"
            else:
                inner += _shown_strings(value.value) if isinstance(value, ast.FormattedValue) else []
                joined += "{}"
        return [joined, *inner]
    if isinstance(node, ast.BinOp):
        return _shown_strings(node.left) + _shown_strings(node.right)
    if isinstance(node, ast.IfExp):
        return _shown_strings(node.body) + _shown_strings(node.orelse)
    if isinstance(node, ast.Dict):
        return [p for n in [*node.keys, *node.values] if n is not None for p in _shown_strings(n)]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [p for n in node.elts for p in _shown_strings(n)]
    if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
        return _shown_strings(node.elt)
    if isinstance(node, ast.DictComp):
        return _shown_strings(node.key) + _shown_strings(node.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join":
        return [p for a in node.args for p in _shown_strings(a)]
    return []


def _inlined(node: ast.AST) -> str:
    """A printed argument's literal text with its literal fields in place (a table's header line as shown)."""
    if isinstance(node, ast.Constant):
        return str(node.value)
    if isinstance(node, ast.JoinedStr):
        return "".join(_inlined(v.value) if isinstance(v, ast.FormattedValue) else str(v.value) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _inlined(node.left) + _inlined(node.right)
    return "{}"


LABEL_KEYWORDS = {"xlabel", "ylabel", "title", "label", "suptitle"}
LABEL_METHODS = {"set_xlabel", "set_ylabel", "set_title", "suptitle", "text"}
PLOTTING_LABELS = {"line_plot": 3, "scatter_2d": 1, "heatmap": 1}  # how many label arguments follow the data


def printed_texts(lab: Lab) -> list[tuple[str, list[str]]]:
    """What each code cell of the lab's notebook prints or writes on a plot, literal by literal, and the names it
    gives rows, curves and runs (dict keys with a space): (where, the words a reader of one language may not read).
    A print whose next print in the same cell starts with "FR" is the English line of a pair."""
    found = []
    source = lab.notebook_source.read_text(encoding="utf-8")
    for number, cell in enumerate(re.split(r"(?m)^(?=# %%)", source)):
        if not cell.startswith("# %%") or cell.startswith("# %% [markdown]"):
            continue
        code = re.sub(r"(?m)^\s*[%!].*$", "", "\n".join(cell.splitlines()[1:]))
        tree = ast.parse(code)
        calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call)),
                       key=lambda n: (n.lineno, n.col_offset))
        shown = []
        for call in calls:
            name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
            if name == "print":
                french = "".join(_inlined(a) for a in call.args[:1]).strip().startswith("FR")
                shown.append(("print", call.lineno, [p for a in call.args for p in _shown_strings(a)], french))
            texts = [p for k in call.keywords if k.arg in LABEL_KEYWORDS for p in _shown_strings(k.value)]
            if name in LABEL_METHODS:
                texts += [p for a in call.args[:1] for p in _shown_strings(a)]
            if name in PLOTTING_LABELS:  # labkit.plotting: the series' names are the legend, then the labels
                series, *labels = call.args[:PLOTTING_LABELS[name] + 1]
                keys = series.keys if isinstance(series, ast.Dict) else [getattr(series, "key", None)]
                texts += [p for k in keys if k is not None for p in _shown_strings(k)]
                texts += [p for a in labels for p in _shown_strings(a)]
            if texts:
                shown.append(("label", call.lineno, texts, False))
        for node in ast.walk(tree):  # a dict key with a space in it names a row, a curve or a run
            keys = node.keys if isinstance(node, ast.Dict) else [node.key] if isinstance(node, ast.DictComp) else []
            texts = [t for k in keys if k is not None for t in _shown_strings(k) if " " in t.strip()]
            if texts:
                shown.append(("name", node.lineno, texts, False))
        prints = [s for s in shown if s[0] == "print"]
        for kind, line, texts, french in shown:
            later = [p for p in prints if p[1] > line]
            paired = french or (kind == "print" and later and later[0][3])
            for text in texts:
                words = [] if paired else untranslated_words(text)
                found.append((f"{lab.name} cell {number} line {line}: {text!r}", words))
    return found


# Calls that put a figure on screen or create one that Jupyter's inline backend shows at the end of the cell.
DRAWING_CALLS = {("plt", "show"), ("plt", "subplots"), ("plt", "figure"), ("plotting", "line_plot"),
                 ("plotting", "heatmap"), ("plotting", "scatter_2d")}


GPU_ONLY_FIGURE = "# Its figure is drawn on the GPU profile only"


def _called(node: ast.AST) -> tuple[str, ...]:
    func = node.func if isinstance(node, ast.Call) else None
    if isinstance(func, ast.Name):
        return (func.id,)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return (func.value.id, func.attr)
    return ()


def _top_level_calls(tree: ast.AST) -> set[tuple[str, ...]]:
    """The calls a cell makes when it runs, not those inside the bodies of the functions it defines."""
    calls, stack = set(), [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
                continue
            if isinstance(child, ast.Call):
                calls.add(_called(child))
            stack.append(child)
    return calls


def drawing_cells(sources: list[str]) -> list[int]:
    """Indices of the code cells that draw: they call a drawing function, or a function of the notebook whose body
    draws (Lab 5's comparison, Lab 6's show), directly or through another such function."""
    trees = [ast.parse(re.sub(r"^[%!].*$", "", s, flags=re.M)) for s in sources]
    bodies = {f.name: {_called(c) for c in ast.walk(f) if isinstance(c, ast.Call)}
              for t in trees for f in ast.walk(t) if isinstance(f, ast.FunctionDef)}
    drawing = set(DRAWING_CALLS)
    while True:
        more = {(name,) for name, calls in bodies.items() if (name,) not in drawing and calls & drawing}
        if not more:
            break
        drawing |= more
    return [i for i, t in enumerate(trees) if _top_level_calls(t) & drawing]


def test_drawing_cells_are_found_through_the_notebooks_own_functions():
    cells = ["import matplotlib.pyplot as plt\ndef show():\n    plt.show()",
             "def compare(x):\n    fig, ax = plt.subplots()\n    return fig",
             "print(1)\nfor i in range(2):\n    if i:\n        compare(i)",
             "fig = plotting.line_plot({'a': [1]}, 'x', 'y')",
             "show()",
             "x = [plt.show for _ in range(2)]"]
    assert drawing_cells(cells) == [2, 3, 4]


def _images(cell) -> int:
    return sum("image/png" in o.get("data", {}) for o in cell.get("outputs", []))


def test_a_figure_from_labkit_plotting_displays_in_a_jupyter_kernel(tmp_path):
    """labkit.plotting leaves the backend to Jupyter: a plot shows as an image/png output, not as text."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nfrom labkit import plotting\n"
                                          "fig = plotting.line_plot({'a': [1.0, 2.0]}, 'x', 'y')\nplt.show()"),
                nbformat.v4.new_code_cell("print(plt.get_backend())")]
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert _images(nb.cells[0]) == 1, nb.cells[0].outputs
    assert "inline" in nb.cells[1].outputs[0]["text"]


@pytest.mark.parametrize("lab", all_labs(), ids=lambda lab: lab.name)
def test_printed_labels_and_plot_axes_are_in_both_languages_or_neutral(lab):
    """What a notebook prints (table headers, row names, labels before numbers) and writes on its plots (axes, titles,
    legends) is "English / Français", a pair of lines whose second starts with "FR", or language-neutral (symbols,
    code names, numbers)."""
    untranslated = [f"{where}: {words}" for where, words in printed_texts(lab) if words]
    assert not untranslated, "\n".join(untranslated)


def test_the_bilingual_check_catches_an_english_only_header():
    assert untranslated_words("estimator  bias  variance") == ["estimator", "bias"]
    assert untranslated_words("estimator / estimateur") == []
    assert untranslated_words("max |J_t| = {}, val/acc, rho=0.9, KL(q || p)") == []
    assert untranslated_words("FR : estimateur biais") == []


def _printed_lines(code_cells) -> list[str]:
    """The lines the notebook's own prints wrote: the stdout of every code cell that runs no public check."""
    lines = []
    for cell in code_cells:
        if "labkit" in cell.source and "check(" in cell.source:
            continue  # labkit's messages are in the student's language (test_labkit covers them)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                lines += output.get("text", "").splitlines()
    return lines


def untranslated_lines(lines: list[str]) -> list[str]:
    """Printed lines, as run, that are in one language only: a line is fine when it holds " / ", is the French line
    of a pair or is followed by one, or has only neutral words (untranslated_words)."""
    bad = []
    for i, line in enumerate(lines):
        paired = i + 1 < len(lines) and lines[i + 1].strip().startswith("FR")
        if not paired and untranslated_words(line):
            bad.append(line)
    return bad


@pytest.mark.slow
@pytest.mark.parametrize("lab", all_labs(), ids=lambda lab: lab.name)
def test_notebook_runs_with_the_reference(lab, tmp_path, monkeypatch):
    work = tmp_path / lab.name
    shutil.copytree(REPO_ROOT / "labs" / lab.name, work)
    (work / lab.module_file.name).write_text(reference_source(lab))
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_DIR", str(work))
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = nbformat.read(work / lab.notebook_name, as_version=4)
    # Each lab's lab.toml says what its CPU profile must show: the measurements that make the lab's point, each a
    # metric the notebook prints as {'name': value} with a bound its last printed value must meet.
    budget, shows = lab.manifest.cpu_budget_s, lab.manifest.shows
    start = time.monotonic()
    # The budget bounds a cell as a guard against a hang; how long the notebook takes is printed, not asserted.
    NotebookClient(nb, timeout=budget, kernel_name="python3", resources={"metadata": {"path": str(work)}},
                   allow_errors=False).execute()
    elapsed = time.monotonic() - start
    code = [c for c in nb.cells if c.cell_type == "code"]
    outputs = "".join(o.get("text", "") for c in code for o in c.get("outputs", []))
    assert "profile / profil: cpu" in outputs
    assert "public cases pass" in outputs and "failed" not in outputs
    assert list((work / "wandb").glob("offline-run-*")), "the training run is tracked by wandb (offline)"
    measured = {}
    for show in shows:
        metric = show["metric"]
        values = [float(v) for v in re.findall(rf"'{re.escape(metric)}': (-?[0-9.]+(?:e[-+]?[0-9]+)?)", outputs)]
        assert values, f"the notebook does not print {metric}"
        measured[metric] = values[-1]
        if "above" in show:
            assert values[-1] > show["above"], f"{metric} = {values[-1]}, not above {show['above']}: {show['why']}"
        if "below" in show:
            assert values[-1] < show["below"], f"{metric} = {values[-1]}, not below {show['below']}: {show['why']}"
    # Every cell that draws shows its figure in Jupyter (an image/png output in that cell).
    # A cell that draws only where it trains (Lab 7's Table 1, trained on a GPU) says so with GPU_ONLY_FIGURE.
    drawing = [i for i in drawing_cells([c.source for c in code]) if GPU_ONLY_FIGURE not in code[i].source]
    assert drawing, "the notebook draws nothing"
    blind = [code[i].source.splitlines()[0] for i in drawing if not _images(code[i])]
    assert not blind, f"cells that draw but show no image: {blind}"
    # What it printed, names of rows and runs included, reads in both languages (or in none).
    untranslated = untranslated_lines(_printed_lines(code))
    assert not untranslated, "printed in one language only:\n" + "\n".join(untranslated[:20])
    print(f"{lab.name}: notebook ran in {elapsed:.0f} s; {measured}; {len(drawing)} cells drew")
