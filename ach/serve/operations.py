"""A JSON edit from the page as a call of the editing layer: the same ops as ``ach rate/set/add/rm``.

``{"op": "rate", "item": "E07", "hypothesis": "KH", "value": "likely", "why": "..."}``
becomes ``doc.rate("E07", "KH", "likely", why="...")`` on a
:class:`~ach.editing.CaseText`. Every key is checked against what the op takes
before anything runs, so a typo is refused by name (with the keys allowed)
rather than ignored. Text values that the case file would read as numbers
(``"0.3"``, ``"70%"`` stays text for the scale) are read as the CLI reads its
arguments, by :func:`ach.casefile.yaml.scalar`.
"""

from __future__ import annotations

from collections.abc import Callable

from ..casefile.yaml import scalar
from ..errors import Diagnostic, EditError, suggest

__all__ = ["OPS", "operation", "read_value"]

# Keys each op takes besides "op" (and "version", "whatif", which the app reads).
ENTRY_FIELDS = (
    "title",
    "description",
    "prior",
    "catch_all",
    "reliability",
    "confidence",
    "text",
    "source",
    "type",
    "credibility",
    "credibility_confidence",
    "relevance",
    "notes",
    "if_false",
    "date",
)
CASE_FIELDS = (
    "title",
    "description",
    "date",
    "question",
    "analyst",
    "as_of",
    "handling",
    "default_reliability",
    "prior_concentration",
)
ADD_FIELDS = {
    "hypothesis": ("id", "title", "prior", "catch_all", "description", "default_rating"),
    "source": ("id", "reliability", "title", "confidence", "notes"),
    "evidence": (
        "text",
        "ratings",
        "id",
        "source",
        "date",
        "type",
        "confidence",
        "credibility",
        "relevance",
        "notes",
        "report",
        "quote",
        "url",
    ),
    "candidate": ("text", "ratings", "id", "credibility", "notes"),
}
REQUIRED = {
    "hypothesis": ("id", "title"),
    "source": ("id", "reliability"),
    "evidence": ("text",),
    "candidate": ("text",),
}
READ_AS_YAML = {
    "value",
    "prior",
    "reliability",
    "credibility",
    "default_reliability",
    "prior_concentration",
    "if_false",
}
META = ("op", "version", "whatif", "case")
OPS = ("rate", "set", "add", "rm")


def _refuse(message: str, field: str = "", hint: str = "") -> EditError:
    return EditError([Diagnostic("error", message, "<request>", field=field, hint=hint, code="bad-request")])


def read_value(key: str, value):
    """A value as the case file would read it: text the CLI would read as a number becomes one."""
    if key in READ_AS_YAML and isinstance(value, str):
        return scalar(value.strip())
    if key in ("ratings", "if_false", "priors") and isinstance(value, dict):
        return {str(k): scalar(v.strip()) if isinstance(v, str) else v for k, v in value.items()}
    return value


def _text(body: dict, key: str, *, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _refuse(f"'{key}' must be a non-empty text", key, f"give {key} as a string")
    return value


def _check_keys(body: dict, allowed) -> None:
    extra = [k for k in body if k not in (*allowed, *META)]
    if extra:
        raise _refuse(
            f"'{extra[0]}' is not a field of op '{body['op']}'",
            str(extra[0]),
            suggest(str(extra[0]), allowed) or f"use {', '.join(allowed)}",
        )


def operation(body) -> tuple[Callable, str]:
    """(``edit(doc)`` for :func:`ach.editing.apply`, what it does in a few words) for a request body."""
    if not isinstance(body, dict):
        raise _refuse("the request body must be a JSON object with an 'op'", hint='e.g. {"op": "rate", ...}')
    op = body.get("op")
    if op not in OPS:
        raise _refuse(
            f"unknown op {op!r}",
            "op",
            suggest(str(op), OPS) or f"op is one of {', '.join(OPS)} (as the CLI's commands)",
        )
    return {"rate": _rate, "set": _set, "add": _add, "rm": _rm}[op](body)


def _rate(body: dict):
    _check_keys(body, ("item", "hypothesis", "value", "why", "kind"))
    item, hypothesis = _text(body, "item"), _text(body, "hypothesis")
    if body.get("value") is None or body.get("value") == "":
        raise _refuse("'value' is missing: the rating to give the cell", "value", "e.g. likely, 0.7, C or NA")
    value, why, kind = read_value("value", body["value"]), body.get("why"), body.get("kind")
    if why is not None and not isinstance(why, str):
        raise _refuse("'why' must be a text", "why")
    return (lambda doc: doc.rate(item, hypothesis, value, why=why, kind=kind)), f"rate {item} under {hypothesis}"


def _set(body: dict):
    ident = _text(body, "id", required=False)
    allowed = ("id", "kind", "unset", "priors", *(CASE_FIELDS if ident is None else ENTRY_FIELDS))
    _check_keys(body, allowed)
    priors = body.get("priors")
    if priors is not None and (ident is not None or not isinstance(priors, dict) or not priors):
        raise _refuse("'priors' is a mapping of hypotheses to weights, set on the case (no id)", "priors")
    unset = body.get("unset") or []
    if isinstance(unset, str):
        unset = [unset]
    if not isinstance(unset, list) or not all(isinstance(u, str) for u in unset):
        raise _refuse("'unset' is a list of field names", "unset")
    fields = {k: read_value(k, v) for k, v in body.items() if k not in (*META, "id", "kind", "unset", "priors")}
    if not fields and not unset and not priors:
        raise _refuse("nothing to change", "", f"give at least one of {', '.join(allowed[4:])}")
    kind = body.get("kind")

    def edit(doc):
        if priors:
            doc.set_priors(read_value("priors", priors))
        if fields or unset:
            doc.set_fields(ident, kind=kind, unset=tuple(unset), **fields)

    return edit, f"set {', '.join([*fields, *unset, *(['priors'] if priors else [])])} of {ident or 'the case'}"


def _add(body: dict):
    kind = body.get("kind")
    if kind not in ADD_FIELDS:
        raise _refuse(f"add needs a kind: one of {', '.join(ADD_FIELDS)}", "kind", suggest(str(kind), ADD_FIELDS))
    _check_keys(body, ("kind", *ADD_FIELDS[kind]))
    for key in REQUIRED[kind]:
        if body.get(key) in (None, ""):
            raise _refuse(f"a new {kind} needs '{key}'", key)
    given = {k: read_value(k, v) for k, v in body.items() if k not in (*META, "kind")}
    if kind in ("evidence", "candidate") and not isinstance(given.setdefault("ratings", {}), dict):
        raise _refuse("'ratings' is a mapping of hypothesis ids to ratings", "ratings")
    method = {
        "hypothesis": "add_hypothesis",
        "source": "add_source",
        "evidence": "add_evidence",
        "candidate": "add_candidate",
    }[kind]

    def edit(doc):
        getattr(doc, method)(**given)

    return edit, f"add a {kind}"


def _rm(body: dict):
    _check_keys(body, ("id", "kind"))
    ident = _text(body, "id")
    return (lambda doc: doc.remove(ident, kind=body.get("kind"))), f"remove {ident}"
