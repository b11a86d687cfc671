"""Read a case file: YAML -> schema check -> :class:`~ach.case.Case`.

Every problem becomes a :class:`~ach.diagnostics.Diagnostic` naming the file,
the line and the field, and all of them are collected before giving up, so
``ach validate`` can list them at once. A value the schema rejects is reported
once and then set aside (:data:`INVALID`), so that the checks that follow can
still run on the rest of the file without echoing the same mistake.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import math
import sys
import warnings
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .case import Candidate, Case, Citation, Evidence, Hypothesis, Source
from .diagnostics import CaseError, Diagnostic
from .scales import (
    ADMIRALTY_CREDIBILITY,
    ADMIRALTY_RELIABILITY,
    LEVELS,
    NA,
    RATINGS,
    TERMS,
    Belief,
    Scale,
    ScaleError,
    credibility,
    fit_band,
    reliability,
)

SCHEMA_PATH = "schema/case.schema.json"
MAX_DEPTH = 64  # a case is a few levels deep; more is a mistake or an attack
MAX_VALUES = 2_000_000  # YAML aliases can expand a small file enormously
FORMAT_HINT = "see docs/FORMAT.md (or `ach schema`) for the fields a case needs"


@lru_cache(maxsize=1)
def schema() -> dict:
    """The published JSON Schema of the case format."""
    return json.loads(resources.files("ach").joinpath(SCHEMA_PATH).read_text())


def load(path: str | Path) -> Case:
    """Load and validate a case file; raise :class:`CaseError` listing every error."""
    case, diagnostics = check(path)
    if case is None:
        raise CaseError(diagnostics)
    return case


def loads(text: str, path: str = "<string>") -> Case:
    """Load a case from YAML text (tests, notebooks, stdin)."""
    case, diagnostics = check_text(text.encode(), path)
    if case is None:
        raise CaseError(diagnostics)
    return case


def check(path: str | Path) -> tuple[Case | None, list[Diagnostic]]:
    """(case or None, every error and warning) for a file; ``-`` reads stdin."""
    name = str(path)
    try:
        raw = sys.stdin.buffer.read() if name == "-" else Path(path).read_bytes()
    except FileNotFoundError:
        return None, [Diagnostic("error", "no such file", name, hint="check the path")]
    except IsADirectoryError:
        return None, [Diagnostic("error", "is a folder, not a case file", name, hint="name a .yaml file")]
    except OSError as exc:
        return None, [
            Diagnostic("error", f"cannot read: {exc.strerror or exc}", name, hint="check the path and its permissions")
        ]
    except ValueError as exc:  # e.g. a NUL byte in the path
        return None, [Diagnostic("error", f"cannot read: {exc}", name, hint="check the path")]
    return check_text(raw, name)


def check_text(raw: bytes, name: str) -> tuple[Case | None, list[Diagnostic]]:
    """(case or None, every error and warning) for the bytes of a case file."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [
            Diagnostic(
                "error", f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", name, line, hint="save the file as UTF-8"
            )
        ]
    doc, problem = parse_yaml(text, name)
    if problem:
        return None, [problem]
    if doc is None:
        return None, [Diagnostic("error", "the file is empty (no YAML content)", name, hint=FORMAT_HINT)]
    if not isinstance(doc, dict):
        found = "a list" if isinstance(doc, list) else f"the single value {_show(doc)}"
        return None, [
            Diagnostic(
                "error",
                f"the file holds {found}; a case is a mapping with question, hypotheses and evidence",
                name,
                1,
                hint=FORMAT_HINT,
            )
        ]
    try:
        data = plain_data(doc)
    except _Unreadable as exc:
        return None, [
            Diagnostic("error", str(exc), name, hint="write each value out instead of repeating it through aliases")
        ]
    return _Builder(doc, data, name, hashlib.sha256(raw).hexdigest()).build()


# -- YAML --------------------------------------------------------------------


@lru_cache(maxsize=1)
def _constructor():
    """ruamel's round-trip constructor, made safe for user files.

    Dates stay text (the schema and :meth:`_Builder.check_dates` judge them),
    and a value a tag cannot hold (``!!int abc``) becomes a located YAML error
    instead of a bare ``ValueError``.
    """
    from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
    from ruamel.yaml.error import YAMLError

    class SafeConstructor(RoundTripConstructor):
        def construct_object(self, node, deep=False):
            try:
                return super().construct_object(node, deep)
            except (YAMLError, RecursionError):
                raise
            except Exception as exc:  # ruamel fails on some tagged values (`!!int ''`) with plain errors
                tag = str(node.tag).rsplit(":", 1)[-1]
                raise ConstructorError(
                    None, None, f"{_show(getattr(node, 'value', ''))} cannot be read as {tag} ({exc})", node.start_mark
                ) from exc

    SafeConstructor.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str)
    return SafeConstructor


def parse_yaml(text: str, name: str):
    """(document, None) or (None, the Diagnostic saying why it is not YAML)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import ConstructorError, DuplicateKeyError
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    yaml = YAML(typ="rt")
    yaml.Constructor = _constructor()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. a reused anchor: legal YAML, nothing to tell the analyst
            return yaml.load(text), None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = " ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
        if isinstance(exc, DuplicateKeyError):
            hint = "each key may appear only once in a mapping: remove or rename one of them"
        elif isinstance(exc, ConstructorError):
            hint = "fix the value, or remove the tag (the !!name) in front of it"
        elif line and _has_tab_indent(text, line):
            hint = "indent with spaces, not tabs"
        else:
            hint = "check indentation and quoting on this line or the one before"
        return None, Diagnostic("error", f"YAML syntax: {message}", name, line, hint=hint)
    except ReaderError as exc:
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        line = text[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else None
        return None, Diagnostic(
            "error",
            f"the character #x{char:04x} is not allowed in a YAML file",
            name,
            line,
            hint="delete it (control characters are invisible in most editors)",
        )
    except YAMLError as exc:
        return None, Diagnostic("error", f"YAML: {exc}", name, hint="check the file is a YAML case file")
    except RecursionError:
        return None, Diagnostic("error", "the YAML is nested too deeply to read", name, hint=FORMAT_HINT)
    except Exception as exc:  # ruamel has a few unguarded corners (`%YAML 1.10`, a mapping as a key)
        return None, Diagnostic("error", f"YAML the reader cannot handle ({exc})", name, hint=FORMAT_HINT)


def _has_tab_indent(text: str, line: int) -> bool:
    lines = text.splitlines()
    nearby = lines[max(line - 2, 0) : line]
    return any("\t" in row[: len(row) - len(row.lstrip())] for row in nearby)


class _Unreadable(Exception):
    """A document that is valid YAML but cannot be a case (cycles, absurd size)."""


def plain_data(doc):
    """ruamel nodes -> plain JSON-like values, refusing cycles and runaway aliases."""
    count = 0

    def walk(node, depth: int, parents: frozenset):
        nonlocal count
        count += 1
        if count > MAX_VALUES:
            raise _Unreadable(f"the file expands to more than {MAX_VALUES:,} values (through YAML aliases?)")
        if depth > MAX_DEPTH:
            raise _Unreadable(f"the YAML is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, (dict, list)):
            if id(node) in parents:
                raise _Unreadable("a YAML alias (*name) refers to a value that contains it")
            parents = parents | {id(node)}
        if isinstance(node, dict):
            return {str(k): walk(v, depth + 1, parents) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, depth + 1, parents) for v in node]
        return node

    return walk(doc, 0, frozenset())


# -- building -----------------------------------------------------------------


class _Invalid:
    """Stands for a value the schema rejected: reported once, then ignored."""

    def __repr__(self) -> str:
        return "<invalid>"


INVALID = _Invalid()


def _valid(value) -> bool:
    return value is not INVALID


def _text(value, default: str = "") -> str:
    return value if isinstance(value, str) else default


class _Builder:
    """Turns a parsed document into a Case, collecting diagnostics on the way."""

    def __init__(self, doc, data: dict, file: str, sha256: str):
        self.doc, self.data, self.file, self.sha256 = doc, data, file, sha256
        self.diagnostics: list[Diagnostic] = []

    # -- reporting ---------------------------------------------------------
    def line(self, path: tuple) -> int | None:
        node, line = self.doc, None
        for key in path:
            lc = getattr(node, "lc", None)
            try:
                if isinstance(node, dict):
                    line = lc.key(key)[0] if lc else line
                else:
                    line = lc.item(key)[0] if lc else line
                node = node[key]
            except (KeyError, IndexError, TypeError, AttributeError):
                break
        if line is None:
            line = getattr(getattr(node, "lc", None), "line", None)
        return None if line is None else line + 1

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

    def report(self, level: str, path: tuple, message: str, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(level, message, self.file, self.line(path), self.field(path), hint))

    def error(self, path: tuple, message: str, hint: str = "") -> None:
        self.report("error", path, message, hint)

    def warn(self, path: tuple, message: str, hint: str = "") -> None:
        self.report("warning", path, message, hint)

    @property
    def failed(self) -> bool:
        return any(d.level == "error" for d in self.diagnostics)

    def result(self, case: Case | None) -> tuple[Case | None, list[Diagnostic]]:
        diagnostics = sorted(self.diagnostics, key=lambda d: d.line or 0)  # stable: top of the file first
        if case is None or self.failed:
            return None, diagnostics
        return case.replace(warnings=tuple(diagnostics)), diagnostics

    # -- building ----------------------------------------------------------
    def build(self) -> tuple[Case | None, list[Diagnostic]]:
        self.check_schema()
        self.check_dates()
        d = self.data
        scale = self.scale(d.get("scale"))
        hypotheses, hyps_complete = self.hypotheses(d.get("hypotheses"), d.get("prior_concentration"))
        sources, sources_complete = self.sources(d.get("sources"))
        evidence, sources = self.evidence(
            d.get("evidence"), hypotheses if hyps_complete else None, sources, sources_complete, scale
        )
        collection = self.collection(d.get("collection"), hypotheses if hyps_complete else None, scale)
        if self.failed:
            return self.result(None)
        case = Case(
            question=d["question"],
            hypotheses=tuple(hypotheses),
            sources=tuple(sources),
            evidence=tuple(evidence),
            title=_text(d.get("title")),
            description=_text(d.get("description")),
            prior_concentration=d.get("prior_concentration"),
            scale=scale,
            path=self.file,
            sha256=self.sha256,
            collection=tuple(collection),
        )
        self.check_possible(case)
        return self.result(case)

    def check_schema(self) -> None:
        """Report everything the schema rejects, then set those values aside."""
        from jsonschema import Draft202012Validator

        validator = Draft202012Validator(schema())
        rejected = []
        for err in sorted(validator.iter_errors(self.data), key=lambda e: [str(p) for p in e.absolute_path]):
            for path, message, hint, drop in _diagnose(err):
                self.error(path, message, hint)
                if drop:
                    rejected.append(path)
        rejected += self.check_finite(self.data, (), set(rejected))
        for path in rejected:
            _set_aside(self.data, path)

    def check_finite(self, node, path: tuple, reported: set) -> list[tuple]:
        """YAML can write .inf and .nan; no field of a case means either
        (values the schema already rejected are not reported twice)."""
        if isinstance(node, dict):
            return [p for k, v in node.items() for p in self.check_finite(v, (*path, k), reported)]
        if isinstance(node, list):
            return [p for i, v in enumerate(node) for p in self.check_finite(v, (*path, i), reported)]
        if isinstance(node, float) and not math.isfinite(node) and path not in reported:
            self.error(path, f"{node} is not a finite number", "write an ordinary number, such as 0.3 or 20")
            return [path]
        return []

    def check_dates(self) -> None:
        """The schema checks the form YYYY-MM-DD; this checks the day exists."""
        paths = [("date",)]
        if isinstance(self.data.get("evidence"), list):
            paths += [("evidence", i, "date") for i in range(len(self.data["evidence"]))]
        for path in paths:
            parent = self.data if len(path) == 1 else self.data["evidence"][path[1]]
            value = parent.get("date") if isinstance(parent, dict) else None
            if not isinstance(value, str):
                continue
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                self.error(
                    path, f"'{value}' is not a calendar date", "write a real date as YYYY-MM-DD, e.g. 2020-02-06"
                )
                parent["date"] = INVALID

    def scale(self, spec) -> Scale:
        spec = spec if isinstance(spec, dict) else {}
        ratings = spec.get("ratings") if isinstance(spec.get("ratings"), dict) else {}
        terms_spec = spec.get("terms") if isinstance(spec.get("terms"), dict) else {}
        ratings = {**RATINGS, **{k: v for k, v in ratings.items() if _valid(v)}}
        terms = {**TERMS}
        for term, band in terms_spec.items():
            if not _valid(band):
                continue
            try:
                fit_band(*band)
            except ScaleError as exc:
                self.error(("scale", "terms", term), str(exc), "give [low, high] with 0 < low < high < 1")
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
                    ("hypotheses", j, "id"), f"hypothesis id '{hid}' is used twice", "give each hypothesis its own id"
                )
                continue
            prior = spec.get("prior")
            priors_readable &= _valid(prior) and _valid(spec.get("catch_all"))
            out.append(
                Hypothesis(
                    hid,
                    _text(spec.get("title"), hid),
                    prior if _valid(prior) else None,
                    spec.get("catch_all") is True,
                    _text(spec.get("description")),
                )
            )
        given = [j for j, spec in enumerate(specs) if isinstance(spec, dict) and "prior" in spec]
        if given and len(given) < len(specs):
            for j, spec in enumerate(specs):
                if isinstance(spec, dict) and "prior" not in spec:
                    self.error(
                        ("hypotheses", j),
                        f"hypothesis '{_text(spec.get('id'), str(j + 1))}' has no prior while others do",
                        "give every hypothesis a prior weight, or none (uniform)",
                    )
        priors = [h.prior for h in out if h.prior is not None]
        if priors_readable and priors and sum(priors) <= 0:
            self.error(
                ("hypotheses",), "the prior weights are all zero", "give at least one hypothesis a positive prior"
            )
        elif isinstance(prior_concentration, (int, float)) and _valid(prior_concentration):
            for j, spec in enumerate(specs):
                if isinstance(spec, dict) and spec.get("prior") == 0 and not isinstance(spec.get("prior"), bool):
                    self.error(
                        ("hypotheses", j, "prior"),
                        "a prior of 0 cannot be uncertain: prior_concentration makes the prior a Dirichlet, which needs positive weights",
                        "give it a small positive weight, or remove prior_concentration for a fixed prior",
                    )
        marked = any(isinstance(spec, dict) and spec.get("catch_all") is True for spec in specs)
        if complete and priors_readable and out and not marked:
            self.warn(
                ("hypotheses",),
                "no hypothesis is marked catch_all: the hypotheses may not cover every possibility",
                "add one such as 'Another actor' with `catch_all: true`",
            )
        return out, complete

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
                self.error(("sources", s, "id"), f"source id '{sid}' is used twice", "give each source its own id")
                continue
            belief = Belief(1.0)
            value, confidence = spec.get("reliability"), spec.get("confidence")
            if value is not None and _valid(value):
                try:
                    belief = reliability(value, confidence if confidence in LEVELS else None)
                except ScaleError as exc:
                    self.error(("sources", s, "reliability"), str(exc), _input_hint(exc, value, ADMIRALTY_RELIABILITY))
            out.append(Source(sid, _text(spec.get("title"), sid), belief, _text(spec.get("notes"))))
        return out, complete

    def evidence(self, specs, hypotheses, sources, sources_complete, scale):
        """The items; ``hypotheses`` is None when the list could not be read."""
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
                new = next(f"{eid}~{n}" for n in range(2, 10_000) if f"{eid}~{n}" not in seen)
                self.warn(
                    (*at, "id"),
                    f"evidence id '{eid}' is used twice; this one is called '{new}'",
                    "give each item its own id",
                )
                eid = new
            seen.add(eid)

            source = spec.get("source") if _valid(spec.get("source")) else None
            if source is not None and source not in listed and sources_complete:
                self.warn(
                    (*at, "source"),
                    f"source '{source}' is not listed under sources; it becomes a source of its own, with reliability 1",
                    _suggest_id(source, sorted(listed)) or "add it under sources with a reliability",
                )
            if source is None:  # the item is its own source (never a listed one that shares its id)
                source = eid if eid not in listed else f"{eid}~own"
            if source not in listed and source not in implicit:
                sources.append(Source(source, source, Belief(1.0), implicit=True))
                implicit.add(source)

            confidence = spec.get("confidence") if spec.get("confidence") in LEVELS else "medium"
            likelihood, clean = {}, False
            if isinstance(spec.get("likelihood"), dict):
                likelihood, clean = self.likelihoods(at, spec["likelihood"], hyps, scale, confidence)
            cred = Belief(1.0)
            value = spec.get("credibility")
            if value is not None and _valid(value):
                conf = spec.get("credibility_confidence")
                try:
                    cred = credibility(value, conf if conf in LEVELS else None)
                except ScaleError as exc:
                    self.error((*at, "credibility"), str(exc), _input_hint(exc, value, ADMIRALTY_CREDIBILITY))
            item = Evidence(
                id=eid,
                text=_text(spec.get("text")),
                source=source,
                likelihood=likelihood,
                credibility=cred,
                if_false=self.if_false(at, spec.get("if_false"), hyps),
                confidence=confidence,
                relevance=spec.get("relevance") if spec.get("relevance") in LEVELS else "medium",
                date=spec.get("date") if isinstance(spec.get("date"), str) else None,
                type=_text(spec.get("type")),
                citation=_citation(spec.get("citation")),
                notes=_text(spec.get("notes")),
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
                self.error((*at, "id"), f"candidate id '{spec['id']}' is used twice", "give each candidate its own id")
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
                    )
                    clean = False
            cred = Belief(1.0)
            value = spec.get("credibility")
            if value is not None and _valid(value):
                try:
                    cred = credibility(value)
                except ScaleError as exc:
                    self.error((*at, "credibility"), str(exc), _input_hint(exc, value, ADMIRALTY_CREDIBILITY))
            if clean:
                out.append(Candidate(spec["id"], _text(spec.get("text")), likelihood, cred, _text(spec.get("notes"))))
        return out

    def likelihoods(self, at, spec: dict, hyps: list[str] | None, scale: Scale, confidence: str) -> tuple[dict, bool]:
        """(cells, whether every cell was understood)."""
        cells, clean = {}, True
        for h, value in spec.items():
            if not _valid(value):
                clean = False
                continue
            if hyps is not None and h not in hyps:
                self.error((*at, "likelihood", h), f"'{h}' is not a hypothesis", id_hint(h, hyps))
                clean = False
                continue
            try:
                cells[h] = scale.likelihood(value, confidence)
            except ScaleError as exc:
                self.error((*at, "likelihood", h), str(exc), exc.hint)
                clean = False
        for h in hyps or ():
            if h not in spec:
                self.error(
                    (*at, "likelihood"),
                    f"no likelihood for hypothesis '{h}'",
                    f"add `{h}: <rating>` (write {NA} if the item does not bear on it)",
                )
                clean = False
        return cells, clean

    def if_false(self, at, value, hyps):
        if isinstance(value, dict):
            if not all(_valid(v) for v in value.values()):
                return None
            for h in value:
                if hyps is not None and h not in hyps:
                    self.error((*at, "if_false", h), f"'{h}' is not a hypothesis", id_hint(h, hyps))
            return value
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    def check_item(self, at: tuple, item: Evidence) -> None:
        cells = {h: c for h, c in item.likelihood.items() if c is not None}
        for h, c in cells.items():
            if c.mean == 0.0:
                self.warn(
                    (*at, "likelihood", h),
                    f"likelihood 0 rules out '{h}' on this item alone",
                    "use 'almost no chance' or a small number unless it is truly impossible",
                )
        means = {round(c.mean, 12) for c in cells.values()}
        if_false = item.if_false
        deceptive = isinstance(if_false, dict) and len(set(if_false.values())) > 1
        if len(means) <= 1 and means != {0.0} and not deceptive:
            self.warn(
                (*at, "likelihood"),
                "non-diagnostic: the same likelihood under every hypothesis, so this item cannot change the result",
                "keep it if it documents a check; otherwise rate how much more expected it is under some hypotheses",
            )

    def check_possible(self, case: Case) -> None:
        """Evidence that no hypothesis can explain: name the items responsible."""
        import numpy as np

        from .exact import item_log_likelihood, posterior

        inputs = case.inputs
        if not np.isnan(posterior(inputs)).any():
            return
        index = {e.id: i for i, e in enumerate(case.evidence)}
        alone = [eid for eid, row in zip(inputs.items, item_log_likelihood(inputs)) if np.all(np.isneginf(row))]
        fix = "replace a 0 by a small probability such as 'almost no chance', or add the hypothesis that explains it"
        for eid in alone:
            self.error(
                ("evidence", index[eid], "likelihood"),
                "impossible under every hypothesis: its likelihood is 0 for all of them",
                fix,
            )
        if not alone:
            zeros = [e.id for e in case.evidence if any(c is not None and c.mean == 0 for c in e.likelihood.values())]
            self.error(
                ("evidence",),
                "together, the items are impossible under every hypothesis"
                + (f" (each hypothesis is ruled out by a zero in {', '.join(zeros)})" if zeros else ""),
                fix,
            )


# -- helpers --------------------------------------------------------------------


def _set_aside(data, path: tuple) -> None:
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


def _citation(spec) -> Citation | None:
    if not isinstance(spec, dict) or not isinstance(spec.get("report"), str):
        return None
    return Citation(spec["report"], _text(spec.get("quote")), _text(spec.get("url")))


def _input_hint(exc: ScaleError, value, admiralty: dict) -> str:
    """A number out of range for reliability or credibility: also say the codes exist."""
    if isinstance(value, (int, float)):
        codes = ", ".join(map(str, admiralty))
        return f"write a probability between 0 and 1, one of low, medium, high, or an Admiralty code ({codes})"
    return exc.hint


def _suggest_id(text: str, options: list[str]) -> str:
    """'did you mean …?' for an id, keeping the option's own spelling."""
    by_lower = {o.lower(): o for o in options}
    match = by_lower.get(str(text).lower())
    if match is None:
        close = difflib.get_close_matches(str(text).lower(), list(by_lower), n=1, cutoff=0.5)
        match = by_lower[close[0]] if close else None
    return f"did you mean '{match}'?" if match else ""


def id_hint(text: str, options: list[str]) -> str:
    allowed = f"the hypotheses are {', '.join(sorted(options))}"
    return "; ".join(filter(None, [_suggest_id(text, options), allowed]))


def _show(value) -> str:
    """A value as the analyst would recognise it, shortened: 'mid', 1.5, [1, 2]."""
    text = f"'{value}'" if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 60 else text[:59] + "…"


_TYPE_WORDS = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "empty",
}


def _diagnose(err):
    """One jsonschema complaint -> [(path, message, hint, set the value aside?)].

    ``oneOf`` complaints are unpacked into the complaint of the alternative
    that fits the value's type, so ``if_false: {KH: 1.5}`` points at ``KH``.
    """
    path = tuple(err.absolute_path)
    if err.validator == "oneOf":
        fitting = [e for e in err.context if not (e.validator == "type" and not e.relative_path)]
        if fitting:
            return [x for e in fitting for x in _diagnose(e)]
    if err.validator == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        return [
            (
                (*path, bad),
                f"unknown field '{bad}'",
                "; ".join(filter(None, [_suggest_id(bad, allowed), f"allowed: {', '.join(allowed)}"])),
                True,
            )
            for bad in err.instance
            if bad not in allowed
        ]
    message, hint = _explain(err)
    return [(path, message, hint, err.validator not in ("required", "minItems"))]


def _explain(err) -> tuple[str, str]:
    """A jsonschema complaint in the analyst's words: (message, hint)."""
    kind, inst, spec = err.validator, err.instance, err.schema
    about = spec.get("description", "")
    if kind == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        what = spec.get("properties", {}).get(missing, {}).get("description", "")
        return f"missing required field '{missing}'", f"add `{missing}: ...`" + (f" ({what})" if what else "")
    if kind == "type":
        wanted = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        message = f"{_show(inst)} should be {' or '.join(_TYPE_WORDS.get(w, w) for w in wanted)}"
        if inst is None:
            hint = "the value is missing: write it after the colon, or delete the line"
        elif "string" in wanted and isinstance(inst, (bool, int, float)):
            hint = f'put it in quotes: "{_show(inst).lower() if isinstance(inst, bool) else inst}"'
        elif isinstance(inst, bool):
            hint = (
                "YAML reads true/false (and yes/no in YAML 1.1) as a yes/no value: put it in quotes or write a number"
            )
        elif wanted == ["array"]:
            hint = "write one entry per line, each starting with '- '"
        elif wanted == ["object"]:
            hint = "write `name: value` lines, indented under this field"
        else:
            hint = about
        return message, hint
    if kind == "enum":
        options = ", ".join(map(str, err.validator_value))
        near = _suggest_id(str(inst), list(map(str, err.validator_value)))
        return f"{_show(inst)} is not one of {options}", near or f"write one of {options}"
    if kind == "pattern":
        return f"{_show(inst)} is not in the expected form", f"expected: {about}" if about else ""
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {
            "minimum": "below the minimum",
            "maximum": "above the maximum",
            "exclusiveMinimum": "must be greater than",
            "exclusiveMaximum": "must be less than",
        }
        message = (
            f"{_show(inst)} is {words[kind]} {err.validator_value}"
            if kind in ("minimum", "maximum")
            else (f"{_show(inst)} {words[kind]} {err.validator_value}")
        )
        if "minimum" in spec and "maximum" in spec:
            return message, f"write a number from {spec['minimum']} to {spec['maximum']}"
        return message, about
    if kind == "minItems":
        n = err.validator_value
        hint = (
            "list at least two hypotheses, one of them a catch-all such as 'Another actor'"
            if (list(err.absolute_path) == ["hypotheses"])
            else ""
        )
        return f"needs at least {n} entr{'y' if n == 1 else 'ies'}, has {len(inst)}", hint
    if kind == "maxItems":
        return f"has {len(inst)} entries, at most {err.validator_value} allowed", "give [low, high]"
    if kind == "minProperties":
        return "is empty", "give one entry per hypothesis"
    if kind == "oneOf":
        return f"{_show(inst)} is not valid here", about
    return err.message, about
