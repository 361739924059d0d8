"""The class roster: who should have submitted, with the names and emails the gradebook and the exports carry.

A CSV with a header row, separated by commas, semicolons (a French spreadsheet's CSV) or tabs. The student id
column is `student_id` (or `id`); names are `first_name` and `last_name`,
or one `name` column ("First Last"); `email` is optional. Ids follow the same rule as submission folder names.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from autograder.intake import STUDENT_ID
from autograder.times import sniff_dialect


class RosterError(ValueError):
    """A roster the grader cannot use; the message names the file, the line and what to do."""


@dataclass(frozen=True)
class RosterEntry:
    student: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""


def read_roster(path: Path) -> dict[str, RosterEntry]:
    """Student id -> entry, in the file's order."""
    if not path.is_file():
        raise RosterError(f"{path}: no such roster file")
    try:
        text = path.read_text(encoding="utf-8-sig")  # spreadsheets often save a byte-order mark
    except UnicodeDecodeError:
        raise RosterError(f"{path}: not UTF-8 text; save the roster as CSV UTF-8") from None
    rows = list(csv.DictReader(text.splitlines(), dialect=sniff_dialect(text)))  # comma, semicolon or tab
    header = {h.strip().lower(): h for h in (rows[0].keys() if rows else []) if h}
    id_key = next((k for k in ("student_id", "id") if k in header), None)
    if id_key is None:
        raise RosterError(f"{path}: the header needs a student_id (or id) column; found "
                          f"{', '.join(header.values()) or 'no header'} (the first line must name the columns, "
                          "separated by commas, semicolons or tabs: student_id,first_name,last_name,email)")
    roster: dict[str, RosterEntry] = {}
    for line, row in enumerate(rows, start=2):
        def cell(name: str, row=row) -> str:
            return (row.get(header[name]) or "").strip() if name in header else ""

        student = cell(id_key)
        if not student:
            continue  # a blank line at the end of a spreadsheet export
        if not STUDENT_ID.match(student):
            raise RosterError(f"{path}, line {line}: {student!r} is not a valid student id (letters, digits, '_', '.', "
                              "'-'; the same id as the student's submission folder or zip)")
        if student in roster:
            raise RosterError(f"{path}, line {line}: student {student} is listed twice")
        first, last = cell("first_name"), cell("last_name")
        if not (first or last) and cell("name"):
            first, _, last = cell("name").partition(" ")
        roster[student] = RosterEntry(student, first, last, cell("email"))
    if not roster:
        raise RosterError(f"{path}: the roster lists no student")
    return roster

