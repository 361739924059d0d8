"""What a submission must be: the rules the grader's intake applies, shipped to students so that `labkit submit`
can apply the same ones before the deadline.

A submission holds the lab's notebook `labNN_topic.ipynb` and module `labNN_topic.py`. Learning platforms rename
uploads (`lab01_cnn (1).ipynb`, `lab01_cnn-2.ipynb`): one file whose name differs only by such a suffix is accepted,
with a warning.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath

import nbformat

from labkit.i18n import tr

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_MODULE_BYTES = 2 * 1024 * 1024


def find_file(names: list[str], wanted: str) -> tuple[str | None, str | None, list[str]]:
    """The path among `names` to take as `wanted`: (path, warning, look-alikes).

    An exact basename wins; else one name that differs only by a learning platform's suffix, with a warning. When
    there is no single match, path is None and look-alikes lists what was found instead (same suffix)."""
    wanted_path = PurePosixPath(wanted)
    exact = [n for n in names if PurePosixPath(n).name == wanted]
    if len(exact) == 1:
        return exact[0], None, []
    if exact:
        return None, None, exact
    renamed = re.compile(rf"^{re.escape(wanted_path.stem)}(?: ?\(\d+\)|-\d+){re.escape(wanted_path.suffix)}$")
    lms = [n for n in names if renamed.match(PurePosixPath(n).name)]
    if len(lms) == 1:
        return lms[0], tr(f"took {lms[0]} as {wanted} (a learning platform renamed it)",
                          f"{lms[0]} pris pour {wanted} (renommé par la plateforme de cours)"), []
    alike = lms or [n for n in names if PurePosixPath(n).suffix == wanted_path.suffix]
    return None, None, alike


def notebook_problem(raw: bytes) -> str | None:
    """Why `raw` is not a gradable notebook (with the parser's line and column), or None."""
    if len(raw) > MAX_NOTEBOOK_BYTES:
        return tr(f"larger than {MAX_NOTEBOOK_BYTES // 2**20} MB", f"plus de {MAX_NOTEBOOK_BYTES // 2**20} Mo")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return tr(f"not UTF-8 (byte {exc.start})", f"pas en UTF-8 (octet {exc.start})")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return tr(f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                  f"JSON invalide ligne {exc.lineno}, colonne {exc.colno} : {exc.msg}")
    try:
        if not isinstance(data, dict) or data.get("nbformat") != 4:
            return tr("not a version 4 notebook (save it again from Jupyter)",
                      "pas un notebook version 4 (enregistrez-le à nouveau depuis Jupyter)")
        nbformat.validate(nbformat.from_dict(data))
    except (nbformat.ValidationError, AttributeError, KeyError, TypeError, ValueError) as exc:
        return tr("not a valid notebook", "notebook invalide") + f" ({str(exc).splitlines()[0][:200]})"
    return None


def module_problem(raw: bytes) -> str | None:
    """Why `raw` is not a usable lab module, or None. Python syntax is left to the grader's kernel."""
    if len(raw) > MAX_MODULE_BYTES:
        return tr(f"larger than {MAX_MODULE_BYTES // 2**20} MB", f"plus de {MAX_MODULE_BYTES // 2**20} Mo")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return tr(f"not UTF-8 (byte {exc.start})", f"pas en UTF-8 (octet {exc.start})")
    return None
