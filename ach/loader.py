"""Read a case file: YAML -> schema check -> :class:`~ach.case.Case`.

Every problem becomes a :class:`~ach.diagnostics.Diagnostic` naming the file,
the line and the field, and all of them are collected before giving up, so
``ach validate`` can list them at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .case import Case, Citation, Evidence, Hypothesis, Source
from .diagnostics import CaseError, Diagnostic
from .scales import NA, RATINGS, TERMS, Belief, Scale, ScaleError, credibility, fit_band, reliability, suggest

SCHEMA_PATH = "schema/case.schema.json"


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
        return None, [Diagnostic("error", f"cannot read: {exc.strerror}", name)]
    return check_text(raw, name)


def check_text(raw: bytes, name: str) -> tuple[Case | None, list[Diagnostic]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [
            Diagnostic("error", f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", name, line, hint="save the file as UTF-8")
        ]
    doc, problem = _parse_yaml(text, name)
    if problem:
        return None, [problem]
    if doc is None:
        return None, [Diagnostic("error", "the file is empty", name, hint="start from `ach new` or docs/FORMAT.md")]
    if not isinstance(doc, dict):
        return None, [Diagnostic("error", "a case must be a mapping with question, hypotheses, evidence", name, 1)]
    builder = _Builder(doc, name, hashlib.sha256(raw).hexdigest())
    return builder.build()


def _parse_yaml(text: str, name: str):
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return YAML(typ="rt").load(text), None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
        hint = "each key may appear only once in a mapping" if "duplicate" in type(exc).__name__.lower() else (
            "check indentation and quoting on this line or the one before"
        )
        return None, Diagnostic("error", f"YAML syntax: {message}", name, mark.line + 1 if mark else None, hint=hint)
    except YAMLError as exc:
        return None, Diagnostic("error", f"YAML: {exc}", name)


def _plain(node):
    """ruamel nodes -> plain JSON-like values (dates become ISO strings)."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, (dt.date, dt.datetime)):
        return node.isoformat()[:10]
    return node


class _Builder:
    """Turns a parsed document into a Case, collecting diagnostics on the way."""

    def __init__(self, doc, file: str, sha256: str):
        self.doc, self.file, self.sha256 = doc, file, sha256
        self.data = _plain(doc)
        self.diagnostics: list[Diagnostic] = []

    # -- reporting ---------------------------------------------------------
    def line(self, path: tuple) -> int | None:
        node, line = self.doc, None
        for key in path:
            lc = getattr(node, "lc", None)
            try:
                if isinstance(node, dict):
                    line = lc.key(key)[0] if lc else line
                    node = node[key]
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
            if isinstance(key, int) and isinstance(node, list) and key < len(node):
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

    # -- building ----------------------------------------------------------
    def build(self) -> tuple[Case | None, list[Diagnostic]]:
        self.check_schema()
        if any(d.level == "error" for d in self.diagnostics):
            return None, self.diagnostics  # structure is wrong: the rest would only echo it
        d = self.data
        scale = self.scale(d.get("scale", {}))
        hypotheses = self.hypotheses(d["hypotheses"])
        sources = self.sources(d.get("sources", []))
        evidence, sources = self.evidence(d["evidence"], hypotheses, sources, scale)
        if any(x.level == "error" for x in self.diagnostics):
            return None, self.diagnostics
        case = Case(
            question=d["question"],
            hypotheses=tuple(hypotheses),
            sources=tuple(sources),
            evidence=tuple(evidence),
            title=d.get("title", ""),
            description=d.get("description", ""),
            prior_concentration=d.get("prior_concentration"),
            scale=scale,
            path=self.file,
            sha256=self.sha256,
        )
        self.check_possible(case)
        if any(x.level == "error" for x in self.diagnostics):
            return None, self.diagnostics
        return case.replace(warnings=tuple(self.diagnostics)), self.diagnostics

    def check_schema(self) -> None:
        from jsonschema import Draft202012Validator

        validator = Draft202012Validator(schema())
        for err in sorted(validator.iter_errors(self.data), key=lambda e: [str(p) for p in e.absolute_path]):
            path = tuple(err.absolute_path)
            message, hint = _explain(err)
            if err.validator == "additionalProperties":
                bad = next((k for k in err.instance if k not in err.schema.get("properties", {})), None)
                if bad is not None:
                    path = (*path, bad)
            self.error(path, message, hint)

    def scale(self, spec: dict) -> Scale:
        ratings = {**RATINGS, **spec.get("ratings", {})}
        terms = {**TERMS}
        for term, band in spec.get("terms", {}).items():
            terms[" ".join(term.lower().split())] = tuple(band)
        result = Scale(tuple(ratings.items()), tuple(terms.items()))
        for term, band in terms.items():
            try:
                fit_band(*band)
            except ScaleError as exc:
                self.error(("scale", "terms", term), str(exc), "give [low, high] with 0 < low < high < 1")
        return result

    def hypotheses(self, specs: list) -> list[Hypothesis]:
        out, seen = [], set()
        for j, h in enumerate(specs):
            if h["id"] in seen:
                self.error(("hypotheses", j, "id"), f"hypothesis id '{h['id']}' is used twice", "give each hypothesis its own id")
            seen.add(h["id"])
            out.append(Hypothesis(h["id"], h["title"], h.get("prior"), h.get("catch_all", False), h.get("description", "")))
        priors = [h.prior for h in out if h.prior is not None]
        if priors and len(priors) < len(out):
            for j, h in enumerate(out):
                if h.prior is None:
                    self.error(("hypotheses", j), f"hypothesis '{h.id}' has no prior while others do",
                               "give every hypothesis a prior weight, or none (uniform)")
        if priors and sum(priors) <= 0:
            self.error(("hypotheses",), "the prior weights are all zero", "give at least one hypothesis a positive prior")
        if not any(h.catch_all for h in out):
            self.warn(
                ("hypotheses",),
                "no hypothesis is marked catch_all: the hypotheses may not cover every possibility",
                "add one such as 'Another actor' with `catch_all: true`",
            )
        return out

    def sources(self, specs: list) -> list[Source]:
        out, seen = [], set()
        for s, spec in enumerate(specs):
            if spec["id"] in seen:
                self.error(("sources", s, "id"), f"source id '{spec['id']}' is used twice", "give each source its own id")
                continue
            seen.add(spec["id"])
            try:
                belief = reliability(spec["reliability"], spec.get("confidence"))
            except ScaleError as exc:
                self.error(("sources", s, "reliability"), str(exc), exc.hint)
                belief = Belief(1.0)
            out.append(Source(spec["id"], spec.get("title", spec["id"]), belief, spec.get("notes", "")))
        return out

    def evidence(self, specs, hypotheses, sources, scale):
        hyps = [h.id for h in hypotheses]
        known = {s.id for s in sources}
        sources = list(sources)
        out, seen = [], set()
        for i, spec in enumerate(specs):
            at = ("evidence", i)
            eid = spec["id"]
            if eid in seen:
                new = next(f"{eid}~{n}" for n in range(2, 10_000) if f"{eid}~{n}" not in seen)
                self.warn((*at, "id"), f"evidence id '{eid}' is used twice; this one is called '{new}'", "give each item its own id")
                eid = new
            seen.add(eid)
            source = spec.get("source")
            if source is None or source not in known:
                if source is not None:
                    near = suggest(source, sorted(known))
                    self.warn(
                        (*at, "source"),
                        f"source '{source}' is not listed under sources; it is taken as the item's own source, reliability 1",
                        near or "add it under sources with a reliability",
                    )
                source = source or eid
                if source not in known:
                    sources.append(Source(source, source, Belief(1.0), implicit=True))
                    known.add(source)
            confidence = spec.get("confidence", "medium")
            likelihood = self.likelihoods(at, spec["likelihood"], hyps, scale, confidence)
            try:
                cred = credibility(spec["credibility"], spec.get("credibility_confidence")) if "credibility" in spec else Belief(1.0)
            except ScaleError as exc:
                self.error((*at, "credibility"), str(exc), exc.hint)
                cred = Belief(1.0)
            if_false = spec.get("if_false")
            if isinstance(if_false, dict):
                for h in if_false:
                    if h not in hyps:
                        self.error((*at, "if_false", h), f"'{h}' is not a hypothesis", suggest(h, hyps) or f"use one of {', '.join(hyps)}")
            citation = spec.get("citation")
            item = Evidence(
                id=eid,
                text=spec["text"],
                source=source,
                likelihood=likelihood,
                credibility=cred,
                if_false=if_false,
                confidence=confidence,
                relevance=spec.get("relevance", "medium"),
                date=spec.get("date"),
                type=spec.get("type", ""),
                citation=Citation(**citation) if citation else None,
                notes=spec.get("notes", ""),
                line=self.line(at),
            )
            self.check_item(at, item)
            out.append(item)
        return out, sources

    def likelihoods(self, at, spec: dict, hyps: list[str], scale: Scale, confidence: str) -> dict:
        cells = {}
        for h, value in spec.items():
            if h not in hyps:
                self.error((*at, "likelihood", h), f"'{h}' is not a hypothesis", suggest(h, hyps) or f"use one of {', '.join(hyps)}")
                continue
            try:
                cells[h] = scale.likelihood(value, confidence)
            except ScaleError as exc:
                self.error((*at, "likelihood", h), str(exc), exc.hint)
                cells[h] = None
        for h in hyps:
            if h not in spec:
                self.error(
                    (*at, "likelihood"),
                    f"no likelihood for hypothesis '{h}'",
                    f"add `{h}: <rating>` (write {NA} if the item does not bear on it)",
                )
        return cells

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
        if len(means) <= 1 and not deceptive:
            self.warn(
                (*at, "likelihood"),
                "non-diagnostic: the same likelihood under every hypothesis, so this item cannot change the result",
                "keep it if it documents a check; otherwise rate how much more expected it is under some hypotheses",
            )

    def check_possible(self, case: Case) -> None:
        import numpy as np

        from .exact import posterior

        post = posterior(case.inputs)
        if np.isnan(post).any():
            zeros = [e.id for e in case.evidence if any(c is not None and c.mean == 0 for c in e.likelihood.values())]
            self.error(
                ("evidence",),
                "the evidence is impossible under every hypothesis" + (f" (zero likelihoods in {', '.join(zeros)})" if zeros else ""),
                "replace a 0 by a small probability, or add the hypothesis that explains everything",
            )


_TYPE_WORDS = {"string": "text", "number": "a number", "integer": "a whole number", "boolean": "true or false",
               "array": "a list", "object": "a mapping"}


def _explain(err) -> tuple[str, str]:
    """A jsonschema complaint in the analyst's words: (message, hint)."""
    kind, inst = err.validator, err.instance
    if kind == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return f"missing required field '{missing}'", f"add `{missing}: ...`"
    if kind == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        bad = [k for k in inst if k not in allowed]
        return (
            f"unknown field '{bad[0] if bad else '?'}'",
            "; ".join(filter(None, [suggest(bad[0], allowed) if bad else "", f"allowed: {', '.join(allowed)}"])),
        )
    if kind == "type":
        wanted = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        return f"{json.dumps(inst, default=str)[:60]} should be {' or '.join(_TYPE_WORDS.get(w, w) for w in wanted)}", ""
    if kind == "enum":
        options = ", ".join(map(str, err.validator_value))
        return f"'{inst}' is not one of {options}", suggest(str(inst), list(map(str, err.validator_value)))
    if kind == "pattern":
        return f"'{inst}' is not in the expected form", err.schema.get("description", "")
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return f"{inst} is out of range ({kind} {err.validator_value})", err.schema.get("description", "")
    if kind == "minItems":
        return f"needs at least {err.validator_value} entries", ""
    if kind == "minProperties":
        return "is empty", "give one entry per hypothesis"
    if kind == "oneOf":
        return f"{json.dumps(inst, default=str)[:60]} is not valid here", err.schema.get("description", "")
    return err.message, ""
