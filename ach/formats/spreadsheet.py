"""Spreadsheets: an ACH matrix in Excel (``.xlsx``) or CSV, to and from a case file.

The layout (docs/FORMATS-SPREADSHEET.md) is the one analysts already use: one
row per evidence item, its fields first, then one column per hypothesis holding
the rating as written, then the rest. Further sheets hold the hypotheses, the
sources, the case's own fields and the collection candidates. In CSV each sheet
is a file: ``x.csv`` is the Evidence sheet and ``x.hypotheses.csv``,
``x.sources.csv``, ``x.case.csv``, ``x.collection.csv`` are its companions.

Exporting starts from what the analyst wrote: the case file's own YAML values
(read again from disk, checked against the loaded case's SHA-256), so every
rating, Admiralty code, confidence and number goes out exactly as written; a
case with no file behind it is rebuilt from its ``Belief`` labels. Importing
reads the cells back into a plain dict shaped like a case file, runs the
loader's checks on it and reports every problem at the cell it comes from
(``Evidence!F4 (KH)``); :func:`ach.formats.casefile.write_case` then writes it.

The round trip case file -> workbook -> case file keeps everything the loaded
case holds; YAML comments become the Case sheet's ``comment`` (the file's
opening comment block) or are lost (comments inside the file).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import CaseError, Diagnostic

MAX_BYTES = 50 * 2**20  # a file: a 10,000-item case is a few MB
MAX_UNZIPPED = 250 * 2**20  # everything inside an .xlsx (zip bombs)
MAX_ROWS = 100_000  # rows in one sheet
MAX_CELLS = 2_000_000  # cells read in one workbook or CSV file (the loader's MAX_VALUES)
EXCEL_CELL_CHARS = 32_767  # the most text an Excel cell holds
LAYOUT_HINT = "see docs/FORMATS-SPREADSHEET.md for the sheets and columns ach reads"

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
HYPOTHESIS_COLUMNS = ("id", "title", "description", "prior", "catch_all")
SOURCE_COLUMNS = ("id", "title", "reliability", "confidence", "notes")
CANDIDATE_HEAD = ("id", "text", "credibility")
CANDIDATE_TAIL = ("notes",)
CASE_KEYS = ("title", "question", "description", "analyst", "date", "prior_concentration")
SHEETS = ("Evidence", "Hypotheses", "Sources", "Case", "Collection")
HELP_SHEET = "Help"
SUFFIXES = {"hypotheses": "Hypotheses", "sources": "Sources", "case": "Case", "collection": "Collection"}

# How a column's cells are read (see _Reader.value).
KIND = {
    "id": "id",
    "text": "text",
    "source": "id",
    "type": "text",
    "date": "date",
    "credibility": "credibility",
    "credibility_confidence": "level",
    "relevance": "level",
    "confidence": "level",
    "if_false": "if_false",
    "citation_report": "text",
    "citation_quote": "text",
    "citation_url": "text",
    "notes": "text",
    "title": "text",
    "description": "text",
    "prior": "number",
    "catch_all": "bool",
    "reliability": "reliability",
    "question": "text",
    "analyst": "text",
    "prior_concentration": "number",
    "comment": "text",
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
ABOUT = {  # header notes in the workbook and the Case sheet's third column
    "id": "A unique id: letters, digits, '_', '.', '-'.",
    "text": "What the item says.",
    "source": "Id of a row on the Sources sheet. Empty: the item is its own source (reliability 1).",
    "type": "Free text, e.g. claim, physical, testimony.",
    "date": "YYYY-MM-DD (an Excel date or text).",
    "credibility": "P(item genuine | source reliable): a number in [0, 1], low/medium/high, or Admiralty 1-6 "
    "(a whole number 1-6 is a code: type '1.0 as text for certainty).",
    "credibility_confidence": "low/medium/high: how sure you are of the credibility.",
    "relevance": "low/medium/high: weight in the classic (Heuer) score.",
    "confidence": "low/medium/high: your confidence in this row's ratings.",
    "if_false": "P(report exists | not genuine): a number, or one per hypothesis: H1=0.3; H2=0.5.",
    "citation_report": "The report the item comes from (file or reference).",
    "citation_quote": "The sentence quoted from the report.",
    "citation_url": "Link to the report.",
    "notes": "Free text.",
    "title": "Short title.",
    "description": "Longer description.",
    "prior": "Prior weight (normalised); give one for every hypothesis or none (uniform).",
    "catch_all": "TRUE for the hypothesis that stands for everything not listed.",
    "reliability": "P(the source's reports are genuine): a number in [0, 1], low/medium/high, or Admiralty A-F.",
    "question": "The one question the hypotheses answer (required).",
    "analyst": "Who wrote the case.",
    "prior_concentration": "Dirichlet concentration of the prior (empty: a fixed prior).",
    "comment": "The case file's opening comment (it becomes the comment at the top of the YAML file).",
}
RATING_WORDS = (
    "CC",
    "C",
    "N",
    "I",
    "II",
    "NA",
    "almost no chance",
    "very unlikely",
    "unlikely",
    "roughly even chance",
    "likely",
    "very likely",
    "almost certain",
)

_INT = re.compile(r"[-+]?\d+")
_FLOAT = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
_COMMA_DECIMAL = re.compile(r"[-+]?\d+,\d+")
_XL_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_XL_LITERAL = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_XL_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
_TRUE = {"true", "yes", "y", "x", "1", "t", "✓"}
_FALSE = {"false", "no", "n", "0", "f", "-"}


# -- public API -----------------------------------------------------------------


def export_xlsx(case, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``case`` (a loaded :class:`~ach.case.Case` or a case dict) as an Excel workbook, atomically."""
    from ..files import write_atomic

    path = Path(path)
    data, comment, origin = case_data(case)
    _check_storable(data, comment, origin, excel=True)
    _refuse_existing([path], overwrite)
    return write_atomic(path, _workbook_bytes(data, comment))


def export_csv(case, path: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Write ``case`` as ``x.csv`` (the Evidence sheet) plus ``x.hypotheses.csv``,
    ``x.sources.csv``, ``x.case.csv`` and, with candidates, ``x.collection.csv``.

    Returns the paths written. Every file is written atomically; a stale
    ``x.collection.csv`` is removed (only with ``overwrite``).
    """
    from ..files import write_atomic

    path = Path(path)
    data, comment, origin = case_data(case)
    _check_storable(data, comment, origin, excel=False)
    files = {path: None, **{companion(path, s): s for s in SUFFIXES.values()}}
    tables = {t.name: t for t in _tables(data, comment)}
    contents = {
        p: _csv_bytes(tables["Evidence" if s is None else s])
        for p, s in files.items()
        if s != "Collection" or data.get("collection")
    }
    stale = [p for p, s in files.items() if p not in contents and p.exists()]
    _refuse_existing([*contents, *stale], overwrite)
    written = []
    try:
        for p, content in contents.items():
            existed = p.exists()
            write_atomic(p, content)
            written.append((p, existed))
    except BaseException:
        for p, existed in written:
            if not existed:
                p.unlink(missing_ok=True)
        raise
    for p in stale:
        p.unlink(missing_ok=True)
    return list(contents)


def read_xlsx(path: str | Path, warnings: list[Diagnostic] | None = None) -> tuple[dict, str]:
    """(case dict, header comment) from an Excel workbook in the ach layout.

    Raises :class:`CaseError` naming the sheet, row and column of every
    problem, the loader's own checks included. Pass a list as ``warnings`` to
    receive the warnings.
    """
    name = str(path)
    tables, notes = _workbook_tables(Path(path), name)
    return _Reader(name, tables, notes, csv=False).read(warnings)


def read_csv(path: str | Path, warnings: list[Diagnostic] | None = None) -> tuple[dict, str]:
    """(case dict, header comment) from ``x.csv`` and the companions beside it.

    Without ``x.hypotheses.csv`` the hypotheses are the rating columns'
    headers (titles = ids, with a warning); without ``x.case.csv`` there is no
    question, which is an error.
    """
    path = Path(path)
    name = str(path)
    for suffix, sheet in SUFFIXES.items():
        if path.name.lower().endswith(f".{suffix}.csv"):
            main = path.name[: -len(f".{suffix}.csv")] + ".csv"
            raise CaseError(
                [
                    Diagnostic(
                        "error",
                        f"this is the {sheet} companion of a CSV case, not its evidence matrix",
                        name,
                        hint=f"import the evidence file {main}; ach reads its companions itself",
                    )
                ]
            )
    notes: list[Diagnostic] = []
    tables = {"Evidence": _csv_table(path, "Evidence", notes, required=True)}
    for sheet in SUFFIXES.values():
        tables[sheet] = _csv_table(companion(path, sheet), sheet, notes, required=False)
    return _Reader(name, tables, notes, csv=True).read(warnings)


def companion(path: str | Path, sheet: str) -> Path:
    """``x.csv`` -> ``x.hypotheses.csv`` (sheet ``Hypotheses``) etc."""
    path = Path(path)
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return path.with_name(f"{stem}.{sheet.lower()}{path.suffix or '.csv'}")


def case_data(case) -> tuple[dict, str, str]:
    """(case dict as the analyst wrote it, opening comment, file name for messages).

    From a dict: itself. From a loaded Case whose file is unchanged on disk:
    the file's YAML values, read again. Otherwise rebuilt from the Case.
    """
    if isinstance(case, dict):
        from ..loader import check_text
        from .casefile import dump_case

        _, found = check_text(dump_case(case).encode("utf-8"), "<case>")
        if any(d.level == "error" for d in found):
            raise CaseError(found)
        return case, "", "<case>"
    raw = _raw_yaml(case)
    if raw is not None:
        return raw[0], raw[1], case.path
    return rebuild(case), "", case.path


def rebuild(case) -> dict:
    """A case dict from a loaded Case, through the labels its ratings keep.

    Exact for everything a Case holds, except what it does not keep: the
    analyst and date of the case (lost) and a repeated evidence id (restored
    from the renamed ``E1~2``).
    """
    from ..scales import RATINGS, TERMS, credibility, reliability

    data: dict = {}
    if case.title:
        data["title"] = case.title
    data["question"] = case.question
    if case.description:
        data["description"] = case.description
    if case.prior_concentration is not None:
        data["prior_concentration"] = case.prior_concentration
    data["hypotheses"] = []
    for h in case.hypotheses:
        spec = {"id": h.id, "title": h.title}
        if h.description:
            spec["description"] = h.description
        if h.prior is not None:
            spec["prior"] = h.prior
        if h.catch_all:
            spec["catch_all"] = True
        data["hypotheses"].append(spec)
    sources = [s for s in case.sources if not s.implicit]
    if sources:
        data["sources"] = []
    for s in sources:
        value, conf = _as_written(s.reliability, reliability, admiralty_letters=True)
        spec = {"id": s.id, "title": s.title, "reliability": value}
        if conf:
            spec["confidence"] = conf
        if s.notes:
            spec["notes"] = s.notes
        data["sources"].append(spec)
    implicit = {s.id for s in case.sources if s.implicit}
    data["evidence"] = []
    for e in case.evidence:
        eid = e.id.split("~")[0]  # the loader renames a repeated id E1 to E1~2; '~' is not allowed in ids
        spec = {"id": eid, "text": e.text}
        if not (e.source in implicit and e.source in (e.id, f"{e.id}~own")):
            spec["source"] = e.source
        if e.date:
            spec["date"] = e.date
        if e.type:
            spec["type"] = e.type
        spec["likelihood"] = {h: _rating_as_written(b) for h, b in e.likelihood.items()}
        if e.confidence != "medium":  # the default
            spec["confidence"] = e.confidence
        if e.credibility.label:
            value, conf = _as_written(e.credibility, credibility)
            spec["credibility"] = value
            if conf:
                spec["credibility_confidence"] = conf
        if e.if_false is not None:
            spec["if_false"] = dict(e.if_false) if isinstance(e.if_false, dict) else e.if_false
        if e.relevance != "medium":
            spec["relevance"] = e.relevance
        if e.citation is not None:
            spec["citation"] = {"report": e.citation.report}
            if e.citation.quote:
                spec["citation"]["quote"] = e.citation.quote
            if e.citation.url:
                spec["citation"]["url"] = e.citation.url
        if e.notes:
            spec["notes"] = e.notes
        data["evidence"].append(spec)
    if case.collection:
        data["collection"] = []
    for c in case.collection:
        spec = {"id": c.id, "text": c.text, "likelihood": {h: _rating_as_written(b) for h, b in c.likelihood.items()}}
        if c.credibility.label:
            spec["credibility"] = _as_written(c.credibility, credibility)[0]
        if c.notes:
            spec["notes"] = c.notes
        data["collection"].append(spec)
    ratings = {k: v for k, v in case.scale.ratings if RATINGS.get(k) != v}
    terms = {k: list(v) for k, v in case.scale.terms if TERMS.get(k) != tuple(v)}
    if ratings or terms:
        data["scale"] = {**({"ratings": ratings} if ratings else {}), **({"terms": terms} if terms else {})}
    return data


# -- from a Case to the values the analyst wrote ----------------------------------------


def _raw_yaml(case) -> tuple[dict, str] | None:
    """(the case file's values, its opening comment) if the file is still the one loaded."""
    import hashlib

    from ..loader import parse_yaml, plain_data

    path = getattr(case, "path", "")
    if not path or path in ("-", "<case>", "<string>"):
        return None
    try:
        raw = Path(path).read_bytes()
    except (OSError, ValueError):
        return None
    if hashlib.sha256(raw).hexdigest() != case.sha256:
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    doc, problem = parse_yaml(text, path)
    if problem or not isinstance(doc, dict):
        return None
    return _scalars(plain_data(doc)), _opening_comment(text)


def _scalars(node):
    """ruamel's scalar subclasses (ScalarFloat, LiteralScalarString, ...) -> plain Python values."""
    if isinstance(node, dict):
        return {str(k): _scalars(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_scalars(v) for v in node]
    if isinstance(node, bool) or type(node).__name__ == "ScalarBoolean":
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


def _opening_comment(text: str) -> str:
    """The comment block at the top of a YAML file, without '# ' and the editor's schema line."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            lines.append("")
            continue
        body = stripped[1:]
        body = body[1:] if body.startswith(" ") else body
        if body.startswith("yaml-language-server:"):
            continue
        lines.append(body.rstrip())
    return "\n".join(lines).strip("\n")


def _rating_as_written(belief):
    if belief is None:
        return "NA"
    try:
        float(belief.label)
    except ValueError:
        return belief.label
    return belief.mean


def _as_written(belief, resolve, admiralty_letters: bool = False):
    """(value, confidence) that give back ``belief`` through ``resolve``: the label's
    code, level or number, and whichever confidence reproduces its spread."""
    label = belief.label
    code = label.split(" (", 1)[0] if " (" in label else None
    if code is not None:
        value = code if admiralty_letters else int(code)
    else:
        try:
            float(label)
            value = belief.mean
        except ValueError:
            value = label
    for conf in (None, "low", "medium", "high"):
        try:
            if resolve(value, conf) == belief:
                return value, conf
        except Exception:  # noqa: BLE001 - a label no scale reads back: fall through to the plain value
            break
    return value, None


# -- writing ----------------------------------------------------------------------


@dataclass
class _Out:
    """One sheet to write: headers, a kind per column (for styles), rows of values."""

    name: str
    headers: list[str]
    kinds: list[str]
    rows: list[list]
    about: list[str]


def _tables(data: dict, comment: str) -> list[_Out]:
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
                _if_false_text(e.get("if_false")),
                cit.get("report"),
                cit.get("quote"),
                cit.get("url"),
                e.get("notes"),
            ]
        )
    evidence = _Out(
        "Evidence",
        [head(c) for c in EVIDENCE_HEAD] + hyps + [head(c) for c in EVIDENCE_TAIL],
        [KIND[c] for c in EVIDENCE_HEAD] + ["rating"] * len(hyps) + [KIND[c] for c in EVIDENCE_TAIL],
        evidence_rows,
        [ABOUT[c] for c in EVIDENCE_HEAD] + [rating_about(h) for h in hyps] + [ABOUT[c] for c in EVIDENCE_TAIL],
    )
    hypotheses = _Out(
        "Hypotheses",
        list(HYPOTHESIS_COLUMNS),
        [KIND[c] for c in HYPOTHESIS_COLUMNS],
        [[h.get(c) for c in HYPOTHESIS_COLUMNS] for h in data.get("hypotheses") or []],
        [ABOUT[c] for c in HYPOTHESIS_COLUMNS],
    )
    sources = _Out(
        "Sources",
        list(SOURCE_COLUMNS),
        [KIND[c] for c in SOURCE_COLUMNS],
        [[s.get(c) for c in SOURCE_COLUMNS] for s in data.get("sources") or []],
        [
            ABOUT[c] if c != "confidence" else "low/medium/high: how sure you are of the reliability."
            for c in SOURCE_COLUMNS
        ],
    )
    case_rows = [[k, data.get(k), ABOUT.get(k, "")] for k in CASE_KEYS]
    scale = data.get("scale") or {}
    for k, v in (scale.get("ratings") or {}).items():
        case_rows.append(
            [f"scale.ratings.{k}", v, f"The likelihood of the classic rating {k} (default scale overridden)."]
        )
    for k, v in (scale.get("terms") or {}).items():
        band = ", ".join(_num_text(x) for x in v) if isinstance(v, list) else v
        case_rows.append([f"scale.terms.{k}", band, f"The 5-95 % band of '{k}': low, high."])
    if comment:
        case_rows.append(["comment", comment, ABOUT["comment"]])
    case = _Out(
        "Case",
        ["field", "value", "about"],
        ["id", "case", "text"],
        case_rows,
        ["A field of the case.", "Its value.", "What it means (not read back)."],
    )
    collection = _Out(
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
        + [ABOUT["notes"]],
    )
    return [evidence, hypotheses, sources, case, collection]


def _if_false_text(value):
    if isinstance(value, dict):
        return "; ".join(f"{h}={_num_text(v)}" for h, v in value.items()) if value else "{}"
    return value


def _num_text(value) -> str:
    """A number as text that reads back as the same number (and the same int or float)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _check_storable(data: dict, comment: str, origin: str, excel: bool) -> None:
    """Refuse, before writing anything, text a spreadsheet cell cannot hold."""
    problems = []

    def walk(node, where):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, [*where, str(k)])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                ident = v.get("id") if isinstance(v, dict) else None
                label = f"{where[-1]} {ident}" if isinstance(ident, str) else f"{where[-1]}[{i}]"
                walk(v, [*where[:-1], label])
        elif isinstance(node, str) and excel and len(node) > EXCEL_CELL_CHARS:
            problems.append(
                Diagnostic(
                    "error",
                    f"{len(node):,} characters: an Excel cell holds at most {EXCEL_CELL_CHARS:,}",
                    origin,
                    field=" › ".join(where),
                    hint="shorten it, or export to CSV, which has no such limit",
                )
            )

    walk(data, [])
    if excel and len(comment) > EXCEL_CELL_CHARS:
        problems.append(
            Diagnostic(
                "error",
                f"the opening comment has {len(comment):,} characters: an Excel cell holds at "
                f"most {EXCEL_CELL_CHARS:,}",
                origin,
                hint="shorten it, or export to CSV",
            )
        )
    if problems:
        raise CaseError(problems)


def _refuse_existing(paths: list[Path], overwrite: bool) -> None:
    if overwrite:
        return
    existing = [p for p in paths if p.exists()]
    if existing:
        raise CaseError(
            [
                Diagnostic(
                    "error",
                    "the file exists already; nothing was written",
                    str(p),
                    hint="choose another name, or pass --force to replace it",
                )
                for p in existing
            ]
        )


def _xl_escape(text: str) -> str:
    """OOXML's own escape for characters XML cannot carry (``_x000D_``), as Excel writes it."""
    if "_x" in text:
        text = _XL_LITERAL.sub("_x005F_", text)
    return _XL_UNSAFE.sub(lambda m: f"_x{ord(m[0]):04X}_", text)


def _xl_unescape(text: str) -> str:
    if "_x" not in text:
        return text

    def char(m):
        code = int(m[1], 16)
        return m[0] if 0xD800 <= code <= 0xDFFF else chr(code)

    return _XL_ESCAPED.sub(char, text)


def _excel_number_ok(value) -> bool:
    """Whether openpyxl (16 significant digits) stores the number exactly."""
    if isinstance(value, int):
        return abs(value) < 2**53
    return math.isfinite(value) and float("%.16g" % value) == value


def _workbook_bytes(data: dict, comment: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.remove(wb.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE4EE")
    top, wrap = Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
    widths = {
        "id": 12,
        "text": 30,
        "rating": 14,
        "candidate": 14,
        "level": 12,
        "date": 12,
        "number": 10,
        "credibility": 12,
        "reliability": 12,
        "bool": 10,
        "if_false": 18,
        "case": 60,
    }
    wide = {"text", "description", "notes", "citation_quote", "comment"}
    sources = [s.get("id") for s in data.get("sources") or [] if isinstance(s, dict)]
    extra_terms = [t for t in (data.get("scale") or {}).get("terms") or {} if t not in RATING_WORDS]

    for out in _tables(data, comment):
        ws = wb.create_sheet(out.name)
        for c, (header, about) in enumerate(zip(out.headers, out.about), 1):
            cell = ws.cell(1, c, _xl_escape(header))
            cell.data_type = "s"
            cell.font, cell.fill, cell.alignment = bold, fill, wrap
            if about:
                cell.comment = Comment(about, "ach", width=300, height=110)
        for r, row in enumerate(out.rows, 2):
            for c, (value, kind) in enumerate(zip(row, out.kinds), 1):
                if value is None:
                    continue
                if out.name == "Case" and c == 2 and row[0] == "date":
                    kind = "date"
                cell = ws.cell(r, c)
                _put(cell, value, kind)
                if kind in ("text", "case"):
                    cell.alignment = wrap if (out.headers[c - 1].lower() in wide or kind == "case") else top
        for c, kind in enumerate(out.kinds, 1):
            header = out.headers[c - 1].lower()
            width = 60 if header == "text" and kind == "text" else 50 if header in wide else widths.get(kind, 14)
            ws.column_dimensions[get_column_letter(c)].width = 50 if out.name == "Case" and c == 3 else width
        ws.freeze_panes = "B2"
        if out.rows or out.name != "Case":
            ws.auto_filter.ref = f"A1:{get_column_letter(len(out.headers))}{max(len(out.rows) + 1, 2)}"

        def validate(kind, options, strict, prompt, columns):
            if not columns:
                return
            options = [o for o in options if "," not in o and '"' not in o]
            formula = '"' + ",".join(options) + '"'
            if len(formula) > 255:  # Excel's limit for a list typed into the rule
                return
            dv = DataValidation(
                type="list",
                formula1=formula,
                allow_blank=True,
                showErrorMessage=strict,
                errorStyle="stop" if strict else "warning",
                showInputMessage=bool(prompt),
                promptTitle=kind[:32],
                prompt=prompt[:255] if prompt else None,
            )
            dv.error = f"Allowed: {', '.join(options)}"[:225]
            for c in columns:
                letter = get_column_letter(c)
                dv.add(f"{letter}2:{letter}{max(len(out.rows) + 500, 1000)}")
            ws.add_data_validation(dv)

        cols = lambda *kinds: [c for c, k in enumerate(out.kinds, 1) if k in kinds]  # noqa: E731
        validate(
            "rating",
            [*RATING_WORDS, *extra_terms],
            False,
            "CC C N I II NA, an ICD 203 term, or a probability 0-1",
            cols("rating"),
        )
        validate(
            "observation",
            [w for w in (*RATING_WORDS, *extra_terms) if w != "NA"],
            False,
            "CC C N I II, an ICD 203 term, or a probability 0-1 (no NA)",
            cols("candidate"),
        )
        validate("level", ["low", "medium", "high"], True, "", cols("level"))
        validate(
            "credibility",
            ["1", "2", "3", "4", "5", "6", "low", "medium", "high"],
            False,
            "Admiralty 1-6, low/medium/high, or a probability 0-1",
            cols("credibility"),
        )
        validate(
            "reliability",
            ["A", "B", "C", "D", "E", "F", "low", "medium", "high"],
            False,
            "Admiralty A-F, low/medium/high, or a probability 0-1",
            cols("reliability"),
        )
        validate("catch_all", ["TRUE", "FALSE"], False, "", cols("bool"))
        if out.name == "Evidence" and sources:
            src = [c for c, h in enumerate(out.headers, 1) if h.lower() == "source" and out.kinds[c - 1] == "id"]
            validate(
                "source", [s for s in sources if isinstance(s, str)], False, "A source id from the Sources sheet", src
            )

    _help_sheet(wb.create_sheet(HELP_SHEET), bold, wrap)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _put(cell, value, kind: str) -> None:
    """One value into one cell, so that it reads back as the same value."""
    if isinstance(value, bool):
        cell.value = value
    elif isinstance(value, (int, float)):
        exact = _excel_number_ok(value)
        if kind == "credibility" and isinstance(value, float) and value.is_integer():
            exact = False  # 1.0 must not read back as 1 (Admiralty "confirmed")
        if exact:
            cell.value = value
        else:
            cell.value, cell.data_type = _num_text(value), "s"
    elif isinstance(value, str) and kind == "date" and _excel_date(value):
        cell.value = _excel_date(value)
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, str):
        cell.value = _xl_escape(value)
        cell.data_type = "s"  # text, even when it starts with '=' (never a formula)
    else:
        cell.value, cell.data_type = _xl_escape(str(value)), "s"


def _excel_date(text: str) -> dt.date | None:
    """A YYYY-MM-DD text as a date Excel can show (Excel has no dates before 1900)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if day >= dt.date(1900, 3, 1) else None


def _help_sheet(ws, bold, wrap) -> None:
    lines = [
        (
            "ach case workbook",
            "One case of Bayesian Analysis of Competing Hypotheses. Read back with `ach import FILE -o CASE.yaml`.",
        ),
        (
            "Evidence",
            "One row per item: id, text, source, type, date, credibility, credibility_confidence, relevance, "
            "confidence, then one column per hypothesis (header = the hypothesis id), then if_false, "
            "citation_report, citation_quote, citation_url, notes.",
        ),
        (
            "Hypotheses",
            "id, title, description, prior, catch_all (TRUE/FALSE). The rating columns of Evidence and "
            "Collection must match these ids.",
        ),
        ("Sources", "id, title, reliability, confidence, notes."),
        (
            "Case",
            "field / value rows: title, question (required), description, analyst, date, prior_concentration, "
            "scale.ratings.CC (etc.), scale.terms.<term> ('low, high'), comment.",
        ),
        (
            "Collection",
            "Candidate observations for `ach collect`: id, text, credibility, one column per hypothesis, notes.",
        ),
        (
            "Ratings",
            "CC 0.90, C 0.70, N 0.50, I 0.20, II 0.05, NA (does not bear on the hypothesis); or an ICD 203 term: "
            "almost no chance, very unlikely, unlikely, roughly even chance, likely, very likely, almost "
            "certain; or a probability such as 0.3 or 30%.",
        ),
        (
            "Reliability",
            "A number in [0, 1], low/medium/high, or Admiralty A (completely reliable) to F (cannot be judged).",
        ),
        (
            "Credibility",
            "A number in [0, 1], low/medium/high, or Admiralty 1 (confirmed) to 6 (cannot be judged). "
            "A whole number 1-6 is always a code: for certainty type '1.0 (as text).",
        ),
        ("Empty cells", "An empty cell is an omitted field; a rating cell may not be empty (write NA)."),
        ("Formulas", "Allowed: ach reads the value Excel saved with the formula."),
        ("More", "docs/FORMATS-SPREADSHEET.md and docs/FORMAT.md in the ach documentation."),
    ]
    for r, (key, text) in enumerate(lines, 1):
        ws.cell(r, 1, key).font = bold
        cell = ws.cell(r, 2, text)
        cell.alignment = wrap
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 110


def _csv_bytes(out: _Out) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    headers, rows = out.headers, out.rows
    if out.name == "Case":
        headers, rows = headers[:2], [row[:2] for row in rows]
    writer.writerow(headers)
    for row in rows:
        writer.writerow(
            ["" if v is None else _num_text(v) if isinstance(v, (bool, int, float)) else str(v) for v in row]
        )
    return buffer.getvalue().encode("utf-8-sig")  # the BOM tells Excel the file is UTF-8


# -- reading: files into tables of cells --------------------------------------------------


class _Bad:
    """A cell that has no usable value (a formula never calculated, an error such as #N/A)."""

    def __init__(self, message: str, hint: str):
        self.message, self.hint = message, hint


@dataclass
class _Table:
    """One sheet (or CSV file) as read: its non-empty rows, each (row number, cells)."""

    name: str  # Evidence, Hypotheses, ...
    file: str  # for diagnostics
    sheet: str | None  # the sheet's own title; None for a CSV file
    rows: list[tuple[int, list]]

    def place(self, row: int | None = None, col: int | None = None, header: str = "", what: str = "") -> _Place:
        return _Place(self.file, self.sheet, row, col, header, what)


@dataclass(frozen=True)
class _Place:
    file: str
    sheet: str | None
    row: int | None = None
    col: int | None = None
    header: str = ""
    what: str = ""

    @property
    def field(self) -> str:
        from openpyxl.utils import get_column_letter

        if self.row is None:
            base = f"{self.sheet} sheet" if self.sheet else ""
            return f"{base} ({self.what})" if self.what and base else self.what or base
        if self.col is None:
            base = f"{self.sheet} row {self.row}" if self.sheet else f"row {self.row}"
            return f"{base} ({self.what})" if self.what else base
        letter = get_column_letter(self.col)
        base = f"{self.sheet}!{letter}{self.row}" if self.sheet else f"row {self.row}, column {letter}"
        return f"{base} ({self.header})" if self.header else base


def _fail(name: str, message: str, hint: str = "", field: str = "") -> CaseError:
    return CaseError([Diagnostic("error", message, name, None, field, hint)])


def _read_bytes(path: Path, name: str, what: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _fail(
                name,
                f"the file is {size / 2**20:.0f} MB; ach reads cases up to {MAX_BYTES // 2**20} MB",
                f"check that this is {what}; split a larger case",
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise _fail(name, "no such file", "check the path") from None
    except IsADirectoryError:
        raise _fail(name, f"is a folder, not {what}", "name a file") from None
    except OSError as exc:
        raise _fail(name, f"cannot read: {exc.strerror or exc}", "check the path and its permissions") from None
    except ValueError as exc:  # a NUL byte in the path
        raise _fail(name, f"cannot read: {exc}", "check the path") from None


def _not_a_workbook(raw: bytes, name: str) -> CaseError | None:
    """A clear word for the files people save as .xlsx that are not."""
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        return _fail(
            name,
            "this is an old-style .xls workbook, or an encrypted one",
            "open it in Excel and save it as an Excel Workbook (.xlsx), without a password",
        )
    if not raw.startswith(b"PK"):
        head = raw[:2048]
        looks_text = head and not any(b < 9 or 13 < b < 32 for b in head)
        hint = "it looks like text: if it is CSV, name it .csv" if looks_text else "save the workbook as .xlsx in Excel"
        return _fail(name, "not an Excel workbook (an .xlsx file is a zip archive; this is not one)", hint)
    return None


def _workbook_tables(path: Path, name: str) -> tuple[dict[str, _Table | None], list[Diagnostic]]:
    raw = _read_bytes(path, name, "an Excel workbook")
    bad = _not_a_workbook(raw, name)
    if bad:
        raise bad
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            unzipped = sum(m.file_size for m in members)
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except CaseError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged archive fails in many ways
        raise _fail(
            name,
            f"the workbook is damaged or truncated ({_why(exc)})",
            "open it in Excel and save it again, or export it afresh",
        ) from None
    if b"opendocument" in mimetype:
        raise _fail(
            name,
            "this is an OpenDocument spreadsheet (.ods), not an Excel workbook",
            "save it as Excel 2007-365 (.xlsx)",
        )
    if "xl/workbook.xml" not in names and not any(n.lower().endswith("workbook.xml") for n in names):
        raise _fail(
            name,
            "a zip archive, but not an Excel workbook (no xl/workbook.xml inside)",
            "save the spreadsheet as .xlsx in Excel",
        )
    if unzipped > MAX_UNZIPPED:
        raise _fail(
            name,
            f"the workbook unpacks to {unzipped / 2**20:.0f} MB; ach reads up to {MAX_UNZIPPED // 2**20} MB",
            "check that this is the right file; split a larger case",
        )

    import warnings as pywarnings

    from openpyxl import load_workbook

    notes: list[Diagnostic] = []
    try:
        with pywarnings.catch_warnings():
            pywarnings.simplefilter("ignore")  # openpyxl warns about features it drops (extensions, styles)
            wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=False, keep_links=False)
            try:
                chosen = _choose_sheets([ws.title for ws in wb.worksheets], name, notes)
                grids, formulas = {}, {}
                budget = [MAX_CELLS]
                for ws in wb.worksheets:
                    if ws.title in chosen.values():
                        grids[ws.title], formulas[ws.title] = _grid(ws, name, budget)
            finally:
                wb.close()
            if any(formulas.values()):
                wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True, keep_links=False)
                try:
                    budget = [MAX_CELLS]
                    for ws in wb.worksheets:
                        if formulas.get(ws.title):
                            cached, _ = _grid(ws, name, budget)
                            _fill_formulas(grids[ws.title], formulas[ws.title], cached)
                finally:
                    wb.close()
    except CaseError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises anything on a malformed part
        raise _fail(
            name, f"the workbook cannot be read ({_why(exc)})", "open it in Excel and save it again as .xlsx"
        ) from None
    tables: dict[str, _Table | None] = dict.fromkeys(SHEETS)
    for sheet, title in chosen.items():
        rows = [(r, cells) for r, cells in grids[title] if any(_filled(v) for v in cells)]
        tables[sheet] = _Table(sheet, name, title, rows)
    return tables, notes


def _why(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text if len(text) <= 120 else text[:119] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _choose_sheets(titles: list[str], name: str, notes: list[Diagnostic]) -> dict[str, str]:
    """Which sheet is which (names compared without case), warning about sheets not read."""
    chosen: dict[str, str] = {}
    for title in titles:
        key = title.strip().lower()
        match = next((s for s in SHEETS if s.lower() == key), None)
        if match and match in chosen:
            raise _fail(name, f"two sheets are called {match}: '{chosen[match]}' and '{title}'", "rename or delete one")
        if match:
            chosen[match] = title
    others = [t for t in titles if t not in chosen.values() and t.strip().lower() != HELP_SHEET.lower()]
    if "Evidence" not in chosen:
        if len(titles) == 1 and others:
            chosen["Evidence"] = titles[0]
            notes.append(
                Diagnostic(
                    "warning",
                    f"no sheet is called Evidence: the only sheet, '{titles[0]}', is read as the evidence matrix",
                    name,
                    None,
                    f"{titles[0]} sheet",
                    "rename it Evidence",
                )
            )
            others = []
        else:
            from ..scales import suggest

            listed = ", ".join(f"'{t}'" for t in titles) or "none"
            raise _fail(
                name,
                f"no sheet is called Evidence (the sheets: {listed})",
                "; ".join(
                    filter(
                        None, [suggest("Evidence", others), "name the evidence matrix's sheet Evidence; " + LAYOUT_HINT]
                    )
                ),
            )
    for title in others:
        notes.append(
            Diagnostic(
                "warning",
                "this sheet is not read (ach reads Evidence, Hypotheses, Sources, Case, Collection)",
                name,
                None,
                f"{title} sheet",
                "rename it if it holds one of those",
            )
        )
    return chosen


def _grid(ws, name: str, budget: list[int]) -> tuple[list[tuple[int, list]], list[tuple[int, int]]]:
    """(rows (number, values), formula positions) of a read-only worksheet, within the limits."""
    ws.reset_dimensions()  # read what is there, not what the file claims (a stray XFD1048576 pads every row)
    rows, formulas = [], []
    for r, cells in enumerate(ws.iter_rows(), 1):
        budget[0] -= len(cells)
        if budget[0] < 0:
            raise _fail(
                name,
                f"the workbook has more than {MAX_CELLS:,} cells; ach reads cases up to that size",
                "delete unused rows and columns, or split the case",
                f"{ws.title} row {r}",
            )
        values = []
        for c, cell in enumerate(cells, 1):
            value, kind = cell.value, getattr(cell, "data_type", None)
            if kind == "f":
                formulas.append((r, c))
                value = _Bad(
                    "a formula with no saved value",
                    "save the workbook in Excel first (so the formula's result is stored with it), or type the value",
                )
            elif kind == "e" and value is not None:
                value = _Bad(f"the cell shows the error {value}", "fix the formula, or type the value")
            elif isinstance(value, str):
                value = _xl_unescape(value)
            values.append(value)
        if values and any(_filled(v) for v in values):
            if r > MAX_ROWS:
                raise _fail(
                    name,
                    f"more than {MAX_ROWS:,} rows; ach reads cases up to that size",
                    "delete unused rows, or split the case",
                    f"{ws.title} row {r}",
                )
            rows.append((r, values))
    return rows, formulas


def _fill_formulas(
    rows: list[tuple[int, list]], formulas: list[tuple[int, int]], cached: list[tuple[int, list]]
) -> None:
    """Put each formula's saved value in place of its _Bad marker (kept when nothing was saved)."""
    values = dict(cached)
    mine = dict(rows)
    for r, c in formulas:
        saved = values.get(r, [])
        value = saved[c - 1] if c - 1 < len(saved) else None
        if value is None or (isinstance(value, _Bad) and not value.message.startswith("the cell shows")):
            continue
        mine[r][c - 1] = value


def _filled(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _decode_csv(raw: bytes, name: str, notes: list[Diagnostic]) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise _fail(name, "the file starts as UTF-16 text but is damaged", "save it again as CSV UTF-8") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = raw[: exc.start].count(b"\n") + 1
        byte = raw[exc.start]
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        raise _fail(
            name,
            f"not UTF-8 text (byte 0x{byte:02x} on line {where}), nor Windows-1252",
            "save it as CSV UTF-8 (Excel: File › Save As › CSV UTF-8)",
        ) from None
    notes.append(
        Diagnostic(
            "warning",
            f"not UTF-8 (byte 0x{byte:02x} on line {where}): read as Windows-1252",
            name,
            None,
            "",
            "check accented letters and symbols; save as CSV UTF-8 to be sure",
        )
    )
    return text


def _csv_table(path: Path, sheet: str, notes: list[Diagnostic], required: bool) -> _Table | None:
    name = str(path)
    if not required and not path.exists():
        return None
    raw = _read_bytes(path, name, "a CSV file")
    text = _decode_csv(raw, name, notes)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=lambda d: (first.count(d), d == ","))
    csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, budget, r = [], MAX_CELLS, 0
    try:
        for r, cells in enumerate(reader, 1):
            budget -= len(cells)
            if budget < 0 or r > MAX_ROWS:
                raise _fail(
                    name,
                    f"more than {MAX_ROWS:,} rows or {MAX_CELLS:,} cells; ach reads cases up to that size",
                    "split the case",
                    f"row {r}",
                )
            values = [v if v != "" else None for v in cells]
            if any(_filled(v) for v in values):
                rows.append((r, values))
    except csv.Error as exc:
        raise _fail(
            name,
            f"not readable as CSV ({exc})",
            "check the quotes on this row: a value with a comma, quote "
            "or line break must be in double quotes, and a quote inside it doubled",
            f"row {r + 1}",
        ) from None
    return _Table(sheet, name, None, rows)


# -- reading: tables into a case dict ----------------------------------------------------


def _norm(text) -> str:
    return re.sub(r"[\s\-]+", "_", str(text).strip().lower())


class _Reader:
    """Cells -> case dict; every problem located at its cell; the loader's checks mapped back."""

    def __init__(self, name: str, tables: dict[str, _Table | None], notes: list[Diagnostic], csv: bool):
        self.name, self.tables, self.csv = name, tables, csv
        self.diagnostics: list[Diagnostic] = list(notes)
        self.where: dict[tuple, _Place] = {}

    # -- reporting -------------------------------------------------------------
    def report(self, level: str, place: _Place, message: str, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(level, message, place.file, None, place.field, hint))

    def error(self, place: _Place, message: str, hint: str = "") -> None:
        self.report("error", place, message, hint)

    def warn(self, place: _Place, message: str, hint: str = "") -> None:
        self.report("warning", place, message, hint)

    def sheet_name(self, sheet: str) -> str:
        """How to name a sheet in a message: 'x.hypotheses.csv' or 'Hypotheses sheet'."""
        return Path(companion(self.name, sheet)).name if self.csv else f"{sheet} sheet"

    def missing(self, sheet: str) -> _Place:
        if self.csv:
            return _Place(str(companion(self.name, sheet)), None)
        return _Place(self.name, sheet)

    @property
    def failed(self) -> bool:
        return any(d.level == "error" for d in self.diagnostics)

    # -- the whole -------------------------------------------------------------
    def read(self, warnings: list[Diagnostic] | None) -> tuple[dict, str]:
        from ..loader import check_text
        from .casefile import dump_case

        data, comment = self.build()
        if self.failed:
            raise CaseError(self.diagnostics)
        header = f"Imported from the {'CSV files' if self.csv else 'spreadsheet'} {Path(self.name).name}."
        if comment:
            header += "\n\n" + comment
        text = dump_case(data, header)
        _, found = check_text(text.encode("utf-8"), self.name)
        self.diagnostics += [self.translate(d, data, text) for d in found]
        if self.failed:
            raise CaseError(self.diagnostics)
        if warnings is not None:
            warnings.extend(self.diagnostics)
        return data, header

    def build(self) -> tuple[dict, str]:
        evidence_table = self.tables["Evidence"]
        if evidence_table is None or not evidence_table.rows:
            where = evidence_table.place() if evidence_table else _Place(self.name, "Evidence")
            self.error(
                where,
                "the evidence matrix is empty: no header row, no items",
                "the first row names the columns (id, text, ..., one per hypothesis); then one row per item; "
                + LAYOUT_HINT,
            )
            return {}, ""
        fields: dict = {}
        comment = self.case_sheet(fields)
        scale = fields.pop("scale", None)
        hypotheses = self.hypotheses()
        sources = self.sources()
        evidence, inferred = self.evidence(evidence_table, hypotheses)
        if hypotheses is None:
            hypotheses = [{"id": h, "title": h} for h in inferred]
        collection = self.collection(hypotheses)
        data = {k: fields[k] for k in CASE_KEYS if k in fields}
        data["hypotheses"] = hypotheses
        if sources is not None:
            data["sources"] = sources
        data["evidence"] = evidence
        if collection:
            data["collection"] = collection
        if scale:
            data["scale"] = scale
        return data, comment

    # -- Case ------------------------------------------------------------------
    def case_sheet(self, data: dict) -> str:
        table = self.tables["Case"]
        self.where[()] = self.missing("Case") if table is None else table.place()
        if table is None:
            what = f"{self.sheet_name('Case')} is missing" if self.csv else "the workbook has no Case sheet"
            self.error(
                self.missing("Case"),
                f"no question: {what}",
                "add it with a row `question | <the one question the hypotheses answer>`; " + LAYOUT_HINT,
            )
            return ""
        rows = table.rows
        if rows and _norm(rows[0][1][0] if rows[0][1] else "") in ("field", "key", "name"):
            rows = rows[1:]
        comment, seen = "", {}
        allowed = [*CASE_KEYS, "comment", "scale.ratings.<rating>", "scale.terms.<term>"]
        for r, cells in rows:
            key_raw = cells[0] if cells else None
            value = cells[1] if len(cells) > 1 else None
            key_place = table.place(r, 1, "field")
            if isinstance(key_raw, _Bad):
                self.error(key_place, key_raw.message, key_raw.hint)
                continue
            if not _filled(key_raw):
                if _filled(value):
                    self.error(
                        key_place,
                        "a value with no field name",
                        f"write the field in column A: one of {', '.join(allowed)}",
                    )
                continue
            key = str(key_raw).strip()
            lower = key.lower()
            place = table.place(r, 2, key)
            same = lower if lower.startswith("scale.") else _norm(key)
            if same in seen:
                self.error(key_place, f"'{key}' is given twice (also on row {seen[same]})", "keep one of the rows")
                continue
            seen[same] = r
            if lower.startswith("scale.ratings."):
                rating = key.split(".", 2)[2].strip().upper()
                self.where[("scale", "ratings", rating)] = place
                v = self.value("number", value, place)
                if v is not None and v is not _FAILED:
                    data.setdefault("scale", {}).setdefault("ratings", {})[rating] = v
                continue
            if lower.startswith("scale.terms."):
                term = key.split(".", 2)[2].strip()
                self.where[("scale", "terms", term)] = place
                v = self.value("band", value, place)
                if v is not None and v is not _FAILED:
                    data.setdefault("scale", {}).setdefault("terms", {})[term] = v
                continue
            norm = _norm(key)
            if norm not in (*CASE_KEYS, "comment"):
                from ..scales import suggest

                self.error(
                    key_place,
                    f"unknown field '{key}'",
                    "; ".join(filter(None, [suggest(key, [*CASE_KEYS, "comment"]), f"allowed: {', '.join(allowed)}"])),
                )
                continue
            self.where[(norm,)] = place
            v = self.value(KIND[norm], value, place)
            if v is _FAILED:
                continue
            if norm == "comment":
                comment = v or ""
            elif v is not None:
                data[norm] = v
            elif norm == "question":
                data[norm] = ""  # the row is there, its value empty: an empty question, as written
        if "question" not in data:
            self.error(
                table.place(what="question"),
                "no question: the Case sheet has no row `question`"
                if not self.csv
                else "no question: no row `question`",
                "add a row `question | <the one question the hypotheses answer>`",
            )
        return comment

    # -- Hypotheses, Sources ---------------------------------------------------
    def header(
        self,
        table: _Table,
        fields: tuple,
        aliases: dict,
        required: tuple,
        hyps: list[str] | None = None,
        infer: bool = False,
    ) -> tuple[dict, dict, int, list]:
        """(field -> column, hypothesis -> column, header row number, data rows) of a table."""
        head_row, cells = table.rows[0]
        columns, ratings = {}, {}
        from ..scales import suggest

        width = max(len(row) for _, row in table.rows)
        for c in range(1, width + 1):
            raw = _cell(cells, c)
            place = table.place(head_row, c)
            if isinstance(raw, _Bad):
                self.error(place, raw.message, raw.hint)
                continue
            if not _filled(raw):
                below = next((r for r, row in table.rows[1:] if c - 1 < len(row) and _filled(row[c - 1])), None)
                if below is not None:
                    self.error(
                        table.place(below, c),
                        "a value in a column with no header",
                        "name the column in row %d, or delete the values" % head_row,
                    )
                continue
            text = _text_of(raw).strip()
            place = table.place(head_row, c, text)
            norm = _norm(text)
            if hyps is not None and text in hyps:
                target, key = ratings, text
            elif norm in fields or norm in aliases:
                target, key = columns, aliases.get(norm, norm)
            elif infer:
                target, key = ratings, text
            else:
                options = [*fields, *(hyps or [])]
                hint = suggest(text, options)
                what = (
                    "neither a column ach reads nor a hypothesis listed on the Hypotheses sheet"
                    if hyps is not None
                    else "not a column ach reads"
                )
                self.error(
                    place,
                    f"unknown column '{text}': {what}",
                    "; ".join(
                        filter(
                            None,
                            [
                                hint,
                                f"the columns: {', '.join(fields)}"
                                + (f"; the hypotheses: {', '.join(hyps)}" if hyps else ""),
                                "delete the column if it is yours",
                            ],
                        )
                    ),
                )
                continue
            if key in target:
                self.error(place, f"the column '{text}' appears twice", "delete or rename one of them")
                continue
            target[key] = c
        for need in required:
            if need not in columns:
                self.error(
                    table.place(head_row, what=f"no column '{need}'"),
                    f"the sheet has no '{need}' column",
                    f"add a column headed {need} to row {head_row}; " + LAYOUT_HINT,
                )
        return columns, ratings, head_row, table.rows[1:]

    def hypotheses(self) -> list[dict] | None:
        table = self.tables["Hypotheses"]
        if table is None:
            return None
        self.where[("hypotheses",)] = table.place()
        if not table.rows:
            self.error(
                table.place(), "lists no hypotheses", "one row per hypothesis under the header row id, title, ..."
            )
            return []
        columns, _, _, rows = self.header(table, HYPOTHESIS_COLUMNS, ALIASES["hypotheses"], ("id",))
        out, seen = [], {}
        for r, cells in rows:
            j = len(out)
            spec = self.row(table, r, cells, columns, ("hypotheses", j), HYPOTHESIS_COLUMNS)
            if spec is None:
                continue
            hid = spec.get("id")
            if hid is not None and hid in seen:  # said here: the rating columns are matched to these ids next
                self.error(
                    self.where[("hypotheses", j, "id")],
                    f"hypothesis id '{hid}' is used twice (also on row {seen[hid]})",
                    "give each hypothesis its own id",
                )
            seen.setdefault(hid, r)
            if "title" not in spec and "id" in spec:
                spec = {"id": spec["id"], "title": spec["id"], **{k: v for k, v in spec.items() if k != "id"}}
            out.append(spec)
        return out

    def sources(self) -> list[dict] | None:
        table = self.tables["Sources"]
        if table is None:
            return None
        self.where[("sources",)] = table.place()
        if not table.rows:
            return []
        columns, _, _, rows = self.header(table, SOURCE_COLUMNS, ALIASES["sources"], ("id", "reliability"))
        out = []
        for r, cells in rows:
            spec = self.row(table, r, cells, columns, ("sources", len(out)), SOURCE_COLUMNS)
            if spec is not None:
                out.append(spec)
        return out

    def row(self, table: _Table, r: int, cells: list, columns: dict, at: tuple, order: tuple) -> dict | None:
        """One row of a simple sheet (hypotheses, sources) as a dict in ``order``."""
        spec = {}
        ident = self.ident(table, r, cells, columns)
        self.where[at] = table.place(r, what=ident or "")
        for fld in order:
            c = columns.get(fld)
            if c is None:
                continue
            place = table.place(r, c, fld)
            self.where[(*at, fld)] = place
            v = self.value(KIND[fld], _cell(cells, c), place)
            if v is not None and v is not _FAILED:
                spec[fld] = v
        if "id" not in spec and "id" in columns:
            self.error(
                table.place(r, columns["id"], "id"), "no id", "give the row an id (letters, digits, '_', '.', '-')"
            )
            return None
        return spec

    def ident(self, table, r, cells, columns) -> str:
        c = columns.get("id")
        raw = _cell(cells, c) if c else None
        return _text_of(raw).strip() if _filled(raw) and not isinstance(raw, _Bad) else ""

    # -- Evidence, Collection ----------------------------------------------------
    def evidence(self, table: _Table, hypotheses: list[dict] | None) -> tuple[list[dict], list[str]]:
        hyps = None if hypotheses is None else [h["id"] for h in hypotheses if isinstance(h.get("id"), str)]
        fields = (*EVIDENCE_HEAD, *EVIDENCE_TAIL)
        self.where[("evidence",)] = table.place()
        columns, ratings, head_row, rows = self.header(
            table, fields, ALIASES["evidence"], ("id", "text"), hyps, infer=hyps is None
        )
        if hyps is None:
            hyps = list(ratings)
            place = table.place(head_row)
            if hyps:
                for h, c in ratings.items():
                    self.where[("hypotheses", hyps.index(h))] = table.place(head_row, c, h)
                    self.where[("hypotheses", hyps.index(h), "id")] = table.place(head_row, c, h)
                self.where[("hypotheses",)] = place
                self.warn(
                    place,
                    f"no {self.sheet_name('Hypotheses')}: the hypotheses are the rating columns "
                    f"{', '.join(hyps)}, each titled with its id",
                    f"add {'' if self.csv else 'a '}{self.sheet_name('Hypotheses')} "
                    "(id, title, description, prior, catch_all) to give them titles",
                )
            else:
                self.error(
                    place,
                    "no hypothesis columns, and no Hypotheses sheet to say which they are",
                    "after the item's columns, add one column per hypothesis headed with its id; " + LAYOUT_HINT,
                )
        else:
            for h in hyps:
                if h not in ratings:
                    self.error(
                        table.place(head_row, what=f"no column for {h}"),
                        f"no column for the hypothesis '{h}' listed on the Hypotheses sheet",
                        f"add a column headed {h} (one rating per item), or delete the hypothesis",
                    )
        items = []
        for r, cells in rows:
            i = len(items)
            at = ("evidence", i)
            ident = self.ident(table, r, cells, columns)
            self.where[at] = self.where[(*at, "likelihood")] = table.place(r, what=ident or "")
            item: dict = {}
            for fld in ("id", "text", "source", "date", "type"):
                self.put(item, table, r, cells, columns, at, fld)
            item["likelihood"] = self.ratings(table, r, cells, ratings, hyps, at, na=True)
            for fld in ("confidence", "credibility", "credibility_confidence", "if_false", "relevance"):
                self.put(item, table, r, cells, columns, at, fld)
            citation = {}
            for fld in ("citation_report", "citation_quote", "citation_url"):
                self.put(citation, table, r, cells, columns, at, fld)
            if citation:
                item["citation"] = {"report": citation.pop("report", ""), **citation}
            self.put(item, table, r, cells, columns, at, "notes")
            if "text" not in item and "text" in columns:
                item = {"id": item.get("id"), "text": "", **{k: v for k, v in item.items() if k != "id"}}
            if "id" not in item and "id" in columns:
                self.error(
                    table.place(r, columns["id"], "id"), "no id", "give the item an id (letters, digits, '_', '.', '-')"
                )
                continue
            if isinstance(item.get("if_false"), dict):
                for h in item["if_false"]:
                    self.where[(*at, "if_false", h)] = self.where[(*at, "if_false")]
            items.append(item)
        return items, hyps

    def collection(self, hypotheses: list[dict]) -> list[dict]:
        table = self.tables["Collection"]
        if table is None or not table.rows:
            return []
        hyps = [h["id"] for h in hypotheses if isinstance(h.get("id"), str)]
        self.where[("collection",)] = table.place()
        fields = (*CANDIDATE_HEAD, *CANDIDATE_TAIL)
        columns, ratings, head_row, rows = self.header(table, fields, ALIASES["collection"], ("id",), hyps)
        if rows:
            for h in hyps:
                if h not in ratings:
                    self.error(
                        table.place(head_row, what=f"no column for {h}"),
                        f"no column for the hypothesis '{h}'",
                        f"add a column headed {h} (one rating per candidate)",
                    )
        out = []
        for r, cells in rows:
            at = ("collection", len(out))
            ident = self.ident(table, r, cells, columns)
            self.where[at] = self.where[(*at, "likelihood")] = table.place(r, what=ident or "")
            spec: dict = {}
            for fld in ("id", "text"):
                self.put(spec, table, r, cells, columns, at, fld)
            spec["likelihood"] = self.ratings(table, r, cells, ratings, hyps, at, na=False)
            for fld in ("credibility", "notes"):
                self.put(spec, table, r, cells, columns, at, fld)
            if "text" not in spec:
                spec = {"id": spec.get("id"), "text": "", **{k: v for k, v in spec.items() if k != "id"}}
            if spec.get("id") is None:
                self.error(table.place(r, columns.get("id", 1), "id"), "no id", "give the candidate an id")
                continue
            out.append(spec)
        return out

    def put(self, target: dict, table, r, cells, columns, at, fld) -> None:
        c = columns.get(fld)
        path = (*at, *EVIDENCE_PATH.get(fld, (fld,)))
        key = path[-1]
        if c is None:
            return
        place = table.place(r, c, fld)
        self.where[path] = place
        v = self.value(KIND[fld], _cell(cells, c), place)
        if v is not None and v is not _FAILED:
            target[key] = v

    def ratings(self, table, r, cells, ratings: dict, hyps: list[str], at: tuple, na: bool) -> dict:
        out = {}
        for h in hyps:
            c = ratings.get(h)
            if c is None:
                continue
            place = table.place(r, c, h)
            self.where[(*at, "likelihood", h)] = place
            raw = _cell(cells, c)
            if not _filled(raw):
                self.error(
                    place,
                    f"no rating for the hypothesis '{h}'",
                    "write CC, C, N, I, II, an ICD 203 term such as 'likely', or a probability"
                    + (f"; NA if the item does not bear on {h}" if na else ""),
                )
                continue
            v = self.value("rating", raw, place)
            if v is not _FAILED:
                out[h] = v
        return out

    # -- one cell --------------------------------------------------------------
    def value(self, kind: str, raw, place: _Place):
        """The case-file value of one cell: None if blank, _FAILED after an error."""
        if isinstance(raw, _Bad):
            self.error(place, raw.message, raw.hint)
            return _FAILED
        if raw is None or raw == "":
            return None
        if kind == "text":
            return _text_of(raw)
        if isinstance(raw, str) and not raw.strip():
            return None
        if kind == "id":
            return _text_of(raw).strip()
        if (isinstance(raw, float) and not math.isfinite(raw)) or (isinstance(raw, str) and _infinite(raw)):
            self.error(place, f"'{_text_of(raw).strip()}' is not a finite number", "write an ordinary number")
            return _FAILED
        if kind == "level":
            return (
                raw.strip().lower() if isinstance(raw, str) else raw if isinstance(raw, (int, float)) else _text_of(raw)
            )
        if kind == "date":
            return _date_of(raw)
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            word = _text_of(raw).strip().lower()
            if word in _TRUE:
                return True
            if word in _FALSE:
                return False
            self.error(
                place, f"'{_text_of(raw)}' is not yes or no", "write TRUE or FALSE (or yes/no), or leave it empty"
            )
            return _FAILED
        if kind in ("rating", "number", "credibility", "reliability"):
            if isinstance(raw, (dt.datetime, dt.date, dt.time, dt.timedelta)):
                return _text_of(raw)
            if isinstance(raw, str):
                number = _number(raw)
                return raw.strip() if number is None else number
            return raw
        if kind == "if_false":
            return self.if_false(raw, place)
        if kind == "band":
            if isinstance(raw, (int, float)) and not isinstance(raw, bool):
                return [raw]
            parts = [p for p in re.split(r"\s*(?:[,;]|\s+to\s+|\s)\s*", _text_of(raw).strip().strip("[]()")) if p]
            numbers = [_number(p) for p in parts]
            if len(numbers) != 2 or any(n is None for n in numbers):
                self.error(
                    place,
                    f"'{_text_of(raw)}' is not a band",
                    "write the 5-95 % band as two numbers: low, high (e.g. 0.55, 0.8)",
                )
                return _FAILED
            return numbers
        raise AssertionError(kind)

    def if_false(self, raw, place: _Place):
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            return _text_of(raw)  # the loader says what is wrong with it
        if not isinstance(raw, str):
            return raw
        text = raw.strip()
        number = _number(text)
        if number is not None:
            return number
        if text in ("{}", "{ }"):
            return {}
        pieces = [p for p in re.split(r"[;\n]", text) if p.strip()]
        if len(pieces) == 1 and pieces[0].count("=") + pieces[0].count(":") > 1:
            pieces = [p for p in pieces[0].split(",") if p.strip()]
        out = {}
        for piece in pieces:
            m = re.fullmatch(r"\s*([^=:\s]+)\s*[=:]\s*(.*?)\s*", piece)
            if not m:
                self.error(
                    place,
                    f"'{text}' is neither a number nor one per hypothesis",
                    "write one probability (0.3), or one per hypothesis: H1=0.3; H2=0.5",
                )
                return _FAILED
            value = _number(m[2])
            out[m[1]] = value if value is not None else m[2]
        return out

    # -- the loader's findings, back at their cells ----------------------------------------
    def translate(self, d: Diagnostic, data: dict, text: str) -> Diagnostic:
        path = self.path_of(d, data, text)
        place = None
        missing = re.match(r"missing required field '([^']+)'", d.message)
        if missing and path is not None and (*path, missing[1]) in self.where:
            place = self.where[(*path, missing[1])]
        while place is None and path is not None:
            place = self.where.get(path)
            if place is None:
                if not path:
                    break
                path = path[:-1]
        if place is None:
            return Diagnostic(
                d.level, d.message, self.name, None, f"imported case › {d.field}" if d.field else "", d.hint
            )
        return Diagnostic(d.level, d.message, place.file, None, place.field, d.hint)

    def path_of(self, d: Diagnostic, data: dict, text: str) -> tuple | None:
        """The case-dict path a loader diagnostic's field names ('evidence E7 › likelihood › KH')."""
        if not d.field:
            return ()
        path: list = []
        node = data
        for token in d.field.split(" › "):
            if isinstance(node, dict):
                m = re.fullmatch(r"(\S+)\[(\d+)\]", token)
                head, _, ident = token.partition(" ")
                if m and isinstance(node.get(m[1]), list):
                    path += [m[1], int(m[2])]
                    node = node[m[1]][int(m[2])] if int(m[2]) < len(node[m[1]]) else None
                    continue
                if ident and isinstance(node.get(head), list):
                    matches = [i for i, el in enumerate(node[head]) if isinstance(el, dict) and el.get("id") == ident]
                    if not matches:
                        return tuple(path + [head])
                    i = matches[0] if len(matches) == 1 else _nearest(text, head, matches, d.line)
                    path += [head, i]
                    node = node[head][i]
                    continue
                path.append(token)
                node = node.get(token)
            else:
                break
        return tuple(path)


_FAILED = object()


def _nearest(text: str, key: str, indexes: list[int], line: int | None) -> int:
    """Of several list entries sharing an id, the one whose YAML starts at or before ``line``."""
    if line is None:
        return indexes[0]
    from ruamel.yaml import YAML

    doc = YAML(typ="rt").load(text)
    starts = {i: doc[key].lc.item(i)[0] + 1 for i in indexes}
    before = [i for i in indexes if starts[i] <= line]
    return max(before, key=lambda i: starts[i]) if before else indexes[0]


def _cell(cells: list, c: int):
    return cells[c - 1] if 0 < c <= len(cells) else None


def _text_of(raw) -> str:
    """Any cell as the text it shows."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() and abs(raw) < 2**53 else repr(raw)
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, (dt.date, dt.time)):
        return raw.isoformat()
    return str(raw)


def _date_of(raw):
    """A date cell as YYYY-MM-DD (Excel dates, serial numbers, text)."""
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and 1 <= raw < 2958466 and float(raw).is_integer():
        from openpyxl.utils.datetime import from_excel

        return from_excel(raw).date().isoformat()
    return _text_of(raw).strip()


def _infinite(text: str) -> bool:
    number = _number(text)
    return isinstance(number, float) and not math.isfinite(number)


def _number(text: str):
    """A number written as text ('0.3', '3', '1.0', '30%', '0,3'), or None."""
    body = text.strip()
    percent = body.endswith("%")
    if percent:
        body = body[:-1].strip()
    if _COMMA_DECIMAL.fullmatch(body):
        body = body.replace(",", ".")
    if _INT.fullmatch(body):
        value = int(body)
    elif _FLOAT.fullmatch(body):
        value = float(body)
    else:
        return None
    return value / 100 if percent else value
