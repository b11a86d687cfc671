"""From a :class:`~ach.case.Case` (or a case dict) back to a case file.

:func:`to_data` gives the case dict as the analyst wrote it: the loader's
copy of the file's values when the Case came from a file unchanged, else
rebuilt from the labels its ratings keep. :func:`dump_case` writes a dict as
commented YAML laid out like a hand-written file; :func:`write_case` checks
it as a case first and writes it atomically. Exporters and importers share
these; the editor splices text instead (``ach.editing``).
"""

from __future__ import annotations

import copy
import dataclasses
import io
import os
import re
from importlib import resources
from pathlib import Path

from ..errors import CaseError, errors_of
from ..files import refuse_existing, write_atomic
from ..scales import RATINGS, TERMS, credibility, reliability
from .load import check_text

__all__ = [
    "DEFAULT_RELIABILITY",
    "REPO_SCHEMA",
    "UNSOURCED_COMMENT",
    "dump_case",
    "rebuild",
    "schema_line",
    "schema_reference",
    "to_data",
    "write_case",
]

REPO_SCHEMA = "../ach/schema/case.schema.json"  # from a case in the repository's cases/
# What a new file says of items that name no source, instead of leaving it unsaid: the loader's own
# default (each such item its own, fully reliable source), written out where it can be seen and lowered.
DEFAULT_RELIABILITY = 1
UNSOURCED_COMMENT = "an item that names no source is its own source, of this reliability"


def schema_line(reference: str) -> str:
    """The first line of a case file: tells editors where the schema is (autocompletion)."""
    return f"# yaml-language-server: $schema={reference}"


def schema_reference(path) -> str:
    try:
        schema = Path(str(resources.files("ach").joinpath("schema/case.schema.json")))
        return Path(os.path.relpath(schema, Path(path).resolve().parent)).as_posix()
    except (ValueError, OSError, TypeError):
        return REPO_SCHEMA


def to_data(case) -> tuple[dict, str]:
    """(case dict as the analyst wrote it, the file's opening comment)."""
    if case.document is not None:
        return copy.deepcopy(case.document), case.comment
    return rebuild(case), case.comment


def rebuild(case) -> dict:
    """A case dict from a loaded Case, through the labels its ratings keep.

    Exact for everything a Case holds, except a repeated evidence id
    (restored from the renamed ``E1~2``).
    """
    data: dict = {}
    if case.title:
        data["title"] = case.title
    data["question"] = case.question
    if case.description:
        data["description"] = case.description
    if case.analyst:
        data["analyst"] = case.analyst
    if case.date:
        data["date"] = case.date
    if case.as_of:
        data["as_of"] = case.as_of
    if case.handling:
        data["handling"] = case.handling
    if case.default_reliability is not None:
        data["default_reliability"] = _as_written(case.default_reliability, reliability, admiralty_letters=True)[0]
    if case.prior_concentration is not None:
        data["prior_concentration"] = case.prior_concentration
    if case.acknowledged:
        data["acknowledge"] = _acknowledgements(case.acknowledged)
    if case.outcome is not None:
        data["outcome"] = _outcome(case.outcome)
    if case.judgment is not None:
        data["judgment"] = dict(case.judgment)
    if case.judgment_when:
        data["judgment_when"] = case.judgment_when
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
    if case.reports:
        data["reports"] = [
            {k: v for k, v in dataclasses.asdict(r).items() if v or k in ("id", "title")} for r in case.reports
        ]
    ratings = {k: v for k, v in case.scale.ratings if RATINGS.get(k) != v}
    terms = {k: list(v) for k, v in case.scale.terms if TERMS.get(k) != tuple(v)}
    if ratings or terms:
        data["scale"] = {**({"ratings": ratings} if ratings else {}), **({"terms": terms} if terms else {})}
    return data


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


def dump_case(data: dict, header: str = "", schema: str = REPO_SCHEMA) -> str:
    """YAML text for a case dict, with ``header`` as a comment block on top.

    Lists of hypotheses, sources and items are separated by blank lines so the
    file reads like a hand-written one.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    doc = data if isinstance(data, CommentedMap) else CommentedMap(data)  # commented: ach.casefile.remarks
    for key in ("hypotheses", "sources", "evidence", "collection"):
        commented = key in doc.ca.items and doc.ca.items[key][1]  # lines above it already, led by a blank
        if key in doc and list(doc).index(key) > 0 and not commented:
            doc.yaml_set_comment_before_after_key(key, before="\n")
    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    lines = [schema_line(schema), *(f"# {line}".rstrip() for line in header.splitlines())]
    return "\n".join(lines) + "\n\n" + buffer.getvalue()


def write_case(data: dict, path: str | Path, *, header: str = "", overwrite: bool = False) -> Path:
    """Check ``data`` as a case and write it to ``path``; refuse an invalid case
    (CaseError listing every problem) and an existing file unless ``overwrite``."""
    path = Path(path)
    text = dump_case(data, header, schema_reference(path))
    _, diagnostics = check_text(text.encode("utf-8"), str(path))
    errors = errors_of(diagnostics)
    if errors:
        raise CaseError(errors)
    refuse_existing([path], overwrite)
    return write_atomic(path, text)


def _acknowledgements(acknowledged) -> list[dict]:
    """One entry per acknowledged warning, at the id its field names (``evidence E13 › likelihood``)."""
    entries: list[dict] = []
    for warning, why in acknowledged:
        words = re.split(r"[\s›]+", warning.field or "")
        entry = {"warning": warning.code, **({"at": words[1]} if len(words) > 1 else {}), "why": why}
        if entry not in entries:
            entries.append(entry)
    return entries


def _outcome(outcome) -> dict | str:
    """An Outcome as the file writes it: 'unresolved', or its mapping of the fields given."""
    if not outcome.resolved:
        return "unresolved"
    spec = {"hypothesis": outcome.hypothesis}
    spec.update({k: v for k, v in (("date", outcome.date), ("source", outcome.source), ("note", outcome.note)) if v})
    return spec
