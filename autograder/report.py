"""The class report: `DIR/report.html` and the same numbers in `DIR/report.json`, written with every export.

For teaching assistants, opened from disk (inline SVG and CSS, nothing fetched): the score distribution, each check's
pass rate on its public and hidden cases with the points lost, the diagnosed mistakes (autograder.diagnosis) most
common first with the students who made them, the failures no catalogued mistake explains clustered by their failure
signature (the next mistakes to add to the catalogue), and the students who are late, pending, had problems or met a
grader error. Headings are in English and French, like the course.
"""

from __future__ import annotations

import html
import json
import math
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograder.diagnosis import AMBIGUOUS, MISTAKE, UNKNOWN, descriptions
from autograder.gradebook import GRADER_ERROR
from autograder.results import Outcome

if TYPE_CHECKING:
    from autograder.labs import Lab

N_BINS = 10
NOT_ATTEMPTED = "raises NotImplementedError"  # the stub's answer: a task not attempted, not a mistake to catalogue
RULE_BROKEN = "method rule broken"
NO_RECORDS = "no outputs judged"


def judged(o: Outcome) -> bool:
    """The judge scored this student's checks (not a missing or refused submission, nor a grader error)."""
    return o.status == "graded"


def build(lab: Lab, outcomes: list[Outcome]) -> dict[str, Any]:
    """The report's numbers, as report.json holds them."""
    graded = [o for o in outcomes if judged(o)]
    max_score = max((o.max_score for o in outcomes), default=0.0) or float(
        sum(c.points for c in lab.checks.values()))
    return {
        "lab": lab.name,
        "students": len(outcomes),
        "judged": len(graded),
        "scores": _scores(graded, max_score),
        "checks": [_check_row(lab, check_id, graded) for check_id in lab.checks],
        "mistakes": _mistakes(lab, graded),
        "undiagnosed": _undiagnosed(lab, graded),
        "late": [{"student": o.student, "seconds_late": float(o.gradebook.get("seconds_late") or 0),
                  "late_submission_penalty": float(o.gradebook.get("late_submission_penalty") or 0)}
                 for o in outcomes if float(o.gradebook.get("seconds_late") or 0) > 0],
        "pending": sorted(o.student for o in outcomes if o.gradebook.get("pending") and o.status == "graded"),
        "not_judged": [{"student": o.student, "status": o.status} for o in outcomes
                       if o.status not in ("graded", GRADER_ERROR)],
        "problems": [{"student": o.student, "problems": o.problems} for o in outcomes
                     if o.problems and o.status != GRADER_ERROR],
        "grader_errors": [{"student": o.student, "problems": o.problems} for o in outcomes
                          if o.status == GRADER_ERROR],
    }


def _scores(graded: list[Outcome], max_score: float) -> dict[str, Any]:
    scores = sorted(o.score for o in graded)
    width = max_score / N_BINS if max_score > 0 else 1.0
    counts = [0] * N_BINS
    for s in scores:
        counts[min(N_BINS - 1, max(0, math.floor(s / width + 1e-9)))] += 1
    bins = [{"from": round(i * width, 4), "to": round((i + 1) * width, 4), "count": c} for i, c in enumerate(counts)]
    mid = len(scores) // 2
    median = (scores[mid] if len(scores) % 2 else (scores[mid - 1] + scores[mid]) / 2) if scores else None
    mean = round(sum(scores) / len(scores), 4) if scores else None
    return {"max_score": max_score, "count": len(scores), "mean": mean,
            "median": median, "min": scores[0] if scores else None, "max": scores[-1] if scores else None,
            "full_marks": sum(s >= max_score for s in scores), "histogram": bins,
            "by_student": {o.student: o.score for o in graded}}


def _result(o: Outcome, check_id: str):
    return next((c for c in o.checks if c.check == check_id), None)


def _case_failures(result, n_public: int) -> tuple[bool, bool]:
    """(fails a public case, fails a hidden case) for one student's check; a broken method rule or missing records
    fail both."""
    if result is None:
        return True, True
    if result.score >= result.max_score and result.passed == result.total:
        return False, False
    signature = (result.diagnosis or {}).get("signature") or []
    rule_broken = any(m.startswith("method rule broken") for m in result.messages)
    if rule_broken or len(signature) != result.total:
        return True, True
    return (any(s != "ok" for s in signature[:n_public]), any(s != "ok" for s in signature[n_public:]))


def _check_row(lab: Lab, check_id: str, graded: list[Outcome]) -> dict[str, Any]:
    check = lab.checks[check_id]
    n_public = len(check.public)
    results = [_result(o, check_id) for o in graded]
    fails = [_case_failures(r, n_public) for r in results]
    lost = [(r.max_score - r.score) if r is not None else float(check.points) for r in results]
    n = len(graded)

    def rate(k: int) -> float | None:
        return round(sum(not f[k] for f in fails) / n, 4) if n else None

    return {"check": check_id, "points": float(check.points), "students": n,
            "full_marks": sum(x == 0 for x in lost), "public_pass_rate": rate(0), "hidden_pass_rate": rate(1),
            "points_lost": round(sum(lost), 4), "mean_points_lost": round(sum(lost) / n, 4) if n else None,
            "rules_broken": sum(any(m.startswith("method rule broken") for m in (r.messages if r else []))
                                for r in results)}


def _mistakes(lab: Lab, graded: list[Outcome]) -> list[dict[str, Any]]:
    """Diagnosed and ambiguous mistakes, most common first."""
    described = descriptions(lab)
    found: dict[tuple[str, str, tuple], list[str]] = defaultdict(list)
    for o in graded:
        for c in o.checks:
            d = c.diagnosis
            if d and d.get("kind") in (MISTAKE, AMBIGUOUS):
                found[(c.check, d["kind"], tuple(tuple(g) for g in d["mistakes"]))].append(o.student)
    rows = []
    for (check_id, kind, groups), students in found.items():
        rows.append({"check": check_id, "kind": kind, "mistakes": [list(g) for g in groups],
                     "count": len(students), "students": sorted(students),
                     "descriptions": [{"mistake": name, **described.get(name, {})} for g in groups for name in g[:1]]})
    rows.sort(key=lambda r: (-r["count"], r["kind"] != MISTAKE, r["check"], r["mistakes"]))
    return rows


def _undiagnosed(lab: Lab, graded: list[Outcome]) -> list[dict[str, Any]]:
    """Failed checks that no catalogued mistake explains, clustered by identical failure signature (which cases
    fail and how), largest first; clusters where every failed case raises NotImplementedError are marked not
    attempted."""
    clusters: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
    for o in graded:
        for c in o.checks:
            if c.score >= c.max_score and c.passed == c.total:
                continue
            d = c.diagnosis
            if d and d.get("kind") in (MISTAKE, AMBIGUOUS):
                continue
            signature = tuple(d.get("signature") or []) if d else ()
            if any(m.startswith("method rule broken") for m in c.messages):
                signature = (RULE_BROKEN, *signature)
            if not signature:  # no records to judge: the judge's message says why
                signature = (f"{NO_RECORDS}: " + (c.messages[0][:150] if c.messages else "none"),)
            clusters[(c.check, signature)].append(o.student)
    rows = []
    for (check_id, signature), students in clusters.items():
        n_public = len(lab.checks[check_id].public)
        failing = [s for s in signature if s != "ok"]
        rows.append({"check": check_id, "signature": list(signature), "summary": summarize(signature, n_public),
                     "count": len(students), "students": sorted(students), "example": sorted(students)[0],
                     "not_attempted": bool(failing) and all(s.startswith(NOT_ATTEMPTED) for s in failing)})
    rows.sort(key=lambda r: (r["not_attempted"], -r["count"], r["check"]))
    return rows


def summarize(signature: tuple[str, ...] | list[str], n_public: int) -> str:
    """A failure signature in a few words: runs of cases that fail the same way ("public 1-2: wrong values;
    hidden 3, 5: raises ValueError (4/10 cases pass)")."""
    cases = list(signature)
    head = []
    if cases and (cases[0] == RULE_BROKEN or cases[0].startswith(NO_RECORDS)):
        head, cases = [cases[0]], cases[1:]
    by_kind: dict[str, list[int]] = defaultdict(list)
    for i, kind in enumerate(cases):
        if kind != "ok":
            by_kind[kind].append(i + 1)
    parts = []
    for kind, numbers in by_kind.items():
        public = [i for i in numbers if i <= n_public]
        hidden = [i for i in numbers if i > n_public]
        where = ([f"public {_runs(public)}"] if public else []) + ([f"hidden {_runs(hidden)}"] if hidden else [])
        parts.append(f"{', '.join(where)}: {kind}")
    if cases:
        parts[-1:] = [f"{parts[-1]} " if parts else "all cases right "]
        parts[-1] += f"({sum(k == 'ok' for k in cases)}/{len(cases)} cases pass)"
    return "; ".join(head + parts)


def _runs(numbers: list[int]) -> str:
    runs, start = [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            runs.append(f"{start}" if start == n else f"{start}-{n}")
            start = None
    return ", ".join(runs)


# --- HTML -------------------------------------------------------------------------------------------------------


def _histogram_svg(scores: dict[str, Any]) -> str:
    bins = scores["histogram"]
    w, h, left, bottom, top = 560, 220, 40, 40, 14
    plot_w, plot_h = w - left - 10, h - bottom - top
    most = max((b["count"] for b in bins), default=0) or 1
    bar_w = plot_w / len(bins)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img" '
             f'aria-label="score histogram"><rect width="{w}" height="{h}" fill="#fff"/>']
    ticks = sorted({0, most, (most + 1) // 2})
    for t in ticks:
        y = top + plot_h - plot_h * t / most
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{t}</text>')
    for i, b in enumerate(bins):
        x = left + i * bar_w
        bh = plot_h * b["count"] / most
        parts.append(f'<rect x="{x + 2:.1f}" y="{top + plot_h - bh:.1f}" width="{bar_w - 4:.1f}" height="{bh:.1f}" '
                     f'fill="#3b6ea8"><title>{b["from"]:g}–{b["to"]:g}: {b["count"]}</title></rect>')
        if b["count"]:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - bh - 3:.1f}" text-anchor="middle" '
                         f'font-size="11">{b["count"]}</text>')
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 14:.1f}" text-anchor="middle" font-size="11">'
                     f'{b["from"]:g}</text>')
    parts.append(f'<text x="{left + plot_w:.1f}" y="{top + plot_h + 14:.1f}" text-anchor="middle" font-size="11">'
                 f'{bins[-1]["to"]:g}</text>' if bins else "")
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{h - 6}" text-anchor="middle" font-size="12">'
                 'score / note</text>')
    parts.append(f'<text x="12" y="{top + plot_h / 2:.1f}" text-anchor="middle" font-size="12" '
                 f'transform="rotate(-90 12 {top + plot_h / 2:.1f})">students / étudiants</text></svg>')
    return "".join(parts)


def _bar(rate: float | None) -> str:
    if rate is None:
        return "—"
    pct = 100 * rate
    colour = "#3a8f4b" if rate >= 0.8 else ("#c9892b" if rate >= 0.5 else "#b8433b")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="12" role="img" aria-label="{pct:.0f}%">'
            f'<rect width="120" height="12" fill="#eee"/><rect width="{1.2 * pct:.1f}" height="12" fill="{colour}"/>'
            f'</svg> {pct:.0f}%')


def _students(names: list[str], limit: int = 12) -> str:
    shown = ", ".join(html.escape(s) for s in names[:limit])
    return shown + (f" … (+{len(names) - limit})" if len(names) > limit else "")


def render(data: dict[str, Any]) -> str:
    e = html.escape
    s = data["scores"]
    n, judged_n = data["students"], s["count"]
    stats = f"{judged_n} judged of {n} students / {judged_n} corrigés sur {n} étudiants"
    if s["count"]:
        stats += (f" — mean / moyenne {s['mean']:.3g}, median / médiane {s['median']:.3g}, full marks / note maximale "
                  f"{s['full_marks']} (out of / sur {s['max_score']:g})")
    checks, mistakes, clusters = _check_rows(data), _mistake_rows(data), _cluster_rows(data)

    def people(rows: list[dict], what) -> str:
        return "".join(f"<li><b>{e(r['student'])}</b>: {e(what(r))}</li>" for r in rows) or "<li>none / aucun</li>"

    late = people(data["late"], lambda r: f"{r['seconds_late'] / 3600:.1f} h late / de retard, penalty / pénalité "
                                          f"{r['late_submission_penalty']:g}")
    pending = "".join(f"<li>{e(p)}</li>" for p in data["pending"]) or "<li>none / aucun</li>"
    problems = people(data["problems"], lambda r: " | ".join(r["problems"]))
    errors = people(data["grader_errors"], lambda r: " | ".join(r["problems"]))
    not_judged = people(data["not_judged"], lambda r: r["status"])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(data['lab'])}: class report / bilan de la classe</title>
<style>body{{font-family:system-ui,sans-serif;max-width:72em;margin:1.5em auto;padding:0 1em;color:#222}}
table{{border-collapse:collapse;margin:.5em 0 1.5em}}td,th{{border:1px solid #ccc;padding:.3em .6em;vertical-align:top;
text-align:left}}th{{background:#f3f3f3}}td.n{{text-align:right;white-space:nowrap}}.d{{color:#555;font-size:.9em;
margin-top:.2em}}.tag{{background:#eee;border-radius:3px;padding:0 .3em;font-size:.85em}}h2{{margin-top:1.6em}}
</style></head><body>
<h1>{e(data['lab'])}: class report / bilan de la classe</h1>
<p>{e(stats)}</p>
<h2>Scores / Notes</h2>
{_histogram_svg(s)}
<h2>Checks / Tests</h2>
<table><tr><th>check / test</th><th>points</th><th>public cases pass / cas publics réussis</th>
<th>hidden cases pass / cas cachés réussis</th><th>full marks / note max.</th><th>points lost / points perdus</th>
<th>mean lost / perte moyenne</th><th>method rule broken / règle enfreinte</th></tr>
{checks}</table>
<h2>Diagnosed mistakes / Erreurs diagnostiquées</h2>
<p>A student's outputs equal, case by case, what a catalogued mistake computes (solutions/{e(data['lab'])}/mutants.py).
/ Les sorties de l'étudiant sont, cas par cas, celles d'une erreur du catalogue.</p>
<table><tr><th>students / étudiants</th><th>check / test</th><th>mistake / erreur</th><th>who / qui</th></tr>
{''.join(mistakes) or '<tr><td colspan=4>none / aucune</td></tr>'}</table>
<h2>Failures not in the catalogue / Échecs hors catalogue</h2>
<p>Grouped by which cases fail and how: the next mistakes to add to the catalogue. / Regroupés selon les cas qui
échouent et la manière : les prochaines erreurs à ajouter au catalogue.</p>
<table><tr><th>students / étudiants</th><th>check / test</th><th>how it fails / comment ça échoue</th>
<th>who / qui</th></tr>
{''.join(clusters) or '<tr><td colspan=4>none / aucun</td></tr>'}</table>
<h2>Late / En retard</h2><ul>{late}</ul>
<h2>Pending manual grading / Correction manuelle en attente</h2><ul>{pending}</ul>
<h2>Not judged / Non corrigés</h2><ul>{not_judged}</ul>
<h2>Problems / Problèmes</h2><ul>{problems}</ul>
<h2>Grader errors / Erreurs du correcteur</h2><ul>{errors}</ul>
</body></html>
"""


def _check_rows(data: dict[str, Any]) -> str:
    e = html.escape
    return "".join(
        f"<tr><td>{e(c['check'])}</td><td class=n>{c['points']:g}</td><td>{_bar(c['public_pass_rate'])}</td>"
        f"<td>{_bar(c['hidden_pass_rate'])}</td><td class=n>{c['full_marks']}/{c['students']}</td>"
        f"<td class=n>{c['points_lost']:g}</td><td class=n>"
        f"{'' if c['mean_points_lost'] is None else format(c['mean_points_lost'], 'g')}</td>"
        f"<td class=n>{c['rules_broken'] or ''}</td></tr>" for c in data["checks"])


def _mistake_rows(data: dict[str, Any]) -> list[str]:
    e, rows = html.escape, []
    for m in data["mistakes"]:
        names = " <b>|</b> ".join(" = ".join(e(n) for n in g) for g in m["mistakes"])
        said = "".join(f"<div class=d>{e(d.get('en', ''))}<br><i>{e(d.get('fr', ''))}</i></div>"
                       for d in m["descriptions"] if d.get("en"))
        kind = "" if m["kind"] == MISTAKE else " <span class=tag>ambiguous / ambigu</span>"
        rows.append(f"<tr><td class=n>{m['count']}</td><td>{e(m['check'])}</td><td>{names}{kind}{said}</td>"
                    f"<td>{_students(m['students'])}</td></tr>")
    return rows


def _cluster_rows(data: dict[str, Any]) -> list[str]:
    e, rows = html.escape, []
    for u in data["undiagnosed"]:
        tag = " <span class=tag>not attempted / non traité</span>" if u["not_attempted"] else ""
        rows.append(f"<tr><td class=n>{u['count']}</td><td>{e(u['check'])}</td><td>{e(u['summary'])}{tag}</td>"
                    f"<td>{_students(u['students'])}</td></tr>")
    return rows


def undiagnosed_text(course_root: Path, lab_name: str) -> str:
    """`autograder mistakes LAB --out DIR`: the failures no catalogued mistake explains, largest cluster first, one
    example student each, from the report the last grade or finalize wrote."""
    path = Path(course_root) / "report.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no class report; grade the lab first (autograder grade {lab_name} "
                                f"SUBMISSIONS --out {course_root})")
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("lab") != lab_name:
        raise ValueError(f"{path} is the report of {data.get('lab')}, not {lab_name}")
    rows = [u for u in data["undiagnosed"] if not u["not_attempted"]]
    if not rows:
        return f"{lab_name}: every failure is a catalogued mistake (or a task not attempted)."
    lines = [f"{lab_name}: {len(rows)} failure clusters not in the catalogue, largest first"]
    for u in rows:
        folder = Path(course_root) / "submitted" / u["example"] / lab_name
        lines.append(f"  {u['count']:>3} × {u['check']}: {u['summary']}\n        e.g. {u['example']} ({folder})")
    return "\n".join(lines)


__all__ = ["UNKNOWN", "build", "render", "undiagnosed_text"]
