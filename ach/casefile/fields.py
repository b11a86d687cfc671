"""The fields of a case file, read from its schema: one owner of the format.

The loader, the editor, the spreadsheet reader and writer and ``ach new`` all
take field names, required fields, key order, descriptions and the id pattern
from here, and this module takes them from ``case.schema.json``. A new
optional field is one edit of the schema (and of whatever reads its value).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .schema import schema

__all__ = ["CASE_FIELDS", "ID_PATTERN", "KINDS", "Kind", "description", "kind", "top_order", "valid_id"]


def _types(spec: dict) -> list:
    kind = spec.get("type")
    return kind if isinstance(kind, list) else [kind]


@dataclass(frozen=True)
class Kind:
    """One kind of entry in a case file: a hypothesis, a source, an item or a candidate."""

    name: str  # "evidence"
    section: str  # the list it lives in: "evidence"
    noun: str  # "evidence item"
    article: str  # "an"

    @property
    def a_noun(self) -> str:
        return f"{self.article} {self.noun}"

    @property
    def properties(self) -> dict:
        return schema()["properties"][self.section]["items"]["properties"]

    @property
    def order(self) -> tuple[str, ...]:
        """The usual order of its keys (the schema's): where a new key is inserted."""
        return tuple(self.properties)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(schema()["properties"][self.section]["items"].get("required", ()))

    @property
    def settable(self) -> tuple[str, ...]:
        """What ``ach set`` may change: every field but the id, the likelihoods (``ach rate``)
        and the nested mappings (a citation)."""
        return tuple(
            k for k in self.order if k not in ("id", "likelihood") and self.properties[k].get("type") != "object"
        )


KINDS: dict[str, Kind] = {
    "hypothesis": Kind("hypothesis", "hypotheses", "hypothesis", "a"),
    "source": Kind("source", "sources", "source", "a"),
    "evidence": Kind("evidence", "evidence", "evidence item", "an"),
    "candidate": Kind("candidate", "collection", "candidate observation", "a"),
}


# What ``ach set CASE`` may change at the top level: the case's own scalars (not lists, not the scale).
CASE_FIELDS: tuple[str, ...] = tuple(
    k for k, v in schema()["properties"].items() if not {"array", "object"} & set(_types(v))
)


def kind(name: str) -> Kind:
    return KINDS[name]


@cache
def top_order() -> tuple[str, ...]:
    """The usual order of the top-level keys."""
    return tuple(schema()["properties"])


def description(section: str, field: str | None = None) -> str:
    """The schema's description of a top-level key (``field`` None) or of a field of an entry."""
    props = schema()["properties"]
    if field is None:
        return props[section].get("description", "")
    return props[section]["items"]["properties"].get(field, {}).get("description", "")


ID_PATTERN = schema()["$defs"]["id"]["pattern"]
_ID = re.compile(ID_PATTERN)


def valid_id(text) -> bool:
    return isinstance(text, str) and _ID.fullmatch(text) is not None
