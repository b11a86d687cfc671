"""The sheets of an ACH workbook: which columns, in which order, read how.

The layout (docs/FORMATS-SPREADSHEET.md) is the one analysts already use: one
row per evidence item, its fields first, then one column per hypothesis
holding the rating as written, then the rest. Further sheets hold the
hypotheses, the sources, the case's own fields and the collection candidates.
In CSV each sheet is a file: ``x.csv`` is the Evidence sheet and
``x.hypotheses.csv``, ``x.sources.csv``, ``x.case.csv``, ``x.collection.csv``
are its companions. :func:`sheets` lays a case dict out in these tables.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ...casefile import check_text, dump_case, to_data
from ...casefile.fields import KINDS, description, top_order
from ...casefile.remarks import remarks
from ...casefile.schema import schema
from ...errors import CaseError, Diagnostic, errors_of
from ...scales import NA, RATINGS, TERMS

__all__ = [
    "ABOUT",
    "ALIASES",
    "CANDIDATE_HEAD",
    "CANDIDATE_TAIL",
    "CASE_KEYS",
    "EVIDENCE_HEAD",
    "EVIDENCE_PATH",
    "EVIDENCE_TAIL",
    "EXCEL_CELL_CHARS",
    "HELP_SHEET",
    "HYPOTHESIS_COLUMNS",
    "KIND",
    "LAYOUT_HINT",
    "MAX_BYTES",
    "MAX_CELLS",
    "MAX_ROWS",
    "MAX_UNZIPPED",
    "RATING_WORDS",
    "REPORT_COLUMNS",
    "SHEETS",
    "SHEET_NOTES",
    "SOURCE_COLUMNS",
    "SUFFIXES",
    "Sheet",
    "acknowledge_text",
    "case_data",
    "companion",
    "defuse_formula",
    "formula_like",
    "if_false_text",
    "judgment_text",
    "number_text",
    "outcome_text",
    "restore_formula",
    "sheets",
    "xl_escape",
    "xl_unescape",
]

MAX_BYTES = 50 * 2**20  # a file: a 10,000-item case is a few MB


MAX_UNZIPPED = 250 * 2**20  # everything inside an .xlsx (zip bombs)


MAX_ROWS = 100_000  # rows in one sheet


MAX_CELLS = 2_000_000  # cells read in one workbook or CSV file (the loader's MAX_VALUES)


EXCEL_CELL_CHARS = 32_767  # the most text an Excel cell holds


LAYOUT_HINT = "see docs/FORMATS-SPREADSHEET.md for the sheets and columns ach reads"


# The columns of each sheet. Their names are the case format's fields (the schema's, checked in
# tests/test_spreadsheet.py); their order is the one analysts keep a matrix in: an item's classic
# ACH fields first, then one column per hypothesis, then the rest.
EVIDENCE_HEAD = (
    "id",
    "text",
    "source",
    "type",
    "date",
    "credibility",
    "credibility_confidence",
    "relevance",
    "confidence",
)
EVIDENCE_TAIL = ("if_false", "citation_report", "citation_quote", "citation_url", "notes")
HYPOTHESIS_COLUMNS = KINDS["hypothesis"].order
SOURCE_COLUMNS = KINDS["source"].order
REPORT_COLUMNS = tuple(schema()["properties"]["reports"]["items"]["properties"])
CANDIDATE_HEAD = ("id", "text", "credibility")
CANDIDATE_TAIL = ("notes",)
CASE_KEYS = tuple(
    k for k in top_order() if k not in ("hypotheses", "sources", "evidence", "collection", "reports", "scale")
)
SHEETS = ("Evidence", "Hypotheses", "Sources", "Case", "Collection", "Reports", "Rationales")
RATIONALE_COLUMNS = ("sheet", "id", "field", "place", "comment")


HELP_SHEET = "Help"


SUFFIXES = {
    "hypotheses": "Hypotheses",
    "sources": "Sources",
    "case": "Case",
    "collection": "Collection",
    "reports": "Reports",
    "rationales": "Rationales",
}
OPTIONAL_SHEETS = ("Collection", "Reports", "Rationales")  # CSV files written only when the case has some


# How a column's cells are read (see _Reader.value).
def _kind_of(spec: dict) -> str:
    """How a cell holding this schema field is read (see values.CellReader.value)."""
    ref = spec.get("$ref", "").rsplit("/", 1)[-1]
    if ref in ("id", "date", "level", "reliability", "credibility"):
        return ref
    kind = spec.get("type")
    return (
        {"number": "number", "boolean": "bool", "string": "text"}.get(kind, "text") if isinstance(kind, str) else "text"
    )


# How each column's cells are read: from the schema's type of the field, and the columns a sheet adds.
KIND = {
    **{f: _kind_of(spec) for k in KINDS.values() for f, spec in k.properties.items()},
    **{f: _kind_of(schema()["properties"][f]) for f in CASE_KEYS},
    "text": "text",
    "if_false": "if_false",
    "citation_report": "text",
    "citation_quote": "text",
    "citation_url": "text",
    "comment": "text",
    "acknowledge": "acknowledge",
    "outcome": "outcome",
    "judgment": "judgment",
    "publisher": "text",
    "url": "text",
}


# Other spellings of column headers (after _norm): what analysts tend to write.
ALIASES = {
    "evidence": {
        "report": "citation_report",
        "citation": "citation_report",
        "quote": "citation_quote",
        "url": "citation_url",
        "link": "citation_url",
        "note": "notes",
        "evidence_id": "id",
        "item_id": "id",
        "#": "id",
        "no.": "id",
        "evidence": "text",
        "evidence_text": "text",
        "evidence_item": "text",
        "item": "text",
        "description": "text",
        "evidence_type": "type",
        "kind": "type",
    },
    "collection": {"note": "notes", "candidate": "id"},
    "hypotheses": {"hypothesis": "id", "name": "title", "catchall": "catch_all", "weight": "prior"},
    "sources": {"source": "id", "name": "title", "reliability_confidence": "confidence", "note": "notes"},
}


EVIDENCE_PATH = {
    "citation_report": ("citation", "report"),
    "citation_quote": ("citation", "quote"),
    "citation_url": ("citation", "url"),
}


# Header notes in the workbook and the Case sheet's third column: the schema's descriptions,
# and a few said the way a spreadsheet needs them said.
SHEET_NOTES = {
    "citation_report": "The report the item comes from (file or reference).",
    "citation_quote": "The sentence quoted from the report.",
    "citation_url": "Link to the report.",
    "source": "Id of a row on the Sources sheet. Empty: the item is its own source, of the case's default_reliability (1 if it states none).",
    "date": "YYYY-MM-DD (an Excel date or text).",
    "credibility": "P(item genuine | source reliable): a number in [0, 1], low/medium/high, or Admiralty 1-6 "
    "(a whole number 1-6 is a code: type '1.0 as text for certainty).",
    "if_false": "P(report exists | not genuine): a number, or one per hypothesis: H1=0.3; H2=0.5.",
    "catch_all": "TRUE for the hypothesis that stands for everything not listed.",
    "question": "The one question the hypotheses answer (ach import makes one up from the title if it is missing).",
    "comment": "The case file's opening comment (it becomes the comment at the top of the YAML file).",
    "outcome": "What really happened: unresolved, or one field per line: hypothesis: ID, date: YYYY-MM-DD, "
    "source: how it is known, note: ...",
    "judgment": "The analyst's own probabilities, one hypothesis per line: KH: 0.7 (or 70%); they sum to 1.",
}
ABOUT = {
    "Evidence": {**{f: description("evidence", f) for f in KINDS["evidence"].order}, **SHEET_NOTES},
    "Hypotheses": {f: description("hypotheses", f) for f in HYPOTHESIS_COLUMNS}
    | {"catch_all": SHEET_NOTES["catch_all"]},
    "Sources": {f: description("sources", f) for f in SOURCE_COLUMNS},
    "Case": {
        **{f: description(f) for f in CASE_KEYS},
        "question": SHEET_NOTES["question"],
        "comment": SHEET_NOTES["comment"],
        "outcome": SHEET_NOTES["outcome"],
        "judgment": SHEET_NOTES["judgment"],
    },
    "Collection": {**{f: description("collection", f) for f in KINDS["candidate"].order}},
    "Reports": {f: description("reports", f) for f in REPORT_COLUMNS},
}


RATING_WORDS = (*RATINGS, NA, *TERMS)  # what the rating cells offer in their drop-down


_XL_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


_XL_LITERAL = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


_XL_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")


def companion(path: str | Path, sheet: str) -> Path:
    """``x.csv`` -> ``x.hypotheses.csv`` (sheet ``Hypotheses``) etc."""
    path = Path(path)
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return path.with_name(f"{stem}.{sheet.lower()}{path.suffix or '.csv'}")


@dataclass
class Exported:
    """What an export writes: the case as the analyst wrote it, and its comments."""

    data: dict
    comment: str  # the file's opening comment block
    origin: str  # the file name, for messages
    remarks: list = field(default_factory=list)  # ach.casefile.remarks.Remark, one per comment
    untied: list = field(default_factory=list)  # lines of comments no sheet can hold


def case_data(case) -> Exported:
    """The case dict as the analyst wrote it, with its comments.

    From a dict: itself, checked as a case. From a loaded Case: what its file
    said (:func:`ach.casefile.to_data`), and the comments of that file if it is
    still the one that was loaded.
    """
    if isinstance(case, dict):
        _, found = check_text(dump_case(case).encode("utf-8"), "<case>")
        if errors_of(found):
            raise CaseError(found)
        return Exported(case, "", "<case>")
    data, comment = to_data(case)
    text = _text_as_loaded(case)
    notes, untied = remarks(text) if text is not None else ([], [])
    return Exported(data, comment, case.path, notes, untied)


def _text_as_loaded(case) -> str | None:
    try:
        raw = Path(case.path).read_bytes()
    except OSError:
        return None
    if hashlib.sha256(raw).hexdigest() != case.sha256:
        return None
    return raw.decode("utf-8-sig", errors="replace")


@dataclass
class Sheet:
    """One sheet to write: headers, a kind per column (for styles), rows of values."""

    name: str
    headers: list[str]
    kinds: list[str]
    rows: list[list]
    about: list[str]


def sheets(data: dict, comment: str, notes=()) -> list[Sheet]:
    hyps = [h.get("id") for h in data.get("hypotheses") or [] if isinstance(h, dict)]
    hyps = [h for h in hyps if isinstance(h, str)]
    taken = set(hyps)
    titles = {h.get("id"): h.get("title", "") for h in data.get("hypotheses") or [] if isinstance(h, dict)}

    def head(name: str) -> str:
        """The header of a fixed column, in a spelling no hypothesis id uses (ids win exact matches)."""
        for variant in (name, name.capitalize(), name.upper(), name.title(), name.replace("_", " ")):
            if variant not in taken:
                return variant
        raise CaseError(
            [
                Diagnostic(
                    "error",
                    f"the hypothesis ids take every spelling of the column name '{name}'",
                    hint="rename one of those hypotheses",
                )
            ]
        )

    def rating_about(h):
        return f"{h}: {titles.get(h) or h}\nP(this item | {h}): CC C N I II NA, an ICD 203 term, or a probability."

    evidence_rows = []
    for e in data.get("evidence") or []:
        lik = e.get("likelihood") or {}
        cit = e.get("citation") or {}
        evidence_rows.append(
            [
                e.get("id"),
                e.get("text"),
                e.get("source"),
                e.get("type"),
                e.get("date"),
                e.get("credibility"),
                e.get("credibility_confidence"),
                e.get("relevance"),
                e.get("confidence"),
                *[lik.get(h) for h in hyps],
                if_false_text(e.get("if_false")),
                cit.get("report"),
                cit.get("quote"),
                cit.get("url"),
                e.get("notes"),
            ]
        )
    evidence = Sheet(
        "Evidence",
        [head(c) for c in EVIDENCE_HEAD] + hyps + [head(c) for c in EVIDENCE_TAIL],
        [KIND[c] for c in EVIDENCE_HEAD] + ["rating"] * len(hyps) + [KIND[c] for c in EVIDENCE_TAIL],
        evidence_rows,
        [ABOUT["Evidence"][c] for c in EVIDENCE_HEAD]
        + [rating_about(h) for h in hyps]
        + [ABOUT["Evidence"][c] for c in EVIDENCE_TAIL],
    )
    hypotheses = Sheet(
        "Hypotheses",
        list(HYPOTHESIS_COLUMNS),
        [KIND[c] for c in HYPOTHESIS_COLUMNS],
        [[h.get(c) for c in HYPOTHESIS_COLUMNS] for h in data.get("hypotheses") or []],
        [ABOUT["Hypotheses"][c] for c in HYPOTHESIS_COLUMNS],
    )
    sources = Sheet(
        "Sources",
        list(SOURCE_COLUMNS),
        [KIND[c] for c in SOURCE_COLUMNS],
        [[s.get(c) for c in SOURCE_COLUMNS] for s in data.get("sources") or []],
        [ABOUT["Sources"][c] for c in SOURCE_COLUMNS],
    )
    shown = {"acknowledge": acknowledge_text, "outcome": outcome_text, "judgment": judgment_text}
    case_rows = [[k, shown.get(k, lambda v: v)(data.get(k)), ABOUT["Case"][k]] for k in CASE_KEYS]
    scale = data.get("scale") or {}
    for k, v in (scale.get("ratings") or {}).items():
        case_rows.append(
            [f"scale.ratings.{k}", v, f"The likelihood of the classic rating {k} (default scale overridden)."]
        )
    for k, v in (scale.get("terms") or {}).items():
        band = ", ".join(number_text(x) for x in v) if isinstance(v, list) else v
        case_rows.append([f"scale.terms.{k}", band, f"The 5-95 % band of '{k}': low, high."])
    if comment:
        case_rows.append(["comment", comment, ABOUT["Case"]["comment"]])
    case = Sheet(
        "Case",
        ["field", "value", "about"],
        ["id", "case", "text"],
        case_rows,
        ["A field of the case.", "Its value.", "What it means (not read back)."],
    )
    collection = Sheet(
        "Collection",
        [head(c) for c in CANDIDATE_HEAD] + hyps + [head(c) for c in CANDIDATE_TAIL],
        [KIND[c] for c in CANDIDATE_HEAD] + ["candidate"] * len(hyps) + [KIND[c] for c in CANDIDATE_TAIL],
        [
            [
                c.get("id"),
                c.get("text"),
                c.get("credibility"),
                *[(c.get("likelihood") or {}).get(h) for h in hyps],
                c.get("notes"),
            ]
            for c in data.get("collection") or []
        ],
        [
            "Candidate observation id.",
            "What we might observe.",
            "How far we could trust it: number, low/medium/high, 1-6.",
        ]
        + [f"{h}: {titles.get(h) or h}\nP(we would observe it | {h}); NA not allowed." for h in hyps]
        + [ABOUT["Collection"]["notes"]],
    )
    reports = Sheet(
        "Reports",
        list(REPORT_COLUMNS),
        [KIND[c] for c in REPORT_COLUMNS],
        [[r.get(c) for c in REPORT_COLUMNS] for r in data.get("reports") or []],
        [ABOUT["Reports"][c] for c in REPORT_COLUMNS],
    )
    rationales = Sheet(
        "Rationales",
        list(RATIONALE_COLUMNS),
        ["id", "id", "id", "id", "text"],
        [[n.sheet, n.id, n.field, n.place, n.text] for n in notes],
        [
            "The sheet of the commented thing: Case, Hypotheses, Sources, Evidence, Collection.",
            "The id of its row (empty on the Case sheet).",
            "Its field: a column name; a rating column as likelihood.H; empty for the row itself.",
            "end: the comment at the end of the field's line; above: whole comment lines above it.",
            "The comment: the analyst's reason, kept through the round trip.",
        ],
    )
    return [evidence, hypotheses, sources, case, collection, reports, rationales]


def acknowledge_text(entries) -> str | None:
    """The acknowledged warnings in one cell, one per line: ``non-diagnostic at E13: why``."""
    if not entries:
        return None
    return "\n".join(
        f"{e.get('warning')}{' at ' + e['at'] if e.get('at') else ''}: {e.get('why', '')}" for e in entries
    )


def outcome_text(value) -> str | None:
    """The outcome in one cell: ``unresolved``, or ``hypothesis: ID`` and its other fields, one per line."""
    if not isinstance(value, dict):
        return value
    return "\n".join(f"{k}: {v}" for k, v in value.items())


def judgment_text(value) -> str | None:
    """The judgment in one cell, one hypothesis per line: ``KH: 0.7`` (or ``KH: 70%`` as written)."""
    if not isinstance(value, dict):
        return value
    return "\n".join(f"{h}: {v if isinstance(v, str) else number_text(v)}" for h, v in value.items())


def if_false_text(value):
    if isinstance(value, dict):
        return "; ".join(f"{h}={number_text(v)}" for h, v in value.items()) if value else "{}"
    return value


def number_text(value) -> str:
    """A number as text that reads back as the same number (and the same int or float)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(value)
    return str(value)


# A cell a spreadsheet program would read as a formula (CSV injection): OWASP's list of first
# characters (= + - @ tab, carriage return) and a line feed, behind any apostrophes already there.
_FORMULA_START = re.compile(r"'*[=+\-@\t\r\n]")


def formula_like(text: str) -> bool:
    return _FORMULA_START.match(text) is not None


def defuse_formula(text: str) -> str:
    """Text a spreadsheet shows as text: OWASP's leading apostrophe before a formula-like cell.

    Text that already starts with apostrophes before such a character gets one
    more, so that :func:`restore_formula` gives back exactly what was written.
    """
    return "'" + text if formula_like(text) else text


def restore_formula(text: str) -> str:
    """Undo :func:`defuse_formula`: one leading apostrophe before a formula-like cell is dropped."""
    return text[1:] if text.startswith("'") and formula_like(text[1:]) else text


def xl_escape(text: str) -> str:
    """OOXML's own escape for characters XML cannot carry (``_x000D_``), as Excel writes it."""
    if "_x" in text:
        text = _XL_LITERAL.sub("_x005F_", text)
    return _XL_UNSAFE.sub(lambda m: f"_x{ord(m[0]):04X}_", text)


def xl_unescape(text: str) -> str:
    if "_x" not in text:
        return text

    def char(m):
        code = int(m[1], 16)
        return m[0] if 0xD800 <= code <= 0xDFFF else chr(code)

    return _XL_ESCAPED.sub(char, text)
