"""The ``TODO`` placeholders ``ach new`` and ``ach add`` leave: one warning for each line that still has one.

A scaffold full of placeholders is valid YAML and a valid case, yet not an
analysis; each placeholder left is said, with its line, until it is replaced.
A placeholder is ``TODO`` opening a value or a comment, not the word in a
sentence ("replace every TODO").
"""

from __future__ import annotations

import re

from ..errors import Diagnostic

__all__ = ["placeholders"]

_PLACEHOLDER = re.compile(r"""(?:^|[:#-]\s*["']?)(TODO\b.*)""")


def placeholders(text: str, file: str) -> list[Diagnostic]:
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if "TODO" not in line:
            continue
        match = _PLACEHOLDER.search(line.strip())
        if match is None:
            continue
        what = match.group(1).rstrip("\"' ")
        what = what if len(what) <= 60 else what[:59] + "…"
        out.append(
            Diagnostic(
                "warning",
                f"placeholder left: '{what}'",
                file,
                number,
                hint=(
                    "rate the cell with `ach rate`, which removes the TODO"
                    if what.startswith("TODO rate")
                    else "write what it asks for and remove the TODO (grep TODO lists them all)"
                ),
                code="todo",
            )
        )
    return out
