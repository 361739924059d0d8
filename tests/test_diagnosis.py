"""Diagnosis from the mutant catalogues (autograder.diagnosis) and the class report (autograder.report).

Each lab's catalogue, graded as a class by the `graded` fixture of tests/test_checks.py (the judge diagnoses every
failed check there): every mutant is diagnosed as itself or its group on each check it fails, the reference and the
honest variants get no diagnosis, and the report built from those results counts each mutant. A wrong
implementation that is in no catalogue is "not in the catalogue", never a wrong name.
"""

from __future__ import annotations

import csv
import json
import re
import types
from html.parser import HTMLParser

import pytest
import torch
from helpers import HONEST_PREFIX, LAB_NAMES, LABS

from autograder import diagnosis
from autograder.diagnosis import AMBIGUOUS, MISTAKE, UNKNOWN
from autograder.judge import judge_check
from autograder.report import build, render, summarize, undiagnosed_text
from autograder.results import Outcome
from labkit.codec import decode, dumps_strict, encode
from labkit.evidence import Observer
from labkit.grading import run_case
from labkit.recording import rule_evidence

FIELDS = {"en", "fr", "hint_en", "hint_fr"}


@pytest.mark.parametrize("lab_name", sorted(LABS))
def test_every_mutant_has_a_complete_mistake_description(lab_name):
    """MISTAKES beside MUTANTS: what is wrong and a question that leads there, in English and French."""
    mutants = LABS[lab_name].mutants
    mistakes = getattr(mutants, "MISTAKES", {})
    assert set(mistakes) == set(mutants.MUTANTS), {
        "not described": sorted(set(mutants.MUTANTS) - set(mistakes)),
        "described but not in MUTANTS": sorted(set(mistakes) - set(mutants.MUTANTS))}
    for name, entry in mistakes.items():
        assert set(entry) == FIELDS, (name, sorted(entry))
        assert all(isinstance(entry[k], str) and entry[k].strip() for k in FIELDS), name
        assert entry["hint_en"].rstrip().endswith("?"), (name, "a hint is a question")
        assert entry["hint_fr"].rstrip().endswith("?"), (name, "a hint is a question")
        assert entry["en"] != entry["fr"] and entry["hint_en"] != entry["hint_fr"], (name, "French is not English")


def _reproducible(lab, check_id: str, mutant: str) -> bool:
    """The mistake's outputs on the check's public cases are the same run after run (a mistake that draws its own
    random numbers cannot be recognised outside the student's process)."""
    module = diagnosis._mutant(lab, mutant)
    check = lab.checks[check_id]
    for case in check.public:
        with diagnosis._as_lab_module(lab, module):
            a, b = (run_case(check, module, decode(encode(case))) for _ in range(2))
        if not diagnosis._same(a, b, check):
            return False
    return True


@pytest.mark.parametrize("lab_name", LAB_NAMES)
def test_every_mutant_is_diagnosed_as_itself_or_its_group(graded, lab_name):
    lab = LABS[lab_name]
    results = graded(lab_name)
    wrong = []
    for variant, checks in results.items():
        if variant == "reference" or variant.startswith(HONEST_PREFIX):
            assert all(r.diagnosis is None for r in checks.values()), (variant, "full marks: nothing to diagnose")
            continue
        if variant == "stub":
            assert all(r.diagnosis["kind"] == UNKNOWN for r in checks.values())
            continue
        for check_id, r in checks.items():
            if r.score == r.max_score:
                assert r.diagnosis is None
                continue
            named = [n for g in r.diagnosis["mistakes"] for n in g]
            if r.diagnosis["kind"] == MISTAKE and variant in named:
                continue
            if r.diagnosis["kind"] == UNKNOWN and not _reproducible(lab, check_id, variant):
                continue  # its outputs are its own random draws: "not in the catalogue", never a wrong name
            wrong.append((variant, check_id, diagnosis.label(r.diagnosis)))
    assert not wrong, wrong


@pytest.mark.parametrize("lab_name", LAB_NAMES)
def test_report_counts_equal_the_catalogue(graded, lab_name):
    """The catalogue graded as a class: the report names each mutant on each check it lost points on, as often as it
    is diagnosed; honest variants and the reference are in no row."""
    lab = LABS[lab_name]
    results = graded(lab_name)
    full = float(sum(c.points for c in lab.checks.values()))
    outcomes = [Outcome(v, lab.name, list(checks.values()), score=sum(c.score for c in checks.values()),
                        max_score=full) for v, checks in results.items()]
    data = build(lab, outcomes)
    assert sum(b["count"] for b in data["scores"]["histogram"]) == len(results)
    diagnosed = {(v, c) for v, checks in results.items() for c, r in checks.items()
                 if r.diagnosis and r.diagnosis["kind"] in (MISTAKE, AMBIGUOUS)}
    in_rows = [(s, row["check"]) for row in data["mistakes"] for s in row["students"]]
    assert sorted(in_rows) == sorted(diagnosed)
    for row in data["mistakes"]:
        assert row["count"] == len(row["students"])
        if row["kind"] == MISTAKE:  # each catalogue student named in a row is one of that row's mistakes
            assert set(row["students"]) <= {n for g in row["mistakes"] for n in g} | {"stub"}, row
    assert not {s for row in data["mistakes"] + data["undiagnosed"] for s in row["students"]
                if s == "reference" or s.startswith(HONEST_PREFIX)}
    counts = [row["count"] for row in data["mistakes"]]
    assert counts == sorted(counts, reverse=True)
    for check in data["checks"]:
        failing = sum(r[check["check"]].score < r[check["check"]].max_score for r in results.values())
        assert check["full_marks"] == len(results) - failing
    assert "<svg" in render(data)


def _records(tmp_path, lab, check_id: str, module, seed: str):
    cases = lab.cases(check_id, seed)
    path = tmp_path / f"{check_id}.json"
    path.write_text(dumps_strict({"check": check_id, "results": [run_case(lab.checks[check_id], module, c)
                                                                 for c in cases]}))
    return path


def test_a_mistake_in_no_catalogue_is_not_named(tmp_path):
    """Off by a little on every case, or right where a catalogued mistake is wrong and wrong elsewhere: "not in the
    catalogue"."""
    lab = LABS["lab02_linear_rnn"]
    off = types.SimpleNamespace(jacobian_h_t_h0=lambda W, t: torch.linalg.matrix_power(W, t) + 1e-3)
    r = judge_check(lab, "jacobian_h_t_h0", lab.cases("jacobian_h_t_h0", "x"),
                    _records(tmp_path, lab, "jacobian_h_t_h0", off, "x"))
    assert r.score < r.max_score
    assert r.diagnosis["kind"] == UNKNOWN and r.diagnosis["mistakes"] == []
    assert len(r.diagnosis["signature"]) == r.total and set(r.diagnosis["signature"]) == {"jacobian: wrong values"}


def test_a_near_miss_of_a_catalogued_mistake_is_not_named(tmp_path):
    """A mistake that agrees with a catalogued one on some cases only (it multiplies by W^(t-1) only for t > 2) is
    never diagnosed as it."""
    lab = LABS["lab02_linear_rnn"]
    catalogue_name = "Jacobian W^(t-1)"  # matrix_power(W, max(t - 1, 0))
    assert catalogue_name in diagnosis.catalogue(lab)
    near = types.SimpleNamespace(jacobian_h_t_h0=lambda W, t: torch.linalg.matrix_power(W, t - 1 if t > 2 else t))
    cases = lab.cases("jacobian_h_t_h0", "near")
    assert any(c["t"] > 2 for c in cases) and any(c["t"] <= 2 for c in cases)
    r = judge_check(lab, "jacobian_h_t_h0", cases, _records(tmp_path, lab, "jacobian_h_t_h0", near, "near"))
    assert r.score < r.max_score
    assert catalogue_name not in [n for g in r.diagnosis["mistakes"] for n in g]


def test_a_task_not_attempted_runs_no_mistake(tmp_path, monkeypatch):
    """A check whose every failed case raises NotImplementedError (the stub's answer) is not a mistake to name: it
    is diagnosed "unknown" without building or running any catalogued mistake."""
    lab = LABS["lab02_linear_rnn"]
    stub = types.SimpleNamespace(jacobian_h_t_h0=lambda W, t: (_ for _ in ()).throw(NotImplementedError("Task 2.2")))
    built = []
    monkeypatch.setattr(diagnosis, "_mutant", lambda lab, name: built.append(name))
    cases = lab.cases("jacobian_h_t_h0", "stub")
    r = judge_check(lab, "jacobian_h_t_h0", cases, _records(tmp_path, lab, "jacobian_h_t_h0", stub, "stub"))
    assert r.score == 0 and r.diagnosis["kind"] == UNKNOWN and r.diagnosis["mistakes"] == []
    assert set(r.diagnosis["signature"]) == {"raises NotImplementedError"} and built == []


def test_hints_feedback_level(tmp_path, monkeypatch):
    """`hints` adds the diagnosed mistake's hint (a question) in the student's language; `inputs`, the default, does
    not; no level shows the mistake's name or description."""
    lab = LABS["lab01_cnn"]
    name = "receptive field misses the centre pixel"
    module = diagnosis._mutant(lab, name)
    path = _records(tmp_path, lab, "receptive_field", module, "hints")
    data = json.loads(path.read_text())
    # as the clean check process writes it
    data["evidence"] = rule_evidence(lab.checks["receptive_field"], module, Observer())
    path.write_text(json.dumps(data))
    source = diagnosis._mutant_source(lab, name)
    cases = lab.cases("receptive_field", "hints")
    entry = lab.mutants.MISTAKES[name]
    by_level = {level: judge_check(lab, "receptive_field", cases, path, source, feedback=level)
                for level in ("summary", "inputs", "hints", "full")}
    assert by_level["hints"].diagnosis, by_level["hints"]
    assert by_level["hints"].diagnosis["mistakes"] == [[name]]
    assert f"hint: {entry['hint_en']}" in by_level["hints"].messages
    assert not [m for m in by_level["inputs"].messages + by_level["summary"].messages if entry["hint_en"] in m]
    for r in by_level.values():
        assert not [m for m in r.messages if name in m or entry["en"] in m]
    monkeypatch.setenv("LABKIT_LANG", "fr")
    fr = judge_check(lab, "receptive_field", cases, path, source, feedback="hints")
    assert f"indice : {entry['hint_fr']}" in fr.messages


def test_failure_signature_summary():
    assert summarize(["ok", "wrong values", "ok", "wrong values", "wrong values", "raises ValueError"], 2) == (
        "public 2, hidden 4-5: wrong values; hidden 6: raises ValueError (2/6 cases pass)")
    assert summarize(["method rule broken", "ok", "ok"], 1).startswith("method rule broken")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.tables = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables and self.tables[-1]:
            self.tables[-1][-1].append("")

    def handle_data(self, data):
        self.text.append(data)
        if self.tables and self.tables[-1] and self.tables[-1][-1]:
            self.tables[-1][-1][-1] += data


def test_sample_class_report_and_exports(graded_classes):
    """A graded sample class: report.html (parsed) and report.json name the partial student's catalogued mistakes;
    grades.csv and results/ carry the diagnosis for teaching assistants; the student's feedback does not."""
    course, outcomes = graded_classes("lab01_cnn")
    lab = LABS["lab01_cnn"]
    partial_mistakes = set(lab.mutants.SAMPLE_PARTIAL)
    data = json.loads((course / "report.json").read_text())
    assert data["lab"] == lab.name and data["students"] == len(outcomes)
    named = {n for row in data["mistakes"] if "partial" in row["students"] for g in row["mistakes"] for n in g}
    assert partial_mistakes <= named
    assert {e["student"] for e in data["not_judged"]} == {o.student for o in outcomes.values()
                                                          if o.status not in ("graded", "grader error")}
    page = _Text()
    page.feed((course / "report.html").read_text(encoding="utf-8"))
    text = " ".join(page.text)
    assert "Diagnosed mistakes / Erreurs diagnostiquées" in text and "<svg" in (course / "report.html").read_text()
    mistake_rows = next(t for t in page.tables if t and "mistake / erreur" in t[0])
    for mistake in partial_mistakes:
        row = next(r for r in mistake_rows[1:] if mistake in r[2])
        assert "partial" in row[3] and int(row[0]) >= 1
    checks_rows = next(t for t in page.tables if t and t[0] and t[0][0].startswith("check"))
    assert [r[0] for r in checks_rows[1:]] == list(lab.checks)
    with open(course / "grades.csv", newline="", encoding="utf-8") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert all(m in rows["partial"]["diagnosis"] for m in partial_mistakes)
    assert rows["perfect"]["diagnosis"] == ""
    result = json.loads((course / "results" / "partial.json").read_text())
    labels = [d["label"] for d in result["extra_data"]["diagnosis"].values()]
    assert set(result["extra_data"]["diagnosis"]) <= set(lab.checks)
    assert all(any(m in x for x in labels) for m in partial_mistakes)
    assert not [t for t in result["tests"] if any(m in t["output"] for m in partial_mistakes)]
    assert not [m for m in partial_mistakes if m in result["output"]]
    feedback = (course / "feedback" / "partial.html").read_text(encoding="utf-8")
    assert not [m for m in partial_mistakes if m in feedback or lab.mutants.MISTAKES[m]["en"] in feedback]
    text = undiagnosed_text(course, lab.name)
    assert text.startswith(lab.name)
    assert all(re.search(rf"e\.g\. {u['example']} ", text) for u in data["undiagnosed"] if not u["not_attempted"])


def test_the_mistakes_command_prints_the_undiagnosed_clusters(graded_classes, capsys):
    from autograder.cli import main

    course, _ = graded_classes("lab01_cnn")
    assert main(["mistakes", "lab01_cnn", "--out", str(course)]) == 0
    assert capsys.readouterr().out.strip() == undiagnosed_text(course, "lab01_cnn").strip()
