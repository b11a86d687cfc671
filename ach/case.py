"""The data model of a case: hypotheses, sources and evidence, ratings resolved.

A :class:`Case` is what the analyst wrote, with every rating already turned
into a :class:`~ach.scales.Belief`. It knows nothing of engines or PyMC; the
numeric arrays they need come from :meth:`Case.inputs`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from .errors import Diagnostic
from .inputs import Inputs
from .scales import Belief, Scale

# Browsers drop tabs and newlines inside an address ("java\tscript:"): refuse any whitespace or control character.
_LINKABLE = re.compile(r"(?i:https?://|mailto:)[^\s\x00-\x1f\x7f]+")

__all__ = ["Candidate", "Case", "Citation", "CitedReport", "Evidence", "Hypothesis", "Outcome", "Source"]


@dataclass(frozen=True)
class Hypothesis:
    id: str
    title: str
    prior: float | None = None  # weight; None = uniform share
    catch_all: bool = False
    description: str = ""


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    reliability: Belief
    notes: str = ""
    implicit: bool = False  # made up for an item that names no listed source


@dataclass(frozen=True)
class CitedReport:
    """A report the evidence is quoted from, named in words (the case's ``reports`` list)."""

    id: str  # what citations write: a file name or a short id
    title: str
    publisher: str = ""
    date: str | None = None
    url: str = ""

    @property
    def label(self) -> str:
        """'New York Times, 2020-02-06' (or the title when no publisher is given)."""
        head = self.publisher or self.title
        return f"{head}, {self.date}" if self.date else head

    @property
    def link(self) -> str:
        return self.url if _LINKABLE.fullmatch(self.url) else ""


@dataclass(frozen=True)
class Citation:
    report: str
    quote: str = ""
    url: str = ""

    @property
    def link(self) -> str:
        """``url`` if it may become a link (``http``, ``https`` or ``mailto``, no spaces), else ``""``.

        Anything else (``javascript:``, ``data:``, ``file:``, a relative path)
        is shown as text wherever citations are shown: a case file from
        someone else must not be able to put a live script behind a click.
        """
        return self.url if _LINKABLE.fullmatch(self.url) else ""


@dataclass(frozen=True)
class Evidence:
    id: str
    text: str
    source: str
    likelihood: dict[str, Belief | None]  # hypothesis id -> Belief; None = NA
    credibility: Belief = Belief(1.0)
    if_false: float | dict[str, float] | None = None
    confidence: str = "medium"
    relevance: str = "medium"
    date: str | None = None
    type: str = ""
    citation: Citation | None = None
    notes: str = ""
    line: int | None = None  # where it starts in the case file


@dataclass(frozen=True)
class Candidate:
    """An observation not yet made, rated like an item, for `ach collect`."""

    id: str
    text: str
    likelihood: dict[str, Belief]  # P(it would be observed | hypothesis)
    credibility: Belief = Belief(1.0)
    notes: str = ""


@dataclass(frozen=True)
class Outcome:
    """What really happened: the hypothesis that proved true (None: the case is stated unresolved)."""

    hypothesis: str | None
    date: str | None = None
    source: str = ""
    note: str = ""

    @property
    def resolved(self) -> bool:
        return self.hypothesis is not None


@dataclass(frozen=True, eq=False)
class Case:
    question: str
    hypotheses: tuple[Hypothesis, ...]
    sources: tuple[Source, ...]
    evidence: tuple[Evidence, ...]
    title: str = ""
    description: str = ""
    prior_concentration: float | None = None
    scale: Scale = field(default_factory=Scale)
    path: str = "<case>"
    sha256: str = ""
    warnings: tuple[Diagnostic, ...] = ()
    collection: tuple[Candidate, ...] = ()
    analyst: str = ""
    date: str | None = None  # the date the analysis speaks for
    as_of: str | None = None  # the headline leaves out items dated later (hindsight)
    default_reliability: Belief | None = None  # of an item with no source; None: not stated (1)
    document: dict | None = field(default=None, repr=False)  # the file's values as written (the loader's)
    comment: str = ""  # the file's opening comment block
    handling: str = ""  # the handling line of every report
    reports: tuple[CitedReport, ...] = ()  # the reports citations name, in words
    acknowledged: tuple[tuple[Diagnostic, str], ...] = ()  # (warning, why) the analyst means, kept out of `warnings`
    outcome: Outcome | None = None  # what really happened; None: not stated
    judgment: dict[str, float] | None = None  # the analyst's holistic probabilities, hypothesis id -> p (sum 1)
    judgment_when: str | None = None  # "before" or "after" seeing the matrix's posterior; None: not stated

    @property
    def truth(self) -> str | None:
        """The id of the hypothesis that proved true, if the outcome is known."""
        return self.outcome.hypothesis if self.outcome is not None else None

    @property
    def hypothesis_ids(self) -> list[str]:
        return [h.id for h in self.hypotheses]

    @property
    def name(self) -> str:
        """A short name for output folders: the file's stem."""
        return Path(self.path).stem if self.path not in ("<case>", "-") else "case"

    def hypothesis(self, hid: str) -> Hypothesis:
        return next(h for h in self.hypotheses if h.id == hid)

    def source(self, sid: str) -> Source:
        return next(s for s in self.sources if s.id == sid)

    def item(self, eid: str) -> Evidence:
        return next(e for e in self.evidence if e.id == eid)

    def cited(self, citation: Citation | None) -> CitedReport | None:
        """The listed report a citation names, if the case lists it."""
        if citation is None:
            return None
        return next((r for r in self.reports if r.id == citation.report), None)

    @cached_property
    def inputs(self) -> Inputs:
        """Every input as numpy arrays (see :class:`ach.inputs.Inputs`)."""
        return Inputs.from_case(self)

    @property
    def hindsight(self) -> tuple[str, ...]:
        """Items dated after the case's ``as_of``: hindsight, left out of the headline."""
        if not self.as_of:
            return ()
        return tuple(e.id for e in self.evidence if e.date and e.date > self.as_of)

    def headline(self) -> Case:
        """The case as it stood on its ``as_of`` date (itself when no item is later)."""
        later = set(self.hindsight)
        return self.replace(evidence=tuple(e for e in self.evidence if e.id not in later)) if later else self

    def replace(self, **changes) -> Case:
        """A copy with some fields changed (cached arrays are recomputed; the
        as-written ``document`` no longer describes it, so it is dropped)."""
        return replace(self, **{"document": None, **changes})
