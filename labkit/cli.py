"""`labkit check LAB` runs every public check of a lab and names the next task; `labkit submit LAB` builds the zip
the grader expects and checks it with the grader's own intake rules.

Run from the folder that holds the lab folders (the student release), or from inside a lab folder. Messages are in
the student's language (labkit.i18n: LABKIT_LANG=fr or a French locale).
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import zipfile
from pathlib import Path

from labkit.grading import load_checks
from labkit.i18n import tr
from labkit.student import LabNotFound, find_lab, lab_name, run_public
from labkit.submission import module_problem, notebook_problem

DESCRIPTION = (
    "Run every public check of a lab and name the next task (labkit check LAB), or build the zip the grader expects "
    "(labkit submit LAB). Run from the folder that holds the lab folders, or from inside a lab folder.",
    "Lance tous les tests publics d'un lab et indique la tâche suivante (labkit check LAB), ou construit le zip "
    "qu'attend le correcteur (labkit submit LAB). À lancer depuis le dossier qui contient les labs, ou depuis le "
    "dossier du lab.",
)

# The stub's functions raise NotImplementedError; its written-answer cells say this until the student answers.
ANSWER_PLACEHOLDER = "YOUR ANSWER HERE"


def one_language(text: str) -> str:
    """The student's half of a bilingual heading "Task 2.2 — ... / Tâche 2.2 — ..." (the text itself when it has no
    " / " between its two languages). A heading whose formulas hold " / " has an odd number of them: the middle one
    separates the languages."""
    parts = text.split(" / ")
    if len(parts) < 2 or len(parts) % 2:
        return text
    half = len(parts) // 2
    return " / ".join(parts[half:] if tr("en", "fr") == "fr" else parts[:half]).strip()


def unfinished_functions(source: str) -> list[str]:
    """The functions (and methods) of a module whose body still raises NotImplementedError, as the stub's do."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for stmt in node.body:
            exc = stmt.exc if isinstance(stmt, ast.Raise) else None
            exc = exc.func if isinstance(exc, ast.Call) else exc
            if isinstance(exc, ast.Name) and exc.id == "NotImplementedError":
                names.append(node.name)
                break
    return names


def unanswered_questions(raw: bytes) -> list[str]:
    """The grade ids of the written-answer cells of a notebook that still hold the answer placeholder."""
    try:
        cells = json.loads(raw.decode("utf-8"))["cells"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return []
    unanswered = []
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell, dict) else {}
        source = cell.get("source", "") if isinstance(cell, dict) else ""
        text = "".join(source) if isinstance(source, list) else str(source)
        if meta.get("solution") and cell.get("cell_type") == "markdown" and ANSWER_PLACEHOLDER in text:
            unanswered.append(str(meta.get("grade_id", "?")))
    return unanswered


def task_headings(notebook: Path) -> dict[str, str]:
    """Check id -> the heading of the notebook section its test cell sits in ("Task 2.2 — ...")."""
    if not notebook.is_file():
        return {}
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    except (ValueError, KeyError, TypeError):
        return {}
    headings, current = {}, ""
    for cell in cells:
        text = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "markdown":
            found = re.findall(r"^#{1,4}\s+(.+)$", text, flags=re.M)
            current = found[-1].strip() if found else current
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id:
            headings[grade_id] = current
    return headings


def cmd_check(args: argparse.Namespace) -> int:
    lab_dir = find_lab(args.lab)
    name = lab_name(lab_dir)
    sys.path.insert(0, str(lab_dir.resolve()))
    headings = task_headings(lab_dir / f"{name}.ipynb")
    rows, next_task, total, earned = [], None, 0.0, 0.0
    for check_id, check in load_checks(lab_dir).items():
        try:
            result = run_public(check_id, lab_dir)
            passed, failures = result.passed, result.failures
        except Exception as exc:  # the module does not import: every check fails the same way
            passed, failures = 0, [tr("the lab's module or checks did not load: ",
                                      "le module du lab ou ses tests ne se chargent pas : ")
                                   + f"{type(exc).__name__}: {exc}"]
        ok = not failures
        total += check.points
        earned += check.points if ok else 0.0
        rows.append((check_id, f"{passed}/{len(check.public)}", f"{check.points if ok else 0:g}/{check.points:g}",
                     tr("ok", "ok") if ok else tr("to do", "à faire")))
        if not ok and next_task is None:
            next_task = (check_id, failures)
    widths = [max(len(r[i]) for r in [_header(), *rows]) for i in range(4)]
    for row in [_header(), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    print(tr(f"\npublic cases: {earned:g}/{total:g} points. Hidden cases are graded after you submit.",
             f"\ncas publics : {earned:g}/{total:g} points. Les cas cachés sont notés après la remise."))
    if next_task is None:
        print(tr(f"Every public check passes. Next: answer the written questions, then `labkit submit {name}`.",
                 f"Tous les tests publics passent. Ensuite : répondez aux questions écrites, puis "
                 f"`labkit submit {name}`."))
        return 0
    check_id, failures = next_task
    where = one_language(headings.get(check_id) or check_id)
    print(tr(f"Next task: {where} (check {check_id})", f"Tâche suivante : {where} (test {check_id})"))
    for line in failures[:5]:
        print(f"  {line}")
    return 1


def _header() -> tuple[str, str, str, str]:
    return (tr("check", "test"), tr("public cases", "cas publics"), tr("points", "points"), tr("status", "état"))


def cmd_submit(args: argparse.Namespace) -> int:
    lab_dir = find_lab(args.lab)
    name = lab_name(lab_dir)
    files = {f"{name}.ipynb": lab_dir / f"{name}.ipynb", f"{name}.py": lab_dir / f"{name}.py"}
    problems = []
    for arcname, path in files.items():
        if not path.is_file():
            problems.append(tr(f"{path} is missing", f"{path} est introuvable"))
            continue
        raw = path.read_bytes()
        problem = notebook_problem(raw) if arcname.endswith(".ipynb") else module_problem(raw)
        if problem is None and arcname.endswith(".py"):
            try:
                ast.parse(raw.decode("utf-8"), filename=str(path))
            except SyntaxError as exc:
                problem = tr(f"does not parse: line {exc.lineno}: {exc.msg}",
                             f"ne se lit pas : ligne {exc.lineno} : {exc.msg}")
        if problem:
            problems.append(f"{path}: {problem}")
    if problems:
        print(tr("The submission was not built:", "La remise n'a pas été construite :"), file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    unfinished = unfinished_functions(files[f"{name}.py"].read_text(encoding="utf-8", errors="replace"))
    unanswered = unanswered_questions(files[f"{name}.ipynb"].read_bytes())
    if unfinished:
        print(tr(f"warning: these functions still raise NotImplementedError (they score 0): {', '.join(unfinished)}",
                 f"attention : ces fonctions lèvent encore NotImplementedError (elles valent 0) : "
                 f"{', '.join(unfinished)}"), file=sys.stderr)
    if unanswered:
        print(tr(f"warning: these written answers still say {ANSWER_PLACEHOLDER}: {', '.join(unanswered)}",
                 f"attention : ces réponses écrites contiennent encore {ANSWER_PLACEHOLDER} : "
                 f"{', '.join(unanswered)}"), file=sys.stderr)
    out = Path(args.output or f"{name}_submission.zip")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for arcname, path in files.items():
            zf.write(path, arcname)
    with zipfile.ZipFile(out) as zf:  # read back what was written, as the grader will
        names = sorted(zf.namelist())
        bad = [n for n in names if (notebook_problem if n.endswith(".ipynb") else module_problem)(zf.read(n))]
    if names != sorted(files) or bad:
        print(tr(f"{out} did not come out as expected: {names}", f"{out} n'a pas le contenu attendu : {names}"),
              file=sys.stderr)
        return 1
    print(tr(f"wrote {out} with {', '.join(names)}. Upload this file; the grader names you by your account, so "
             "keep the file names inside it as they are.",
             f"{out} écrit, avec {', '.join(names)}. Déposez ce fichier ; le correcteur vous identifie par votre "
             "compte : ne renommez pas les fichiers qu'il contient."))
    return 0


class _HelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, prefix if prefix is not None else tr("usage: ",
                                                                                              "utilisation : "))


def _parser(prog: str, description: str, **kwargs) -> argparse.ArgumentParser:
    """An argument parser whose help reads in the student's language, argparse's own headings included."""
    parser = argparse.ArgumentParser(prog=prog, description=description, formatter_class=_HelpFormatter,
                                     add_help=False, **kwargs)
    parser._positionals.title = tr("positional arguments", "arguments positionnels")
    parser._optionals.title = tr("options", "options")
    parser.add_argument("-h", "--help", action="help",
                        help=tr("show this help and exit", "afficher cette aide et quitter"))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser("labkit", tr(*DESCRIPTION))
    sub = parser.add_subparsers(dest="command", required=True, title=tr("commands", "commandes"),
                                parser_class=_parser_class)
    lab_help = tr("the lab folder: lab01_cnn, ..., lab08_boltzmann",
                  "le dossier du lab : lab01_cnn, ..., lab08_boltzmann")
    check_help = tr("run every public check of a lab and name the next task",
                    "lancer tous les tests publics d'un lab et indiquer la tâche suivante")
    p = sub.add_parser("check", help=check_help, description=check_help)
    p.add_argument("lab", help=lab_help)
    p.set_defaults(func=cmd_check)
    submit_help = tr("build the zip to upload (warns about unfinished functions and unanswered questions)",
                     "construire le zip à déposer (signale les fonctions inachevées et les questions sans réponse)")
    p = sub.add_parser("submit", help=submit_help, description=submit_help)
    p.add_argument("lab", help=lab_help)
    p.add_argument("--output", "-o", help=tr("the zip to write (default: LAB_submission.zip)",
                                             "le zip à écrire (par défaut : LAB_submission.zip)"))
    p.set_defaults(func=cmd_submit)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except LabNotFound as exc:
        print(tr("error: ", "erreur : ") + str(exc), file=sys.stderr)
        return 2


def _parser_class(prog: str | None = None, description: str | None = None, **kwargs) -> argparse.ArgumentParser:
    kwargs.pop("formatter_class", None)
    kwargs.pop("add_help", None)
    return _parser(prog or "labkit", description or "", **kwargs)


if __name__ == "__main__":
    sys.exit(main())
