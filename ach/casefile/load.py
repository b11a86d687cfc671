"""Read a case file: YAML -> schema check -> :class:`~ach.case.Case`.

Every problem becomes a :class:`~ach.errors.Diagnostic` naming the file, the
line and the field (and, for programs, the path to the value and a code), and
all of them are collected before giving up, so ``ach validate`` can list them
at once. A value the schema rejects is reported once and then set aside
(:data:`INVALID`), so that the checks that follow can still run on the rest of
the file without echoing the same mistake.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from ..case import Case
from ..errors import CaseError, Diagnostic
from ..files import read_input
from ..formatting import quoted
from .build import Builder
from .quickyaml import Lines, quick_values
from .schema import schema
from .yaml import FORMAT_HINT, Unreadable, fast_parse, line_of, opening_comment, parse_yaml, plain_data

__all__ = ["FAST_FROM", "check", "check_text", "load", "loads"]

FAST_FROM = 0  # characters: libyaml reads every plain file (same values, same lines: tests/test_fast_yaml.py), 10x faster than ruamel


def load(path: str | Path) -> Case:
    """Load and validate a case file; raise :class:`CaseError` listing every error."""
    case, diagnostics = check(path)
    if case is None:
        raise CaseError(diagnostics)
    return case


def loads(text: str, path: str = "<string>") -> Case:
    """Load a case from YAML text (tests, notebooks, stdin)."""
    case, diagnostics = check_text(text.encode(), path)
    if case is None:
        raise CaseError(diagnostics)
    return case


def check(path: str | Path) -> tuple[Case | None, list[Diagnostic]]:
    """(case or None, every error and warning) for a file; ``-`` reads stdin."""
    try:
        raw = read_input(path, "a case file")
    except CaseError as exc:
        return None, exc.diagnostics
    found = not_a_case_file(raw, str(path)) or check_text(raw, str(path))
    return (found[0] is None and foreign_json(raw, str(path))) or found


def foreign_json(raw: bytes, name: str) -> tuple[None, list[Diagnostic]] | None:
    """A ``.json`` file with no ``question`` and keys no case file has: another tool's export, most likely.
    A JSON case file is a case file (JSON is YAML); a foreign one gets the way in, not the schema's
    every complaint about a layout it was never meant to have."""
    import json

    if Path(name).suffix.lower() != ".json":
        return None
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None  # the YAML reader has said what is wrong with it
    if isinstance(doc, dict) and ("question" in doc or doc.keys() <= schema()["properties"].keys()):
        return None  # a case file, perhaps with mistakes the schema will name
    return None, [
        Diagnostic(
            "error",
            "this JSON file is not a case file: it has no `question`, and keys a case file does not have",
            name,
            hint=f"if it is another ACH tool's export (Intel Workbench, ArkhamMirror), turn it into one: "
            f"ach import {name} -o {Path(name).stem}.yaml",
            code="not-a-case-file",
        )
    ]


def not_a_case_file(raw: bytes, name: str) -> tuple[None, list[Diagnostic]] | None:
    """A spreadsheet or PARC file given where a case file belongs: say how to import it."""
    suffix = Path(name).suffix.lower()
    if suffix in _IMPORTED or raw.startswith(b"PK\x03\x04"):  # a zip: a workbook or .achz, whatever its name
        what = _IMPORTED.get(suffix, "a zip archive (an Excel workbook or a PARC ACH file)")
        out = f"{Path(name).stem}.yaml" if suffix in _IMPORTED else "case.yaml"
        return None, [
            Diagnostic(
                "error",
                f"this is {what}, not a case file",
                name,
                hint=f"turn it into one first: ach import {name} -o {out}",
                code="not-a-case-file",
            )
        ]
    return None


_IMPORTED = {
    ".xlsx": "an Excel workbook",
    ".xlsm": "an Excel workbook",
    ".csv": "a CSV file",
    ".achz": "a PARC ACH file",
}


def check_text(raw: bytes, name: str) -> tuple[Case | None, list[Diagnostic]]:
    """(case or None, every error and warning) for the bytes of a case file."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [
            Diagnostic(
                "error",
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x})",
                name,
                line,
                hint="save the file as UTF-8",
                code="not-utf8",
            )
        ]
    quick = quick_values(text)
    fast = fast_parse(text) if quick is None and len(text) >= FAST_FROM else None
    if quick is not None:  # a large, plain file: values now, lines when asked (ach.casefile.quickyaml)
        (doc, line), problem = (quick, Lines(text, name, quick)), None
    elif fast is not None:  # a plain file
        (doc, line), problem = fast, None
    else:
        doc, problem = parse_yaml(text, name)
        line = functools.partial(line_of, doc)
    if problem:
        return None, [problem]
    if doc is None:
        return None, [Diagnostic("error", "the file is empty (no YAML content)", name, hint=FORMAT_HINT, code="empty")]
    if not isinstance(doc, dict):
        found = "a list" if isinstance(doc, list) else f"the single value {quoted(doc)}"
        return None, [
            Diagnostic(
                "error",
                f"the file holds {found}; a case is a mapping with question, hypotheses and evidence",
                name,
                1,
                hint=FORMAT_HINT,
                code="not-a-mapping",
            )
        ]
    try:
        data = doc if quick is not None else plain_data(doc)  # JSON's values are plain, and hold no alias
    except Unreadable as exc:
        return None, [
            Diagnostic(
                "error",
                str(exc),
                name,
                hint="write each value out instead of repeating it through aliases",
                code="yaml",
            )
        ]
    return Builder(line, data, name, hashlib.sha256(raw).hexdigest(), opening_comment(text), text).build()
