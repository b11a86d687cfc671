"""Building a Case from a parsed case file, collecting every diagnostic on the way.

:class:`Builder` reports each problem with its line, its human field and its
machine path; the schema's complaints come first, and a value the schema
rejected is set aside (:data:`~ach.casefile.values.INVALID`) so that the
checks that follow do not echo it. The items and candidates are read by
:class:`~ach.casefile.items.ItemReader`, the other half of the builder.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import math
import re

from ..case import Case, CitedReport, Hypothesis, Source
from ..errors import Diagnostic, ScaleError, suggest
from ..scales import ADMIRALTY_RELIABILITY, LEVELS, RATINGS, TERMS, Belief, Scale, fit_band, reliability
from .checks import case_findings
from .items import ItemReader
from .outcome import OutcomeReader
from .placeholders import placeholders
from .schema import complaints
from .values import INVALID, input_hint, text_of, valid

__all__ = ["Builder"]

_SURROGATE = re.compile("[\ud800-\udfff]")  # what "\ud83d" in a YAML string reads as: half of a character


class Builder(ItemReader, OutcomeReader):
    """Turns a parsed document into a Case, collecting diagnostics on the way."""

    def __init__(self, line, data: dict, file: str, sha256: str, comment: str = "", text: str = ""):
        """``line(path)``: the 1-based line of the value at ``path`` in the file, or None;
        ``text``: the file itself, searched for the placeholders left."""
        self.line, self.data, self.file, self.sha256, self.comment = line, data, file, sha256, comment
        self.text = text
        self.document = copy.deepcopy(data)  # as written, before any value is set aside
        self.diagnostics: list[Diagnostic] = []

    def field(self, path: tuple) -> str:
        parts, node = [], self.data
        for key in path:
            if isinstance(key, int) and isinstance(node, list) and key < len(node) and parts:
                element = node[key]
                ident = element.get("id") if isinstance(element, dict) else None
                parts[-1] = f"{parts[-1]} {ident}" if isinstance(ident, str) else f"{parts[-1]}[{key}]"
                node = element
            else:
                parts.append(str(key))
                node = node.get(key) if isinstance(node, dict) else None
        return " › ".join(parts)

    def report(self, level: str, path: tuple, message: str, hint: str, code: str) -> None:
        # a missing field's path names it; its line and human field are its parent's
        at = path[:-1] if code == "missing-field" else path
        self.diagnostics.append(
            Diagnostic(level, message, self.file, self.line(at), self.field(at), hint, tuple(path), code)
        )

    def error(self, path: tuple, message: str, hint: str = "", *, code: str) -> None:
        self.report("error", path, message, hint, code)

    def warn(self, path: tuple, message: str, hint: str = "", *, code: str) -> None:
        self.report("warning", path, message, hint, code)

    @property
    def failed(self) -> bool:
        return any(d.level == "error" for d in self.diagnostics)

    def result(self, case: Case | None) -> tuple[Case | None, list[Diagnostic]]:
        diagnostics = sorted(self.diagnostics, key=lambda d: d.line or 0)  # stable: top of the file first
        if case is None or self.failed:
            return None, diagnostics
        diagnostics, acknowledged = self.acknowledge(diagnostics)
        return dataclasses.replace(case, warnings=tuple(diagnostics), acknowledged=acknowledged), diagnostics

    def acknowledge(self, diagnostics: list[Diagnostic]) -> tuple[list[Diagnostic], tuple]:
        """Set aside the warnings the file's ``acknowledge`` list means, each with its reason;
        an acknowledgement that matches no warning is itself a warning (it has gone stale)."""
        entries = [(i, e) for i, e in enumerate(self.data.get("acknowledge") or []) if isinstance(e, dict)]
        shown, acknowledged, used = [], [], set()
        for d in diagnostics:
            match = next((i for i, e in entries if d.level == "warning" and _means(e, d)), None)
            if match is None:
                shown.append(d)
            else:
                acknowledged.append((d, text_of(self.data["acknowledge"][match].get("why"))))
                used.add(match)
        for i, entry in entries:
            if i not in used and isinstance(entry.get("warning"), str):
                at = f" at {entry['at']}" if isinstance(entry.get("at"), str) else ""
                path = ("acknowledge", i)
                shown.append(
                    Diagnostic(
                        "warning",
                        f"acknowledges a warning '{entry['warning']}'{at} that the case no longer gives",
                        self.file,
                        self.line(path),
                        self.field(path),
                        "remove the acknowledgement (ach validate --json lists the codes of the warnings given)",
                        path,
                        "acknowledgement-unused",
                    )
                )
        return sorted(shown, key=lambda d: d.line or 0), tuple(acknowledged)

    def build(self) -> tuple[Case | None, list[Diagnostic]]:
        self.diagnostics += placeholders(self.text, self.file)
        self.check_schema()
        self.check_dates()
        d = self.data
        scale = self.scale(d.get("scale"))
        hypotheses, hyps_complete = self.hypotheses(d.get("hypotheses"), d.get("prior_concentration"))
        sources, sources_complete = self.sources(d.get("sources"))
        default_reliability = self.default_reliability(d.get("default_reliability"))
        evidence, sources = self.evidence(
            d.get("evidence"),
            hypotheses if hyps_complete else None,
            sources,
            sources_complete,
            scale,
            default_reliability or Belief(1.0),
        )
        collection = self.collection(d.get("collection"), hypotheses if hyps_complete else None, scale)
        reports = self.reports(d.get("reports"), d.get("evidence"))
        outcome = self.outcome(d.get("outcome"), hypotheses if hyps_complete else None)
        judgment = self.judgment(d.get("judgment"), hypotheses if hyps_complete else None)
        if self.failed:
            return self.result(None)
        case = Case(
            question=d["question"],
            hypotheses=tuple(hypotheses),
            sources=tuple(sources),
            evidence=tuple(evidence),
            title=text_of(d.get("title")),
            description=text_of(d.get("description")),
            prior_concentration=d.get("prior_concentration"),
            scale=scale,
            path=self.file,
            sha256=self.sha256,
            collection=tuple(collection),
            analyst=text_of(d.get("analyst")),
            date=d.get("date") if isinstance(d.get("date"), str) else None,
            as_of=d.get("as_of") if isinstance(d.get("as_of"), str) else None,
            default_reliability=default_reliability,
            document=self.document,
            comment=self.comment,
            handling=text_of(d.get("handling")),
            reports=reports,
            outcome=outcome,
            judgment=judgment,
            judgment_when=d.get("judgment_when") if d.get("judgment_when") in ("before", "after") else None,
        )
        for f in case_findings(case):
            self.report(f.level, f.path, f.message, f.hint, f.code)
        return self.result(case)

    def check_schema(self) -> None:
        """Report everything the schema rejects, then set those values aside."""
        rejected = []
        for c in complaints(self.data):
            self.error(c.path, c.message, c.hint, code=c.code)
            if c.set_aside:
                rejected.append(c.path)
        rejected += self.check_finite(self.data, (), set(rejected))
        for path in rejected:
            set_aside(self.data, path)

    def check_finite(self, node, path: tuple, reported: set) -> list[tuple]:
        """YAML can write .inf, .nan and whole numbers of any size; no field of a case means
        them (values the schema already rejected are not reported twice). Nor text that holds
        half a character (``"\\ud83d"``), which no report, JSON or terminal can write."""
        if isinstance(node, dict):
            out = []
            for k, v in node.items():
                halved = isinstance(k, str) and not k.isascii() and _SURROGATE.search(k)
                if halved and (*path, k) not in reported:  # the key itself: the value goes with it
                    out += self.halves((*path, k), k)
                elif not halved:
                    out += self.check_finite(v, (*path, k), reported)
            return out
        if isinstance(node, list):
            return [p for i, v in enumerate(node) for p in self.check_finite(v, (*path, i), reported)]
        if isinstance(node, str) and not node.isascii() and _SURROGATE.search(node) and path not in reported:
            return self.halves(path, node)
        if isinstance(node, float) and not math.isfinite(node) and path not in reported:
            self.error(
                path, f"{node} is not a finite number", "write an ordinary number, such as 0.3 or 20", code="not-finite"
            )
            return [path]
        if isinstance(node, int) and not isinstance(node, bool) and abs(node) > 2**1023 and path not in reported:
            self.error(
                path,
                f"a whole number of {len(str(abs(node)))} digits is too large to compute with",
                "write an ordinary number, such as 0.3 or 20",
                code="not-finite",
            )
            return [path]
        return []

    def halves(self, path: tuple, text: str) -> list[tuple]:
        """Text with half of a character in it: refused, with the escape that writes the whole one."""
        halves = _SURROGATE.findall(text)
        written = "".join(f"\\u{ord(c):04x}" for c in halves[:2])
        whole = "".join(halves[:2]).encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        self.error(
            path,
            f"the text holds {written}{'…' if len(halves) > 2 else ''}: UTF-16 surrogates, halves of a character "
            "that no report, JSON or terminal can write",
            f"write the character itself ({whole}) or \\U{ord(whole):08X} (in YAML, \\u writes one half)"
            if len(whole) == 1 and whole != "\ufffd"
            else "write the character itself, or delete the escape",
            code="not-a-character",
        )
        return [path]

    def reports(self, specs, items) -> tuple[CitedReport, ...]:
        """The listed reports; once there is a list, a citation naming a report not in it is a warning."""
        specs = [r for r in specs or [] if isinstance(r, dict) and isinstance(r.get("id"), str)]
        out = tuple(
            CitedReport(
                r["id"],
                text_of(r.get("title")),
                text_of(r.get("publisher")),
                r.get("date") if isinstance(r.get("date"), str) else None,
                text_of(r.get("url")),
            )
            for r in specs
        )
        seen: set[str] = set()
        for i, r in enumerate(specs):
            if r["id"] in seen:
                self.error(
                    ("reports", i, "id"),
                    f"report '{r['id']}' is listed twice",
                    "list each report once",
                    code="duplicate-id",
                )
            seen.add(r["id"])
        if not out:
            return out
        for i, e in enumerate(items or []):
            cite = e.get("citation") if isinstance(e, dict) else None
            name = cite.get("report") if isinstance(cite, dict) else None
            if isinstance(name, str) and name not in seen:
                self.report(
                    "warning",
                    ("evidence", i, "citation", "report"),
                    f"cites the report '{name}', which is not under reports",
                    "; ".join(
                        filter(None, [suggest(name, sorted(seen)), "add it to reports (title, publisher, date, url)"])
                    ),
                    "unknown-report",
                )
        return out

    def check_dates(self) -> None:
        """The schema checks the form YYYY-MM-DD; this checks the day exists."""
        paths = [("date",), ("as_of",)]
        for section in ("evidence", "reports"):
            if isinstance(self.data.get(section), list):
                paths += [(section, i, "date") for i in range(len(self.data[section]))]
        for path in paths:
            parent = self.data if len(path) == 1 else self.data[path[0]][path[1]]
            key = path[-1]
            value = parent.get(key) if isinstance(parent, dict) else None
            if not isinstance(value, str):
                continue
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                self.error(
                    path,
                    f"'{value}' is not a calendar date",
                    "write a real date as YYYY-MM-DD, e.g. 2020-02-06",
                    code="bad-date",
                )
                parent[key] = INVALID

    def scale(self, spec) -> Scale:
        spec = spec if isinstance(spec, dict) else {}
        ratings = spec.get("ratings") if isinstance(spec.get("ratings"), dict) else {}
        terms_spec = spec.get("terms") if isinstance(spec.get("terms"), dict) else {}
        ratings = {**RATINGS, **{k: v for k, v in ratings.items() if valid(v)}}
        terms = {**TERMS}
        for term, band in terms_spec.items():
            if not valid(band):
                continue
            try:
                fit_band(*band)
            except ScaleError as exc:
                self.error(
                    ("scale", "terms", term), str(exc), "give [low, high] with 0 < low < high < 1", code="bad-band"
                )
                continue
            terms[" ".join(term.lower().split())] = tuple(band)
        return Scale(tuple(ratings.items()), tuple(terms.items()))

    def hypotheses(self, specs, prior_concentration=None) -> tuple[list[Hypothesis], bool]:
        """The hypotheses, and whether every one of them could be read (else
        checks against the list of ids would only produce echoes)."""
        if not isinstance(specs, list):
            return [], False
        out, complete, priors_readable = [], True, True
        for j, spec in enumerate(specs):
            hid = spec.get("id") if isinstance(spec, dict) else None
            if not isinstance(hid, str):
                complete = False
                continue
            if hid in {h.id for h in out}:
                self.error(
                    ("hypotheses", j, "id"),
                    f"hypothesis id '{hid}' is used twice",
                    "give each hypothesis its own id",
                    code="duplicate-id",
                )
                continue
            prior = spec.get("prior")
            priors_readable &= valid(prior) and valid(spec.get("catch_all"))
            out.append(
                Hypothesis(
                    hid,
                    text_of(spec.get("title"), hid),
                    prior if valid(prior) else None,
                    spec.get("catch_all") is True,
                    text_of(spec.get("description")),
                )
            )
        given = [j for j, spec in enumerate(specs) if isinstance(spec, dict) and "prior" in spec]
        if given and len(given) < len(specs):
            for j, spec in enumerate(specs):
                if isinstance(spec, dict) and "prior" not in spec:
                    self.error(
                        ("hypotheses", j),
                        f"hypothesis '{text_of(spec.get('id'), str(j + 1))}' has no prior while others do",
                        "give every hypothesis a prior weight, or none (uniform)",
                        code="prior-missing",
                    )
        if isinstance(prior_concentration, (int, float)) and valid(prior_concentration):
            for j, spec in enumerate(specs):
                if isinstance(spec, dict) and spec.get("prior") == 0 and not isinstance(spec.get("prior"), bool):
                    self.error(
                        ("hypotheses", j, "prior"),
                        "a prior of 0 cannot be uncertain: prior_concentration makes the prior a Dirichlet, which needs positive weights",
                        "give it a small positive weight, or remove prior_concentration for a fixed prior",
                        code="prior-zero-uncertain",
                    )
        marked = [j for j, spec in enumerate(specs) if isinstance(spec, dict) and spec.get("catch_all") is True]
        for j in marked[1:]:
            self.error(
                ("hypotheses", j, "catch_all"),
                f"a second catch-all: '{specs[marked[0]].get('id')}' already stands for everything not listed",
                "mark one hypothesis catch_all; merge the others into it or give them their own content",
                code="two-catch-alls",
            )
        if complete and priors_readable and out and not marked:
            self.warn(
                ("hypotheses",),
                "no hypothesis is marked catch_all: the hypotheses may not cover every possibility",
                "add one such as 'Another actor' with `catch_all: true`",
                code="no-catch-all",
            )
        return out, complete

    def default_reliability(self, value) -> Belief | None:
        """The reliability of an item that names no source, as the case states it (None: not stated)."""
        if value is None or not valid(value):
            return None
        try:
            return reliability(value)
        except ScaleError as exc:
            self.error(
                ("default_reliability",),
                str(exc),
                input_hint(exc, value, ADMIRALTY_RELIABILITY),
                code="bad-reliability",
            )
            return None

    def sources(self, specs) -> tuple[list[Source], bool]:
        if specs is None:
            return [], True
        if not isinstance(specs, list):
            return [], False
        out, complete = [], True
        for s, spec in enumerate(specs):
            sid = spec.get("id") if isinstance(spec, dict) else None
            if not isinstance(sid, str):
                complete = False
                continue
            if sid in {x.id for x in out}:
                self.error(
                    ("sources", s, "id"),
                    f"source id '{sid}' is used twice",
                    "give each source its own id",
                    code="duplicate-id",
                )
                continue
            belief = Belief(1.0)
            value, confidence = spec.get("reliability"), spec.get("confidence")
            if value is not None and valid(value):
                try:
                    belief = reliability(value, confidence if confidence in LEVELS else None)
                except ScaleError as exc:
                    self.error(
                        ("sources", s, "reliability"),
                        str(exc),
                        input_hint(exc, value, ADMIRALTY_RELIABILITY),
                        code="bad-reliability",
                    )
            out.append(Source(sid, text_of(spec.get("title"), sid), belief, text_of(spec.get("notes"))))
        return out, complete


def set_aside(data, path: tuple) -> None:
    """Replace the value at ``path`` by INVALID (an unknown key is dropped)."""
    if not path:
        return
    node = data
    for key in path[:-1]:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return
    last = path[-1]
    if isinstance(node, dict) and last in node:
        node[last] = INVALID
    elif isinstance(node, list) and isinstance(last, int) and last < len(node):
        node[last] = INVALID


def _means(entry: dict, warning: Diagnostic) -> bool:
    """Whether an ``acknowledge`` entry names this warning: its code, and the id it is about if given."""
    if entry.get("warning") != warning.code:
        return False
    return "at" not in entry or entry["at"] in re.split(r"[\s›]+", warning.field)
