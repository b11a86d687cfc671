"""The case format's JSON Schema, and what it rejects said in the analyst's words.

The schema (``ach/schema/case.schema.json``) is the format: field names,
types, required fields and their order (:mod:`ach.casefile.fields` reads them
from it). :func:`complaints` runs it on a file's data and turns each
complaint into a message, a hint and a code, reading the validator's
structured fields, never its message text. A file the schema accepts is
recognised first by fastjsonschema's compiled check (six times faster on a
large case); only a file it rejects is walked by jsonschema for every complaint.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from ..errors import suggest
from ..formatting import quoted

__all__ = ["SCHEMA_PATH", "Complaint", "accepted", "complaints", "schema"]

SCHEMA_PATH = "schema/case.schema.json"


@lru_cache(maxsize=1)
def schema() -> dict:
    """The published JSON Schema of the case format."""
    return json.loads(resources.files("ach").joinpath(SCHEMA_PATH).read_text())


_TYPE_WORDS = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "empty",
}


class Complaint(NamedTuple):
    """What the schema rejects at one place, in the analyst's words."""

    path: tuple  # from the top of the file down to the value
    message: str
    hint: str
    set_aside: bool  # the value is unusable: later checks must not see it
    code: str


@lru_cache(maxsize=1)
def _accepts():
    """The schema compiled to Python: raises on the first complaint, says nothing of the rest."""
    import fastjsonschema

    return fastjsonschema.compile(_inlined(schema(), schema().get("$defs", {})))


def _inlined(node, defs: dict, depth: int = 0):
    """The schema with each ``#/$defs/`` reference replaced by its definition (none refers to
    itself): fastjsonschema formats an error name with ``locals()`` at every reference it calls,
    which was a third of the check of a large case."""
    if isinstance(node, list):
        return [_inlined(v, defs, depth) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] in defs and depth < 32:
        target = _inlined(defs[ref[8:]], defs, depth + 1)
        rest = {k: _inlined(v, defs, depth) for k, v in node.items() if k != "$ref"}
        return {"allOf": [target, rest]} if rest else target
    return {k: _inlined(v, defs, depth) for k, v in node.items()}


def accepted(data) -> bool:
    """Whether the schema accepts ``data`` (the fast check, without the complaints)."""
    import fastjsonschema

    try:
        _accepts()(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


GUESSES = 200  # "did you mean" for at most this many unknown fields of one mapping


def complaints(data: dict) -> list[Complaint]:
    """Everything the schema rejects in a case file's data, top of the file first, each once."""
    if accepted(data):
        return []
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema())
    out: dict[tuple, Complaint] = {}
    for err in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        for c in _diagnose(err):
            out.setdefault((c.path, c.message), c)
    return list(out.values())


def _diagnose(err) -> list[Complaint]:
    """One jsonschema complaint -> the Complaints it stands for.

    ``oneOf`` complaints are unpacked into the complaint of the alternative
    that fits the value's type, so ``if_false: {KH: 1.5}`` points at ``KH``.
    """
    path = tuple(err.absolute_path)
    if err.validator == "oneOf":
        # the alternatives whose type the value has (an alternative of another type says nothing)
        mistyped = {e.relative_schema_path[0] for e in err.context if e.validator == "type" and not e.relative_path}
        fitting = [e for e in err.context if e.relative_schema_path[0] not in mistyped]
        if fitting:
            return [x for e in fitting for x in _diagnose(e)]
        if "type" in err.schema:
            return []  # of none of the types: the field's own type complaint says so
    if err.validator == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        unknown = [bad for bad in err.instance if bad not in allowed]
        return [
            Complaint(
                (*path, bad),
                f"unknown field '{bad}'",
                # a spelling guess costs a fuzzy match: a runaway file gets guesses for its first few only
                "; ".join(
                    filter(None, [suggest(bad, allowed) if n < GUESSES else "", f"allowed: {', '.join(allowed)}"])
                ),
                True,
                "unknown-field",
            )
            for n, bad in enumerate(unknown)
        ]
    if err.validator == "required":  # every missing field of this mapping, each at its own path (its parent's line)
        properties = err.schema.get("properties", {})
        return [
            Complaint(
                (*path, name), f"missing required field '{name}'", _add_hint(name, properties), False, "missing-field"
            )
            for name in err.validator_value
            if isinstance(err.instance, dict) and name not in err.instance
        ]
    message, hint = _explain(err)
    return [Complaint(path, message, hint, err.validator != "minItems", f"schema-{err.validator}")]


def _add_hint(name: str, properties: dict) -> str:
    what = properties.get(name, {}).get("description", "")
    return f"add `{name}: ...`" + (f" ({what})" if what else "")


def _explain(err) -> tuple[str, str]:
    """A jsonschema complaint in the analyst's words: (message, hint)."""
    kind, inst, spec = err.validator, err.instance, err.schema
    about = spec.get("description", "")
    if kind == "type":
        wanted = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        message = f"{quoted(inst)} should be {' or '.join(_TYPE_WORDS.get(w, w) for w in wanted)}"
        if inst is None:
            hint = "the value is missing: write it after the colon, or delete the line"
        elif "string" in wanted and isinstance(inst, (bool, int, float)):
            hint = f'put it in quotes: "{quoted(inst).lower() if isinstance(inst, bool) else inst}"'
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
        near = suggest(str(inst), list(map(str, err.validator_value)))
        return f"{quoted(inst)} is not one of {options}", near or f"write one of {options}"
    if kind == "pattern":
        return f"{quoted(inst)} is not in the expected form", f"expected: {about}" if about else ""
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {
            "minimum": "below the minimum",
            "maximum": "above the maximum",
            "exclusiveMinimum": "must be greater than",
            "exclusiveMaximum": "must be less than",
        }
        message = (
            f"{quoted(inst)} is {words[kind]} {err.validator_value}"
            if kind in ("minimum", "maximum")
            else (f"{quoted(inst)} {words[kind]} {err.validator_value}")
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
        return f"{quoted(inst)} is not valid here", about
    return err.message, about
