"""Writing a file whole or not at all: every file the grader writes into a course directory goes through here."""

from __future__ import annotations

import json
import os
from pathlib import Path


def write_atomic(path: Path, text: str | bytes) -> None:
    """A temporary file beside `path`, renamed over it: a reader never sees half a file, a crash leaves the old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    if isinstance(text, bytes):
        tmp.write_bytes(text)
    else:
        tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def write_json(path: Path, data: dict) -> None:
    write_atomic(path, json.dumps(data, indent=1, sort_keys=True))
