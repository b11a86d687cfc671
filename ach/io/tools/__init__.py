"""Other ACH tools' exports (JSON) to a case dict, the layout found by the file's content.

One module per tool, each with ``match(doc)`` (whether the parsed JSON is in
its layout) and ``convert(doc, walk)`` (the case dict and the header comment
of the new file). :func:`read_tool_export` parses the file, asks each module
in turn, and runs the case loader's checks on what it made, so that a file
that imports is a valid case. A JSON file in none of the layouts is refused
with the keys it has and the layouts ach knows. Every problem of a file is
reported at once, each at its JSON path (``achMatrices[0].ratings.e1.h2``);
nothing here raises anything but :class:`~ach.errors.CaseError`. The layouts
and where they were learnt: docs/FORMATS-TOOLS.md.
"""

from __future__ import annotations

import dataclasses

from ...casefile import check_text, dump_case
from ...errors import CaseError, Diagnostic
from ...files import read_input
from ...formatting import clip
from . import arkhammirror, intelworkbench
from .jsondoc import MAX_BYTES, Walk, kind_of, load_json

__all__ = ["LAYOUTS", "parse_tool_export", "read_tool_export"]

LAYOUTS = {
    intelworkbench.NAME: "a project export: an object with id, name and achMatrices (each with hypotheses, "
    "evidence and ratings)",
    arkhammirror.NAME: "an ACH matrix export: an object with metadata, hypotheses, evidence and ratings",
}

CASE_KEYS = {"question", "hypotheses", "evidence"}


def read_tool_export(path, warnings: list[Diagnostic] | None = None, *, matrix: str | None = None) -> tuple[dict, str]:
    """(case dict, header comment) for another ACH tool's JSON export (see :data:`LAYOUTS`).

    ``matrix`` names the Intel Workbench matrix to import when a project holds
    several (by name or id; default: the first with content). Raises
    :class:`CaseError` listing every problem; pass a list as ``warnings`` to
    receive the warnings (each is also summarised in the header).
    """
    name = str(path)
    raw = read_input(path, "a JSON export of an ACH tool", limit=MAX_BYTES)
    return parse_tool_export(raw, name, warnings, matrix=matrix)


def parse_tool_export(
    raw: bytes, name: str = "<json>", warnings: list[Diagnostic] | None = None, *, matrix: str | None = None
) -> tuple[dict, str]:
    """:func:`read_tool_export` for the bytes of a file; ``name`` is used in diagnostics."""
    doc = load_json(raw, name)
    if isinstance(doc, str) and doc.lstrip().startswith(("{", "[")):  # the export written as one JSON string
        doc = load_json(doc.encode("utf-8", "surrogatepass"), name)
    walk = Walk(name)
    if isinstance(doc, dict) and CASE_KEYS <= set(doc):  # an ach case, not an export
        raise CaseError([_unknown(doc, name)])
    if intelworkbench.match(doc):
        data, header = intelworkbench.convert(doc, walk, matrix)
    elif (found := arkhammirror.match(doc)) is not None:
        data, header = arkhammirror.convert(found, walk)
    else:
        raise CaseError([_unknown(doc, name)])
    found = _loader_check(data, header, name, walk.warnings)
    if warnings is not None:
        warnings.extend(walk.warnings)
        warnings.extend(d for d in found if d not in warnings)
    return data, header


def _unknown(doc, name: str) -> Diagnostic:
    known = "; ".join(f"{tool}: {layout}" for tool, layout in LAYOUTS.items())
    hint = f"ach imports these JSON layouts. {known} (docs/FORMATS-TOOLS.md)"
    if isinstance(doc, dict):
        keys = [k for k in doc if isinstance(k, str)]
        shown = ", ".join(clip(k, 30) for k in keys[:10]) + (", …" if len(keys) > 10 else "")
        what = f"an object with the keys {shown}" if keys else "an empty object"
        if CASE_KEYS <= set(keys):
            hint = (
                "it looks like an ach case written as JSON: a case file is YAML, which reads JSON too; "
                "rename it to .yaml and run `ach validate` on it"
            )
    else:
        what = kind_of(doc)
    return Diagnostic(
        "error",
        f"this JSON is none of the layouts ach imports: the file holds {what}",
        name,
        field="JSON",
        hint=hint,
        code="unknown-layout",
    )


def _loader_check(data: dict, header: str, name: str, warnings: list[Diagnostic]) -> list[Diagnostic]:
    """The loader's warnings on the case made (lines and TODOs left out: the file is not written yet,
    and the header says what the TODOs are); its errors, which would be a fault here, as a CaseError
    that carries the import's ``warnings`` too (every problem at once)."""
    _, found = check_text(dump_case(data, header).encode("utf-8"), name)
    found = [dataclasses.replace(d, line=None) for d in found if d.code != "todo"]
    if any(d.is_error for d in found):
        raise CaseError([*warnings, *found])
    return found
