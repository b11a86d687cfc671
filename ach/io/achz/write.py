"""Write a case as a PARC ACH 2.0 ``.achz`` file, in the layout :mod:`.convert` reads.

The file is what the Open Source ACH importer reads (docs/FORMATS-ACHZ.md):
gzip-compressed XML in UTF-16 with a byte-order mark; a root holding
``PROJECT-TITLE``, ``CLASSIFICATION``, ``LAST-INDEX``, ``COLOR-SCHEME`` and a
``MATRIX`` of ``HYPOTHESIS`` and ``EVIDENCE`` elements. PARC ACH holds far less
than a case: what it cannot hold is left out, and one warning says what.

- Ratings: PARC ACH has five classic ratings and NA. A classic rating is
  written as it is (``CC`` as ``C C``); a probability or an ICD 203 term as
  the classic rating nearest to it in log-odds (ach's own rule for the classic
  score), with a warning naming the cells.
- Credibility: low/medium/high as HIGH/MEDIUM/LOW; a number or an Admiralty
  code as its Heuer bucket (as ach's classic score weighs it), with a
  warning; none (fully credible) as an empty element.
- Relevance (when stated, or other than medium) and the hypotheses' ids are ach's own
  additions (a ``RELEVANCE`` element, an ``ach-id`` attribute), which the Open
  Source ACH importer ignores; they make a round trip through ach exact.
- A flag is FLAG 1 when the item's notes have the line ``Flagged in PARC
  ACH.`` (what the import writes for FLAG 1); the line itself is not repeated
  in NOTES.
- Dates: milliseconds since 1970 at 10:00 UTC of the day, so that a program
  showing it in any time zone from UTC-10 to UTC+13 shows that day; 0 for none.
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from ...casefile import check_text, dump_case, to_data
from ...errors import CaseError, Diagnostic, errors_of
from ...files import refuse_existing, write_atomic
from ...formatting import clip, count
from ...scales import RATINGS, heuer_level
from .convert import FLAG_NOTE, PARC_SPELLING
from .words import DAY_MS, is_catch_all

__all__ = ["DAY_TIME_MS", "PARC_CLASSIFICATIONS", "achz_bytes", "achz_xml", "export_achz"]

# The classification words the Open Source ACH importer understands (it files anything else under none).
PARC_CLASSIFICATIONS = {
    "u",
    "fouo",
    "aiou",
    "unclassified",
    "c",
    "confidential",
    "s",
    "secret",
    "t",
    "ts",
    "top secret",
    "top-secret",
}


DAY_TIME_MS = 10 * 3_600_000  # 10:00 UTC: the same calendar day from UTC-10 to UTC+13


# Characters XML 1.0 cannot hold at all (C0 controls but tab, newline, return): left out of the text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def export_achz(case, path: str | Path, *, overwrite: bool = False, warnings: list | None = None) -> Path:
    """Write ``case`` (a loaded :class:`~ach.case.Case` or a case dict) as a PARC ACH ``.achz`` file,
    atomically; ``warnings`` gains one for each kind of thing PARC ACH cannot hold."""
    path = Path(path)
    raw = achz_bytes(case, warnings, name=path.name)
    refuse_existing([path], overwrite)
    return write_atomic(path, raw)


def achz_bytes(case, warnings: list | None = None, name: str = "") -> bytes:
    """The bytes of the ``.achz`` file: UTF-16 (big-endian, with its byte-order mark) XML, gzip-compressed."""
    text = achz_xml(case, warnings, name)
    return gzip.compress(b"\xfe\xff" + text.encode("utf-16-be"), compresslevel=9, mtime=0)


def achz_xml(case, warnings: list | None = None, name: str = "") -> str:
    """The XML text of the ``.achz`` file for ``case``."""
    if isinstance(case, dict):
        case = _loaded(case)
    lost = _Lost(case.path)
    hyps = case.hypotheses
    out = ['<?xml version="1.0" encoding="UTF-16"?>', _comment(case, name)]
    out.append("<ACH>")
    out.append(f"  <PROJECT-TITLE>{_text(case.title or case.question)}</PROJECT-TITLE>")
    out.append(f"  <CLASSIFICATION>{_text(case.handling)}</CLASSIFICATION>")
    out.append(f"  <LAST-INDEX>{len(case.evidence)}</LAST-INDEX>")
    out.append("  <COLOR-SCHEME></COLOR-SCHEME>")
    out.append("  <MATRIX>")
    for h in hyps:
        out.append(f"    <HYPOTHESIS ach-id={quoteattr(h.id)}><NAME>{_text(h.title)}</NAME></HYPOTHESIS>")
    stated = _stated_relevance(case)
    for e in case.evidence:
        lines = e.notes.splitlines()
        flagged = FLAG_NOTE in (line.strip() for line in lines)
        notes = "\n".join(line for line in lines if line.strip() != FLAG_NOTE).strip()
        values = [_value(e, h.id, case, lost) for h in hyps]
        fields = [
            ("NAME", e.text),
            ("NOTES", notes),
            ("LINK", _link(e.citation)),
            ("TYPE", e.type),
            ("DATE", str(_epoch_ms(e.date)) if e.date else "0"),
            ("CODE", e.id.split("~")[0]),
            ("FLAG", "1" if flagged else "0"),
            ("CREDIBILITY", _credibility(e, lost)),
        ]
        if e.relevance != "medium" or e.id in stated:
            fields.append(("RELEVANCE", e.relevance.upper()))
        fields.append(("VALUES", ",".join(values)))
        out.append("    <EVIDENCE>")
        out += [f"      <{tag}>{_text(value)}</{tag}>" for tag, value in fields]
        out.append("    </EVIDENCE>")
        lost.item(e)
    out += ["  </MATRIX>", "</ACH>", ""]
    lost.case(case)
    if warnings is not None:
        warnings.extend(lost.diagnostics())
    return "\n".join(out)


def _loaded(data: dict):
    case, found = check_text(dump_case(data).encode("utf-8"), "<case>")
    if errors_of(found) or case is None:
        raise CaseError(errors_of(found))
    return case


def _stated_relevance(case) -> set[str]:
    """Ids of the items whose file states a relevance (medium too, so that a round trip keeps it)."""
    data, _ = to_data(case)
    return {e.get("id") for e in data.get("evidence") or [] if isinstance(e, dict) and "relevance" in e}


def _comment(case, name: str) -> str:
    source = Path(case.path).name if case.path and case.path != "<case>" else "a case"
    text = (
        f" Written by ach from {source} for PARC ACH 2.0{f' as {name}' if name else ''}. PARC ACH holds "
        "hypotheses by name and items with their consistency ratings (C C, C, N, NA, I, I I), credibility, "
        "date, type, code, link, notes and flag. Not carried: the question, sources and reliabilities, "
        "priors, analyst confidence, if_false, quotes, the case's own scale; a probability or an ICD 203 "
        "term is written as the nearest classic rating. RELEVANCE and ach-id are ach's own additions. "
    )
    return f"<!--{_text(text).replace('--', '- -')}-->"


def _text(value) -> str:
    return escape(_NOT_XML.sub("", str(value or "")))


def _link(citation) -> str:
    if citation is None:
        return ""
    if citation.url:
        return citation.url
    return "" if citation.report == "PARC ACH import" else citation.report


def _epoch_ms(date: str) -> int:
    return (dt.date.fromisoformat(date) - dt.date(1970, 1, 1)).days * DAY_MS + DAY_TIME_MS


def _value(e, hid: str, case, lost: _Lost) -> str:
    belief = e.likelihood.get(hid)
    if belief is None:
        return "NA"
    label = belief.label.upper()
    if label in RATINGS:
        if case.scale.rating_map.get(label) != RATINGS[label]:
            lost.scaled = True
        return PARC_SPELLING.get(label, label)
    rating = str(case.scale.to_rating(belief.mean))
    lost.rounded.append(f"{e.id}/{hid} {belief.label or f'{belief.mean:g}'} → {PARC_SPELLING.get(rating, rating)}")
    return PARC_SPELLING.get(rating, rating)


def _credibility(e, lost: _Lost) -> str:
    label = e.credibility.label
    if not label:
        return ""  # none given: fully credible, which PARC ACH has no word for
    if label in ("low", "medium", "high"):
        return label.upper()
    level = heuer_level(e.credibility.mean).upper()
    lost.credibility.append(f"{e.id} {label} → {level}")
    return level


class _Lost:
    """What the .achz file cannot hold, gathered for one warning per kind."""

    def __init__(self, origin: str):
        self.origin = origin
        self.rounded: list[str] = []
        self.credibility: list[str] = []
        self.scaled = False
        self.odd_marking = ""
        self.counts: dict[str, int] = {}

    def add(self, what: str, n: int = 1) -> None:
        if n:
            self.counts[what] = self.counts.get(what, 0) + n

    def item(self, e) -> None:
        self.add("analyst confidence other than medium", e.confidence != "medium")
        self.add("if_false", e.if_false is not None)
        self.add("quotes", bool(e.citation and e.citation.quote))
        reported = e.citation is not None and e.citation.url and e.citation.report not in (e.citation.url, "")
        self.add("report names beside a link", bool(reported))

    def case(self, case) -> None:
        sources = [s for s in case.sources if not s.implicit]
        self.add("sources (with their reliabilities)", len(sources))
        self.add("the default_reliability", case.default_reliability is not None)
        self.add("priors", sum(h.prior is not None for h in case.hypotheses))
        self.add("hypothesis descriptions", sum(bool(h.description) for h in case.hypotheses))
        # a catch-all is found again by its name on import ('Other', 'Someone else'); any other mark is lost
        self.add("catch-all marks", sum(h.catch_all and not is_catch_all(h.title) for h in case.hypotheses))
        if case.handling and case.handling.strip().lower() not in PARC_CLASSIFICATIONS:
            self.odd_marking = case.handling
        self.add("candidate observations", len(case.collection))
        self.add("cited reports", len(case.reports))
        for what in ("question", "description", "analyst", "date", "as_of"):
            self.add(f"the case's {what}", bool(getattr(case, what, "")))
        self.add("the outcome", case.outcome is not None)
        self.add("the analyst's judgment", case.judgment is not None)

    def diagnostics(self) -> list[Diagnostic]:
        out = []
        if self.counts:
            listed = ", ".join(f"{n} {what}" if n > 1 else what for what, n in self.counts.items())
            out.append(self._warn(f"PARC ACH has no place for these, left out of the .achz file: {listed}"))
        if self.rounded:
            shown = "; ".join(self.rounded[:8]) + (f"; … {len(self.rounded) - 8} more" if len(self.rounded) > 8 else "")
            out.append(
                self._warn(
                    f"{count(self.rounded, 'likelihood')} written as the nearest classic rating (PARC ACH has "
                    f"no numbers or ICD 203 terms): {clip(shown, 400)}",
                    "read back, they take the classic ratings' numbers (C 0.70, …), not the ones written",
                )
            )
        if self.credibility:
            shown = "; ".join(self.credibility[:8])
            out.append(
                self._warn(
                    f"{count(self.credibility, 'credibility', 'credibilities')} written as HIGH, MEDIUM or LOW: "
                    f"{clip(shown, 400)}",
                    "read back, they are low 0.30, medium 0.60 or high 0.90",
                )
            )
        if self.odd_marking:
            out.append(
                self._warn(
                    f"the handling line '{clip(self.odd_marking, 60)}' is written as the CLASSIFICATION; the Open "
                    "Source ACH importer knows only U, FOUO, C, S, TS (and their words) and drops any other",
                    "nothing to do if the PARC ACH user reads the marking in the file",
                )
            )
        if self.scaled:
            out.append(
                self._warn(
                    "the case's own numbers for the classic ratings (its scale) are not carried",
                    "read back, the ratings take the default numbers: CC 0.90, C 0.70, N 0.50, I 0.20, II 0.05",
                )
            )
        return out

    def _warn(self, message: str, hint: str = "") -> Diagnostic:
        return Diagnostic("warning", message, self.origin, hint=hint, code="not-carried")
