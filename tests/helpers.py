"""What several test modules share: grading modules through the same record -> file -> judge path the clean check
process and the grader use; the labs' catalogues of mistakes and honest variants; finding the processes grading left
running."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import subprocess
from pathlib import Path

import pytest

from autograder.judge import judge_check
from autograder.labs import Lab, all_labs
from autograder.results import CheckResult
from autograder.sample_class import replace_function
from autograder.sandbox import SANDBOX_UID
from labkit.codec import dumps_strict, encode
from labkit.grading import CASES_FILE, GRADING_DIR
from labkit.recording import record_folders_command

SAMPLE_SECRET = "sample-class"  # fixed, so that the hidden cases and the partial scores are the same every run


def grade_modules(lab: Lab, modules: dict[str, str], workdir: Path,
                  seed_text: str = "test:student") -> dict[str, dict[str, CheckResult]]:
    """Variant name -> check id -> result, for each module text in `modules`."""
    dirs = {}
    for i, (variant, text) in enumerate(modules.items()):
        d = workdir / f"v{i}" / lab.name  # the kernel imports the module named after its folder
        (d / GRADING_DIR).mkdir(parents=True)
        (d / lab.module_file.name).write_text(text)
        (d / "checks.py").write_text((lab.source_dir / "checks.py").read_text())
        cases = {cid: encode(lab.cases(cid, seed_text)) for cid in lab.checks}
        (d / GRADING_DIR / CASES_FILE).write_text(dumps_strict(cases))
        dirs[variant] = d
    # One recording process per core, each taking every n-th variant.
    folders = [str(d) for d in dirs.values()]
    n = max(1, min(os.cpu_count() or 1, len(folders)))
    procs = [subprocess.Popen(record_folders_command(lab.name, folders[i::n]),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for i in range(n)]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"recording failed:\n{err.decode()[-3000:]}")
    return {variant: {cid: judge_check(lab, cid, lab.cases(cid, seed_text), d / GRADING_DIR / "records" / f"{cid}.json",
                                       modules[variant])
                      for cid in lab.checks} for variant, d in dirs.items()}


def total(results: dict[str, CheckResult]) -> float:
    return round(sum(r.score for r in results.values()), 4)


def markdown_cells(lab: Lab) -> list[str]:
    """The markdown cells of a lab's notebook source, comment marks removed, model answers (solution regions)
    dropped: what a student reads."""
    cells = []
    for cell in re.split(r"(?m)^(?=# %%)", lab.notebook_source.read_text(encoding="utf-8")):
        if cell.startswith("# %% [markdown]"):
            text = "\n".join(line[2:] for line in cell.splitlines()[1:])
            cells.append(re.sub(r"### BEGIN SOLUTION.*?### END SOLUTION", "", text, flags=re.S).strip())
    return cells


def assert_notebook_bilingual(lab: Lab) -> None:
    """Every heading is "English / Français"; every cell with text besides its heading has its **FR —** part."""
    for cell in markdown_cells(lab):
        headings = re.findall(r"(?m)^#{1,4} .+$", cell)
        assert all(" / " in h for h in headings), headings
        if re.sub(r"(?m)^#{1,4} .+$", "", cell).strip():
            assert "**FR —**" in cell, cell[:200]


# --- the labs' catalogues of mistakes and honest variants ---------------------------------------------------

LABS = {lab.name: lab for lab in all_labs()}


def on_one_worker(lab_name: str, *values: str):
    """A test case of `lab_name`, run by the pytest-xdist worker that grades that lab's catalogue (once)."""
    return pytest.param(lab_name, *values, marks=pytest.mark.xdist_group(f"mutants-{lab_name}"))


def _honest(lab) -> dict[str, dict[str, str]]:
    """The lab's honest-variant catalogue: name -> {function or Class.method: replacement source}."""
    path = Path(lab.source_dir) / "honest.py"
    if not path.exists():
        return {}  # test_every_lab_has_an_honest_catalogue says which lab lacks one
    spec = importlib.util.spec_from_file_location(f"_honest_{lab.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.HONEST


HONEST = {name: _honest(lab) for name, lab in LABS.items()}
HONEST_PREFIX = "honest: "  # graded beside the mutants under this prefix, so that no name collides

LAB_NAMES = [on_one_worker(name) for name in sorted(LABS)]
CASES = [on_one_worker(lab.name, name) for lab in LABS.values() for name in sorted(lab.mutants.MUTANTS)]
HONEST_CASES = [on_one_worker(name, variant) for name in sorted(LABS) for variant in sorted(HONEST[name])]


def apply_replacements(reference: str, replacements: dict[str, str]) -> str:
    source = reference
    for function, replacement in replacements.items():
        source = replace_function(source, function, replacement)
    return source


# --- processes grading left behind ----------------------------------------------------------------------------

def sandbox_processes(uid: int = SANDBOX_UID) -> list[int]:
    """Processes running as the uid grading kernels run as that no grader holds any more: a kernel's processes live
    in namespaces under their worker's factory, so one that escaped them outlives its parents and is re-parented to
    init. (Processes of other batches running at the same time still have their factory as an ancestor.)"""
    out = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if int(fields["Uid"].split()[1]) == uid and int(fields["PPid"]) in (0, 1):
                out.append(int(pid))
    return out


def cmdlines(pids: set[int]) -> dict[int, str]:
    out = {}
    for pid in pids:
        try:
            out[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
        except OSError:
            out[pid] = "(gone)"
    return out


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
        calls = sorted((n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Call)),
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
        for node in ast.walk(ast.parse(code)):  # a dict key with a space in it names a row, a curve or a run
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
