"""labkit's training helpers, on a tiny model."""

import lightning as L
import torch
from torch.utils.data import DataLoader, TensorDataset

from labkit import training


class _EpochEcho(L.LightningModule):
    """Logs its own epoch number as validation metrics, from a step and from the epoch-end hook (where torchmetrics'
    compute() usually runs), so a history can be checked against it."""

    def __init__(self) -> None:
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))

    def training_step(self, batch, _):
        return (self.w * batch[0]).sum()

    def validation_step(self, batch, _):
        self.log("val/epoch", float(self.current_epoch), on_epoch=True)

    def on_validation_epoch_end(self):
        self.log("val/epoch_end", float(self.current_epoch))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


def test_metric_history_holds_each_epochs_own_validation_metrics(tmp_path):
    data = DataLoader(TensorDataset(torch.ones(4, 1)), batch_size=2)
    history = training.MetricHistory()
    trainer = training.make_trainer("test", max_epochs=3, callbacks=[history], logger=False,
                                    default_root_dir=str(tmp_path), enable_progress_bar=False,
                                    enable_model_summary=False)
    trainer.fit(_EpochEcho(), data, data)
    assert history.series("val/epoch") == [0.0, 1.0, 2.0]
    assert history.series("val/epoch_end") == [0.0, 1.0, 2.0]


# --- every message a student can read, in the student's language ---------------------------------------------------

# Modules of labkit whose messages a student reads (labkit ships in the student release).
STUDENT_FACING = ("cli", "codec", "compare", "data", "evidence", "grading", "plotting", "recording", "rules", "student",
                  "submission", "train", "training")
# Phrases in those modules that are not messages: markers, program names, arguments of other libraries.
NOT_MESSAGES = {
    "cli": {"YOUR ANSWER HERE", "python -m labkit"},
    "train": {"python -m labkit.train"},
    "training": {"`isinstance\\(treespec, LeafSpec\\)` is deprecated"},
    "plotting": {"upper right"},
    "recording": {"import json, sys; from labkit.recording import record_folders; "
                  "record_folders(sys.argv[1], json.loads(sys.argv[2]))"},
}


def _phrases_outside_tr(source: str) -> list[tuple[int, str]]:
    """String literals of two words or more that are not docstrings and not inside a tr(english, french) call."""
    import ast
    import re

    tree = ast.parse(source)
    parent = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    docstrings = {node.body[0].value for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    # A pair assigned to a name that is then spread into tr(*NAME) is a message in both languages too.
    pairs = {arg.value.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
             and node.func.id == "tr" for arg in node.args
             if isinstance(arg, ast.Starred) and isinstance(arg.value, ast.Name)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node not in docstrings:
            if isinstance(parent.get(node), ast.JoinedStr):
                continue
            text = node.value
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        else:
            continue
        if len(re.findall(r"[A-Za-z]{2,}", text)) < 2 or " " not in text.strip():
            continue
        up, inside = parent.get(node), False
        while up is not None and not inside:
            inside = ((isinstance(up, ast.Call) and isinstance(up.func, ast.Name) and up.func.id == "tr")
                      or (isinstance(up, ast.Assign) and any(getattr(t, "id", None) in pairs for t in up.targets)))
            up = parent.get(up)
        if not inside:
            found.append((node.lineno, text))
    return found


def test_every_labkit_message_a_student_reads_goes_through_tr():
    """A message of labkit (an error, a warning, a printed line, a method rule's text and what it found) is written
    in both languages through labkit.i18n.tr, which shows the student's."""
    from pathlib import Path

    import labkit

    folder = Path(labkit.__file__).parent
    untranslated = [f"labkit/{name}.py:{line}: {text!r}" for name in STUDENT_FACING
                    for line, text in _phrases_outside_tr((folder / f"{name}.py").read_text())
                    if text not in NOT_MESSAGES.get(name, set())]
    assert not untranslated, "\n".join(untranslated)


def test_the_message_check_sees_an_english_only_message():
    found = _phrases_outside_tr('def f(x):\n    """A docstring."""\n    raise ValueError(f"x is wrong: {x}")\n'
                                'def g():\n    return tr("all good here", "tout va bien")\n')
    assert found == [(3, "x is wrong: {}")]


def test_method_rules_speak_french_to_a_french_student(monkeypatch):
    """What a broken method rule says, its default texts included, is in the student's language."""
    import re

    from labkit.rules import Rule, broken_rules, no_autograd, no_library, no_loops

    english = re.compile(r"\b(uses|used|line|which|called|does not|imports|loop|passes|inherits|hides|is not "
                         r"defined|must be|asked|closed form|while the checks ran|module does not parse)\b")
    monkeypatch.setenv("LABKIT_LANG", "fr")
    rules = (no_library("Adam", "torch.optim.Adam"), no_autograd("grad_w"), no_loops("power"),
             Rule("power", "règle", requires=("torch.linalg.matrix_power",)), Rule("missing", "règle"),
             Rule("helper_user", "règle", names=("torch.optim",)))
    source = ("import torch\nfrom torch.optim import *\n"
              "class Adam(torch.optim.Adam):\n    pass\n"
              "def grad_w(w):\n    return w.grad\n"
              "def power(W, k):\n    for _ in range(k):\n        W = W @ W\n    return W\n"
              "def helper():\n    return getattr(torch.optim, 'Ad' + 'am')\n"
              "def helper_user():\n    return helper()\n")
    messages = broken_rules(source, rules)
    messages += broken_rules("def (:", rules[:1])
    assert len(messages) == len(rules) + 1
    for message in messages:
        assert not english.search(message), message
    assert any("ligne" in m for m in messages) and any("n'utilise pas" in m for m in messages)
    for rule in rules[:3]:
        assert not english.search(rule.text), rule.text
