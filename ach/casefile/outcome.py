"""Reading a case's ``outcome`` (what really happened) and ``judgment`` (the analyst's own probabilities).

:class:`OutcomeReader` is a third part of the :class:`~ach.casefile.build.Builder`
(it provides ``error``, ``data`` and ``document``): the schema has checked the
forms, this checks what the schema cannot say, that the hypotheses named exist,
that the outcome's date is a real day and that the judgment sums to 1, each
at its own line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from ..case import Outcome
from ..formatting import quoted
from .values import id_hint, text_of, valid

__all__ = ["JUDGMENT_TOLERANCE", "OutcomeReader", "probability_of"]

JUDGMENT_TOLERANCE = 0.01  # how far from 1 the judgment's probabilities may sum (rounding as written)


def probability_of(value) -> float | None:
    """A judgment's value as a probability: 0.7 or '70%' -> 0.7 (None if it is neither)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            return float(value.strip()[:-1]) / 100
        except ValueError:
            return None
    return None


class OutcomeReader:
    """Reads ``outcome``, ``judgment`` and ``judgment_when`` for a Builder."""

    def outcome(self, spec, hypotheses) -> Outcome | None:
        """The stated outcome (None if the file states none); ``hypotheses`` None: not all readable."""
        if spec is None or not valid(spec):
            self.outcome_as_id()
            return None
        if spec == "unresolved":
            return Outcome(None)
        if not isinstance(spec, dict):
            return None
        hid = spec.get("hypothesis")
        if not isinstance(hid, str):
            return None
        ids = [h.id for h in hypotheses] if hypotheses is not None else None
        if ids is not None and hid not in ids:
            self.error(
                ("outcome", "hypothesis"),
                f"the outcome names the hypothesis '{hid}', which the case does not list",
                id_hint(hid, ids),
                code="unknown-hypothesis",
            )
            return None
        date = spec.get("date") if isinstance(spec.get("date"), str) else None
        if date is not None:
            try:
                dt.date.fromisoformat(date)
            except ValueError:
                self.error(
                    ("outcome", "date"),
                    f"'{date}' is not a calendar date",
                    "write a real date as YYYY-MM-DD, e.g. 2020-02-06",
                    code="bad-date",
                )
                return None
        return Outcome(hid, date, text_of(spec.get("source")), text_of(spec.get("note")))

    def outcome_as_id(self) -> None:
        """``outcome: ISIS`` (set aside by the schema): say how to write it, at the error already given."""
        written = (self.document or {}).get("outcome") if isinstance(self.document, dict) else None
        listed = self.data.get("hypotheses")
        ids = [h.get("id") for h in listed if isinstance(h, dict)] if isinstance(listed, list) else []
        if not isinstance(written, str) or written not in ids:
            return
        for n, d in enumerate(self.diagnostics):
            if d.path == ("outcome",) and d.level == "error":
                hint = f"write `outcome: {{hypothesis: {written}}}` (with date, source and note if known)"
                self.diagnostics[n] = dataclasses.replace(d, hint=hint)

    def judgment(self, spec, hypotheses) -> dict[str, float] | None:
        """The analyst's probabilities by hypothesis id, as numbers (None if none are stated or they are wrong)."""
        if not isinstance(spec, dict) or not spec:
            return None
        out, ok = {}, True
        ids = [h.id for h in hypotheses] if hypotheses is not None else None
        for hid, value in spec.items():
            p = probability_of(value) if valid(value) else None
            if p is None:
                ok = False  # the schema said why
                continue
            if not 0 <= p <= 1:
                self.error(
                    ("judgment", hid),
                    f"{quoted(value)} is not a probability",
                    "write a number from 0 to 1, or a percentage from 0% to 100%",
                    code="bad-probability",
                )
                ok = False
                continue
            if ids is not None and hid not in ids:
                self.error(
                    ("judgment", hid),
                    f"the judgment gives a probability to '{hid}', which the case does not list",
                    id_hint(hid, ids),
                    code="unknown-hypothesis",
                )
                ok = False
                continue
            out[hid] = p
        if not ok or ids is None:
            return None
        total = sum(out.values())
        if abs(total - 1) > JUDGMENT_TOLERANCE:
            missing = [h for h in ids if h not in out]
            self.error(
                ("judgment",),
                f"the judgment's probabilities sum to {total:.4g}, not 1",
                "make them add up to 1 (100%)"
                + (
                    f"; {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not given (taken as 0)"
                    if missing
                    else ""
                ),
                code="judgment-sum",
            )
            return None
        return {h: out.get(h, 0.0) for h in ids}
