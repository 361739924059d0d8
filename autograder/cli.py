"""The `autograder` command: release, grade, demo (release + grade the bundled sample class)."""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

from autograder.gradebook import GRADER_ERROR
from autograder.labs import REPO_ROOT, LabError
from autograder.settings import DEFAULT_MEMORY_GB, Feedback


def _table(outcomes) -> str:
    lines = [f"{'student':<16} {'lab':<18} {'auto':>11} {'total':>11}  status / problems"]
    for o in outcomes:
        pending = " (pending)" if o.gradebook.get("pending") and o.status == "graded" else ""
        note = o.status + pending + (f": {o.problems[0]}" if o.problems else "")
        if len(note) > 90:  # cut at a word, and say so
            note = note[:88].rsplit(" ", 1)[0] + " …"
        lines.append(f"{o.student:<16} {o.lab:<18} {o.auto_score:>5g}/{o.auto_max_score:<5g} "
                     f"{o.score:>5g}/{o.max_score:<5g}  {note}")
    return "\n".join(lines)


def cmd_release(args: argparse.Namespace) -> int:
    from autograder.release import release, release_diff

    if args.check:
        diff = release_diff(args.root)
        if diff:
            print("labs/ is out of date with solutions/ (run `autograder release`):\n  " + "\n  ".join(diff))
            return 1
        print("labs/ is up to date with solutions/")
        return 0
    if args.lab:
        from autograder.labs import get_lab

        print(f"released to {release(args.root, get_lab(args.lab, args.root))}")
        return 0
    print(f"released to {release(args.root)}")
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    from autograder.grade import grade

    outcomes = grade(args.lab, Path(args.submissions), Path(args.out), root=args.root, secret=args.secret,
                     progress=not args.quiet, cell_timeout=args.cell_timeout, sandbox=not args.unsafe_no_sandbox,
                     regrade=args.regrade, workers=args.workers, cluster=args.cluster, feedback=args.feedback,
                     only=tuple(args.only), roster=args.roster, due=args.due, late_penalty=args.late_penalty,
                     memory_gb=args.memory_limit, timestamps=args.timestamps, timezone=args.timezone)
    print(_table(outcomes))
    print("\n" + _counts(outcomes, args.out))
    return 1 if any(o.status == GRADER_ERROR for o in outcomes) else 0


def _counts(outcomes, out) -> str:
    by = {}
    for o in outcomes:
        key = "pending" if o.gradebook.get("pending") and o.status == "graded" else o.status
        by[key] = by.get(key, 0) + 1
    order = ("graded", "pending", "not graded", "no submission", "grader error")
    parts = [f"{by[k]} {k}" for k in order if by.get(k)] + [f"{n} {k}" for k, n in by.items() if k not in order]
    return (f"{len(outcomes)} students in {out}: {', '.join(parts) or 'none'} (pending: written answers to grade "
            "in the formgrader, then `autograder finalize`; see grades.csv and feedback/).")


def cmd_formgrader(args: argparse.Namespace) -> int:
    from autograder.formgrader import start

    return start(Path(args.dir), args.root, port=args.port)


def cmd_finalize(args: argparse.Namespace) -> int:
    from autograder.finalize import finalize

    outcomes = finalize(args.lab, Path(args.out), root=args.root, late_penalty=args.late_penalty)
    print(_table(outcomes))
    print("\n" + _counts(outcomes, args.out))
    print(f"Upload: {Path(args.out) / 'upload' / args.lab}/ (feedback.zip, one feedback page per student, the grade "
          "CSVs; pending students have an empty grade).")
    return 0


def cmd_mistakes(args: argparse.Namespace) -> int:
    from autograder.report import undiagnosed_text

    print(undiagnosed_text(Path(args.out), args.lab))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from autograder.grade import grade
    from autograder.labs import all_labs
    from autograder.release import release
    from autograder.sample_class import build_sample_class

    print(f"released to {release(args.root)}")
    out = Path(args.out)
    everything = []
    for lab in all_labs(args.root):
        submissions = build_sample_class(lab, out / "sample_submissions" / lab.name, args.root)
        everything += grade(lab.name, submissions, out / lab.name, root=args.root, workers=args.workers)
    print(_table(everything))
    print(f"\nGradebooks, grades.csv, results/ and feedback/ are in {out}/<lab>/.")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__)
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="the course repository (solutions/, labs/)")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (_add_release, _add_grade, _add_formgrader, _add_finalize, _add_mistakes, _add_demo):
        add(sub)
    return parser


def _add_release(sub) -> None:
    p = sub.add_parser("release", help="write labs/ from solutions/")
    p.add_argument("--check", action="store_true", help="exit 1 if labs/ differs from what release would write")
    p.add_argument("--lab", help="release only this lab's folder (e.g. while writing it)")
    p.set_defaults(func=cmd_release)


def _add_grade(sub) -> None:
    p = sub.add_parser("grade", help="autograde one lab for a folder of submissions",
                       description="Autograde one lab: intake each submission, run its notebook in a sandbox, judge "
                                   "the recorded outputs against the reference, and write the gradebook, grades.csv, "
                                   "Canvas and Moodle CSVs, Gradescope results/ and feedback/ into --out.")
    p.add_argument("lab", help="the lab's name: one of the folders of solutions/, e.g. lab01_cnn")
    p.add_argument("submissions", help="a folder holding one folder or .zip per student, named by student id; each "
                                       "holds the lab's notebook and module (and optionally nbgrader's timestamp.txt)")
    p.add_argument("--out", required=True, help="the course directory: gradebook, exports, the grading secret")
    p.add_argument("--secret", help="the text that draws the hidden cases (default: DIR/grading_secret, generated on "
                                    "first use and readable only by you; the same secret and files give the same "
                                    "grades; never a well-known value)")
    p.add_argument("--roster", metavar="CSV", help="the class list: student_id (or id), first_name, last_name (or "
                                                   "name), email. Students without a submission get a zero and "
                                                   "'no submission'; submissions not on it are reported")
    p.add_argument("--due", metavar="DATE", help="the lab's due date, ISO 8601, e.g. 2026-12-01T23:59:00+01:00 "
                                                 "(UTC when no zone is given); kept in the gradebook for later runs")
    p.add_argument("--late-penalty", default=None, metavar="METHOD",
                   help="nbgrader's late-submission penalty, computed on the total (written answers included): none "
                        "(default), zero (a late submission scores 0), or a plugin class module.Class (a subclass of "
                        "nbgrader.plugins.LateSubmissionPlugin); kept for later runs of this course directory")
    p.add_argument("--timestamps", metavar="CSV",
                   help="submission times exported from the learning platform, trusted before anything in the "
                        "submissions: columns student_id and timestamp (ISO 8601; without an offset, read in "
                        "--timezone); comma, semicolon or tab separated")
    p.add_argument("--timezone", metavar="ZONE",
                   help="the zone of times written without one (a zip's entry times, which come from the student's "
                        "machine and are flagged so): an IANA name such as Europe/Paris, or +01:00; default the "
                        "--due date's offset, else the zone this course last used, else UTC. Exports write times "
                        "in it, with their offset")
    p.add_argument("--only", nargs="+", metavar="STUDENT", default=(),
                   help="grade again only these students; everyone else's grades are left as they are")
    p.add_argument("--feedback", choices=list(Feedback), default=Feedback.INPUTS, type=Feedback.parse,
                   help="what students see of a failed hidden case: summary (how many failed), inputs (its inputs "
                        "and the kind of failure; the default), hints (inputs, plus a question leading to the "
                        "catalogued mistake the grader diagnosed) or full (expected values too)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="at most this many students graded in parallel on this machine (default: the number of "
                        "cores); a small batch starts fewer, one per 6 students: a worker's start costs about "
                        "what grading a dozen students does")
    p.add_argument("--cluster", metavar="tcp://HOST:PORT",
                   help="grade on the workers of a running Dask scheduler instead (this machine keeps the gradebook)")
    p.add_argument("--cell-timeout", type=int, metavar="SECONDS", help="seconds per notebook cell (default: the "
                                                                       "lab's own)")
    p.add_argument("--memory-limit", type=float, default=DEFAULT_MEMORY_GB, metavar="GiB",
                   help=f"memory for all of one student's processes together (default {DEFAULT_MEMORY_GB:g} GiB); a "
                        "student past it is stopped and gets 'memory limit', the others are unaffected")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--regrade", action="store_true",
                   help="grade everyone again (by default a rerun skips students already graded with the same files)")
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="run student code WITHOUT the sandbox (only for code you trust; see SECURITY.md)")
    p.set_defaults(func=cmd_grade)


def _add_formgrader(sub) -> None:
    p = sub.add_parser("formgrader", help="grade written answers: nbgrader's formgrader on a course directory",
                       description="Write DIR/nbgrader_config.py and start nbgrader's formgrader on DIR, listening on "
                                   "127.0.0.1 with a token (the URL is printed; as root too). Its Autograde button "
                                   "grades with this grader in the sandbox; its Generate Feedback finalizes the lab "
                                   "and never shows a model answer. nbgrader's own autograde is refused in DIR.")
    p.add_argument("dir", help="the course directory (autograder grade's --out)")
    p.add_argument("--port", type=int, default=0, help="the port (default: a free one)")
    p.set_defaults(func=cmd_formgrader)


def _add_finalize(sub) -> None:
    p = sub.add_parser("finalize", help="after written answers are graded: every export again, ready to upload",
                       description="Re-export one lab from the gradebook after manual grading: totals with written "
                                   "answers, late penalties computed on the total, lateness and the teaching "
                                   "assistant's comments in grades.csv, canvas.csv, moodle.csv, results/ and "
                                   "feedback/, and DIR/upload/LAB/ (feedback.zip and one page per student). Students "
                                   "whose written answers are ungraded stay pending: an empty grade, never a partial "
                                   "one. Runs no student code.")
    p.add_argument("lab", help="the lab's name, e.g. lab06_vae")
    p.add_argument("--out", required=True, help="the course directory (autograder grade's --out)")
    p.add_argument("--late-penalty", default=None, metavar="METHOD",
                   help="none, zero or module.Class (default: the one the course was graded with)")
    p.set_defaults(func=cmd_finalize)


def _add_mistakes(sub) -> None:
    p = sub.add_parser("mistakes", help="the failures no catalogued mistake explains, largest cluster first",
                       description="After grading: the failed checks whose outputs match no mistake of the lab's "
                                   "catalogue (solutions/LAB/mutants.py), clustered by how they fail, with one "
                                   "student's example each: candidates for new catalogue entries.")
    p.add_argument("lab", help="the lab's name, e.g. lab06_vae")
    p.add_argument("--out", required=True, help="the course directory (autograder grade's --out)")
    p.set_defaults(func=cmd_mistakes)


def _add_demo(sub) -> None:
    p = sub.add_parser("demo", help="release every lab and grade the bundled sample class")
    p.add_argument("--out", default="out", help="where the course directories go, one per lab (default: out)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="at most this many students graded in parallel (default: the number of cores)")
    p.set_defaults(func=cmd_demo)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    warnings.filterwarnings("ignore", module="nbgrader")  # nbgrader's SQLAlchemy warnings say nothing to a TA
    try:
        return args.func(args)
    except (LabError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:  # GraderBusy and nbgrader failures
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
