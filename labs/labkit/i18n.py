"""The student's language for labkit's messages: French or English, like the exam.

`LABKIT_LANG=fr` (or `en`) decides; without it, a French locale (`LC_ALL`, `LC_MESSAGES` or `LANG` starting with
`fr`) means French. Everything else reads English.
"""

from __future__ import annotations

import os


def language() -> str:
    chosen = os.environ.get("LABKIT_LANG", "").strip().lower()
    if chosen in ("fr", "en"):
        return chosen
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def tr(en: str, fr: str) -> str:
    """`en` or `fr`, in the student's language."""
    return fr if language() == "fr" else en
