"""What the page shows of a case: the values as the analyst wrote them, and the why of each.

The analysis (``/api/analysis``) has the numbers; this view has the words: a
cell as written (``likely``, ``CC``, ``0.7``), the comment at the end of its
line (its rationale), each item's text, source, credibility, date and
citation, and the rating words the page offers while typing. A citation's
address is offered as a link only when :attr:`ach.case.Citation.link` allows
it (``http``, ``https``, ``mailto``).
"""

from __future__ import annotations

from ..case import Case
from ..casefile.remarks import remarks
from ..scales import NA

__all__ = ["case_view"]


def _why(text: str) -> dict[tuple[str, str, str], str]:
    """(sheet, entry id, field) -> the comment at the end of that field's line."""
    try:
        notes, _ = remarks(text)
    except Exception:  # noqa: BLE001 - comments are a nicety: a file they cannot be read from still shows
        return {}
    return {(r.sheet, r.id, r.field): r.text for r in notes if r.place == "end"}


def _written(value):
    """A value as the page shows it: text as written, numbers as numbers, nothing as ''."""
    return "" if value is None else value


def case_view(case: Case, text: str, name: str, version: str) -> dict:
    """The page's model of one case file (JSON-ready)."""
    doc = case.document or {}
    why = _why(text)
    written = {e.get("id"): e for e in doc.get("evidence") or [] if isinstance(e, dict)}
    hyps = case.hypothesis_ids

    def item(e) -> dict:
        raw = written.get(e.id, {})
        cells = raw.get("likelihood") if isinstance(raw.get("likelihood"), dict) else {}
        cited = case.cited(e.citation)
        return {
            "id": e.id,
            "text": e.text,
            "source": e.source,
            "credibility": _written(raw.get("credibility")),
            "confidence": e.confidence,
            "relevance": e.relevance,
            "date": e.date or "",
            "type": e.type,
            "notes": e.notes,
            "citation": None
            if e.citation is None
            else {
                "report": e.citation.report,
                "title": cited.title if cited else "",
                "quote": e.citation.quote,
                "url": e.citation.url or (cited.url if cited else ""),
                "link": e.citation.link or (cited.link if cited else ""),
            },
            "ratings": {h: _written(cells.get(h, NA)) for h in hyps},
            "why": {h: why.get(("Evidence", e.id, f"likelihood.{h}"), "") for h in hyps},
            "line": e.line,
        }

    written_sources = {s.get("id"): s for s in doc.get("sources") or [] if isinstance(s, dict)}
    written_hyps = {h.get("id"): h for h in doc.get("hypotheses") or [] if isinstance(h, dict)}
    written_candidates = {c.get("id"): c for c in doc.get("collection") or [] if isinstance(c, dict)}
    return {
        "name": name,
        "version": version,
        "title": case.title,
        "question": case.question,
        "handling": case.handling,
        "analyst": case.analyst,
        "as_of": case.as_of or "",
        "priors_given": any(h.prior is not None for h in case.hypotheses),
        "hypotheses": [
            {
                "id": h.id,
                "title": h.title,
                "description": h.description,
                "prior": _written(written_hyps.get(h.id, {}).get("prior")),
                "catch_all": h.catch_all,
            }
            for h in case.hypotheses
        ],
        "sources": [
            {
                "id": s.id,
                "title": s.title,
                "reliability": _written(written_sources.get(s.id, {}).get("reliability", s.reliability.mean)),
                "confidence": written_sources.get(s.id, {}).get("confidence", ""),
                "notes": s.notes,
                "listed": not s.implicit,
            }
            for s in case.sources
        ],
        "evidence": [item(e) for e in case.evidence],
        "collection": [
            {
                "id": c.id,
                "text": c.text,
                "ratings": {
                    h: _written((written_candidates.get(c.id, {}).get("likelihood") or {}).get(h)) for h in hyps
                },
            }
            for c in case.collection
        ],
        "rating_words": [*case.scale.rating_map, NA, *case.scale.term_map],
        "warnings": [d.to_dict() for d in case.warnings],
    }
