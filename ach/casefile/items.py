"""The items and candidate observations of a case file, and the checks on them.

The half of :class:`~ach.casefile.build.Builder` that reads ``evidence`` and
``collection``: sources named, likelihoods resolved through the case's scale,
credibility, ``if_false``, and the warnings an analyst needs (a zero that rules
a hypothesis out, an item that cannot change the result, evidence no
hypothesis explains).
"""

from __future__ import annotations

from ..case import Candidate, Citation, Evidence, Source
from ..errors import ScaleError, suggest
from ..scales import ADMIRALTY_CREDIBILITY, LEVELS, NA, Belief, Scale, credibility
from .values import id_hint, input_hint, text_of, valid

__all__ = ["ItemReader"]


class ItemReader:
    """Reads the items and candidates for a Builder (which provides ``error``, ``warn`` and ``line``)."""

    def evidence(self, specs, hypotheses, sources, sources_complete, scale, default_reliability: Belief):
        """The items; ``hypotheses`` is None when the list could not be read. An item that names
        no source is its own source, of ``default_reliability`` (the case's, else 1)."""
        if not isinstance(specs, list):
            return [], sources
        hyps = None if hypotheses is None else [h.id for h in hypotheses]
        listed = {s.id for s in sources}
        sources, implicit = list(sources), set()
        out, seen = [], set()
        for i, spec in enumerate(specs):
            if not isinstance(spec, dict):
                continue
            at = ("evidence", i)
            eid = spec.get("id")
            if not isinstance(eid, str):
                eid = f"evidence[{i}]"
            elif eid in seen:
                self.error(
                    (*at, "id"),
                    f"evidence id '{eid}' is used twice: the item would be counted twice",
                    "give each item its own id (or delete the copy)",
                    code="duplicate-id",
                )
            seen.add(eid)

            source = spec.get("source") if valid(spec.get("source")) else None
            unknown = source is not None and source not in listed and sources_complete
            if unknown:
                self.error(
                    (*at, "source"),
                    f"source '{source}' is not listed under sources",
                    "; ".join(
                        filter(
                            None,
                            [
                                suggest(source, sorted(listed)),
                                "add it under sources with a reliability, "
                                "or leave out `source:` to make the item its own source",
                            ],
                        )
                    ),
                    code="unknown-source",
                )  # the rest of the item is still checked: every problem in one pass
            if source is None:  # the item is its own source (never a listed one that shares its id)
                source = eid if eid not in listed else f"{eid}~own"
            if source not in listed and source not in implicit and not unknown:
                sources.append(Source(source, source, default_reliability, implicit=True))
                implicit.add(source)

            confidence = spec.get("confidence") if spec.get("confidence") in LEVELS else "medium"
            likelihood, clean = {}, False
            if isinstance(spec.get("likelihood"), dict):
                likelihood, clean = self.likelihoods(at, spec["likelihood"], hyps, scale, confidence)
            cred = Belief(1.0)
            value = spec.get("credibility")
            if value is not None and valid(value):
                conf = spec.get("credibility_confidence")
                try:
                    cred = credibility(value, conf if conf in LEVELS else None)
                except ScaleError as exc:
                    self.error(
                        (*at, "credibility"),
                        str(exc),
                        input_hint(exc, value, ADMIRALTY_CREDIBILITY),
                        code="bad-credibility",
                    )
            item = Evidence(
                id=eid,
                text=text_of(spec.get("text")),
                source=source,
                likelihood=likelihood,
                credibility=cred,
                if_false=self.if_false(at, spec.get("if_false"), hyps),
                confidence=confidence,
                relevance=spec.get("relevance") if spec.get("relevance") in LEVELS else "medium",
                date=spec.get("date") if isinstance(spec.get("date"), str) else None,
                type=text_of(spec.get("type")),
                citation=citation_of(spec.get("citation")),
                notes=text_of(spec.get("notes")),
                line=self.line(at),
            )
            if clean:
                self.check_item(at, item)
            out.append(item)
        return out, sources

    def collection(self, specs, hypotheses, scale) -> list[Candidate]:
        """Candidate observations: rated like items, but every cell must say something."""
        if not isinstance(specs, list):
            return []
        hyps = None if hypotheses is None else [h.id for h in hypotheses]
        out, seen = [], set()
        for i, spec in enumerate(specs):
            if not isinstance(spec, dict) or not isinstance(spec.get("id"), str):
                continue
            at = ("collection", i)
            if spec["id"] in seen:
                self.error(
                    (*at, "id"),
                    f"candidate id '{spec['id']}' is used twice",
                    "give each candidate its own id",
                    code="duplicate-id",
                )
            seen.add(spec["id"])
            likelihood, clean = {}, False
            if isinstance(spec.get("likelihood"), dict):
                likelihood, clean = self.likelihoods(at, spec["likelihood"], hyps, scale, "medium")
            for h, cell in likelihood.items():
                if cell is None:
                    self.error(
                        (*at, "likelihood", h),
                        f"{NA} cannot rate a candidate observation",
                        "give the probability of observing it if this hypothesis is true",
                        code="na-candidate",
                    )
                    clean = False
            cred = Belief(1.0)
            value = spec.get("credibility")
            if value is not None and valid(value):
                try:
                    cred = credibility(value)
                except ScaleError as exc:
                    self.error(
                        (*at, "credibility"),
                        str(exc),
                        input_hint(exc, value, ADMIRALTY_CREDIBILITY),
                        code="bad-credibility",
                    )
            if clean:
                out.append(
                    Candidate(spec["id"], text_of(spec.get("text")), likelihood, cred, text_of(spec.get("notes")))
                )
        return out

    def likelihoods(self, at, spec: dict, hyps: list[str] | None, scale: Scale, confidence: str) -> tuple[dict, bool]:
        """(cells, whether every cell was understood)."""
        cells, clean = {}, True
        for h, value in spec.items():
            if not valid(value):
                clean = False
                continue
            if hyps is not None and h not in hyps:
                self.error(
                    (*at, "likelihood", h), f"'{h}' is not a hypothesis", id_hint(h, hyps), code="unknown-hypothesis"
                )
                clean = False
                continue
            try:
                cells[h] = scale.likelihood(value, confidence)
            except ScaleError as exc:
                self.error((*at, "likelihood", h), str(exc), exc.hint, code="bad-rating")
                clean = False
        for h in hyps or ():
            if h not in spec:
                self.error(
                    (*at, "likelihood"),
                    f"no likelihood for hypothesis '{h}'",
                    f"add `{h}: <rating>` (write {NA} if the item does not bear on it)",
                    code="missing-rating",
                )
                clean = False
        return cells, clean

    def if_false(self, at, value, hyps):
        if isinstance(value, dict):
            if not all(valid(v) for v in value.values()):
                return None
            unknown = [h for h in value if hyps is not None and h not in hyps]
            for h in unknown:
                self.error(
                    (*at, "if_false", h), f"'{h}' is not a hypothesis", id_hint(h, hyps), code="unknown-hypothesis"
                )
            missing = [h for h in hyps or () if h not in value]
            if missing and not unknown:  # a misspelt id is one mistake, not two
                self.error(
                    (*at, "if_false"),
                    f"if_false gives no probability for {', '.join(repr(h) for h in missing)}",
                    "give one for every hypothesis (how likely the report would be, if not genuine, under each), "
                    "or one number for all",
                    code="if-false-incomplete",
                )
            return value
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    def check_item(self, at: tuple, item: Evidence) -> None:
        cells = {h: c for h, c in item.likelihood.items() if c is not None}
        means = {round(c.mean, 12) for c in cells.values()}
        if_false = item.if_false
        deceptive = isinstance(if_false, dict) and len(set(if_false.values())) > 1
        if len(means) <= 1 and means != {0.0} and not deceptive:
            self.warn(
                (*at, "likelihood"),
                "non-diagnostic: the same likelihood under every hypothesis, so this item cannot change the result",
                "keep it if it documents a check; otherwise rate how much more expected it is under some hypotheses",
                code="non-diagnostic",
            )


def citation_of(spec) -> Citation | None:
    if not isinstance(spec, dict) or not isinstance(spec.get("report"), str):
        return None
    return Citation(spec["report"], text_of(spec.get("quote")), text_of(spec.get("url")))
