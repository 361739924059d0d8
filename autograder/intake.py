"""Intake: validate each student's submission and place it into nbgrader's `submitted/` layout.

SUBMISSIONS holds one folder or `.zip` per student, named by student id. Only the lab's two files are taken (the
notebook and the module); everything else is ignored. A broken submission gets a clear message, never an exception
that stops the batch.
"""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat

from autograder.labs import Lab

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_MODULE_BYTES = 2 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
MAX_ZIP_BYTES = 200 * 1024 * 1024


@dataclass
class Intake:
    student: str
    notebook_ok: bool = False
    module_ok: bool = False
    problems: list[str] = field(default_factory=list)


def _student_entries(submissions: Path) -> tuple[dict[str, Path], list[str]]:
    entries: dict[str, Path] = {}
    warnings: list[str] = []
    if not submissions.is_dir():
        raise FileNotFoundError(f"{submissions}: not a folder of submissions (expected one folder or .zip per student)")
    for path in sorted(submissions.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_dir() and not path.is_symlink():
            student = path.name
        elif path.is_file() and path.suffix.lower() == ".zip":
            student = path.stem
        else:
            warnings.append(f"{path}: ignored (not a folder or a .zip)")
            continue
        if not STUDENT_ID.match(student):
            warnings.append(f"{path}: ignored, {student!r} is not a valid student id (letters, digits, '_', '.', '-')")
            continue
        if student in entries:
            warnings.append(f"{path}: ignored, {student} already has a submission at {entries[student]}")
            continue
        entries[student] = path
    return entries, warnings


def _find(files: dict[str, bytes | Path], name: str) -> tuple[str | None, list[str]]:
    """The one path whose basename is `name`, and the names of look-alikes (same suffix)."""
    hits = [p for p in files if PurePosixPath(p).name == name]
    alike = [p for p in files if PurePosixPath(p).suffix == PurePosixPath(name).suffix and p not in hits]
    return (hits[0] if len(hits) == 1 else None), (hits if hits else alike)


def _folder_files(folder: Path) -> dict[str, Path]:
    out = {}
    for p in folder.rglob("*"):
        rel = p.relative_to(folder)
        if len(rel.parts) > 4 or any(part.startswith(".") or part == "__MACOSX" for part in rel.parts):
            continue
        if p.is_file() and not p.is_symlink():
            out[rel.as_posix()] = p
    return out


def _zip_files(path: Path, wanted: set[str]) -> dict[str, bytes]:
    out = {}
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise ValueError(f"the zip holds {len(infos)} entries (at most {MAX_ZIP_ENTRIES})")
        if sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
            raise ValueError(f"the zip expands to more than {MAX_ZIP_BYTES // 2**20} MB")
        for info in infos:
            name = PurePosixPath(info.filename)
            is_link = stat.S_ISLNK(info.external_attr >> 16)
            if info.is_dir() or is_link or name.is_absolute() or ".." in name.parts or "__MACOSX" in name.parts:
                continue
            if name.name in wanted or name.suffix in {".ipynb", ".py"}:
                limit = MAX_NOTEBOOK_BYTES if name.suffix == ".ipynb" else MAX_MODULE_BYTES
                with zf.open(info) as member:  # read at most one byte past the cap: the size check reports it
                    out[name.as_posix()] = member.read(limit + 1)
    return out


def intake_one(student: str, source: Path, lab: Lab, dest: Path) -> Intake:
    """Copy one student's lab files into `dest` (emptied first) and say what is wrong with them."""
    result = Intake(student)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    notebook_name, module_name = lab.notebook_name, lab.module_file.name
    try:
        files: dict[str, bytes | Path] = (dict(_zip_files(source, {notebook_name, module_name})) if source.is_file()
                                          else dict(_folder_files(source)))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        result.problems.append(f"{source.name}: unreadable submission ({exc}); expected a folder or a valid .zip")
        return result

    def read(key: str) -> bytes:
        value = files[key]
        return value if isinstance(value, bytes) else value.read_bytes()

    nb_key, alike = _find(files, notebook_name)
    if nb_key is None:
        hint = f"; found {', '.join(alike)}: rename it to {notebook_name}" if alike else ""
        result.problems.append(f"{notebook_name} is missing{hint}. The notebook scores zero.")
    else:
        raw = read(nb_key)
        try:
            if len(raw) > MAX_NOTEBOOK_BYTES:
                raise ValueError(f"larger than {MAX_NOTEBOOK_BYTES // 2**20} MB")
            nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
            nbformat.validate(nb)
            (dest / notebook_name).write_bytes(raw)
            result.notebook_ok = True
        except (UnicodeDecodeError, ValueError, nbformat.ValidationError, AttributeError, KeyError, TypeError) as exc:
            reason = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else f"not a valid notebook ({exc})"
            result.problems.append(f"{notebook_name}: {reason[:300]}. The notebook scores zero.")

    mod_key, alike = _find(files, module_name)
    if mod_key is None:
        hint = f"; found {', '.join(alike)}: rename it to {module_name}" if alike else ""
        result.problems.append(f"{module_name} is missing{hint}. Every autograded check needs it and scores zero.")
    else:
        raw = read(mod_key)
        try:
            if len(raw) > MAX_MODULE_BYTES:
                raise ValueError(f"larger than {MAX_MODULE_BYTES // 2**20} MB")
            raw.decode("utf-8")
            (dest / module_name).write_bytes(raw)
            result.module_ok = True
        except (UnicodeDecodeError, ValueError) as exc:
            result.problems.append(f"{module_name}: unusable ({exc}). Every autograded check scores zero.")
    return result


def intake(submissions: Path, lab: Lab, submitted_dir: Path) -> tuple[dict[str, Intake], list[str]]:
    """Intake every student of SUBMISSIONS into `submitted_dir/<student>/<lab>/`."""
    entries, warnings = _student_entries(submissions)
    results = {s: intake_one(s, p, lab, submitted_dir / s / lab.name) for s, p in entries.items()}
    return results, warnings
