"""Large case files read without a Python node per value.

libyaml builds a Python node, with two marks, for each of a 10,000 × 50
case's million values (about 6 s). Here libyaml only judges the text, in C,
creating nothing (``raw_parse``: the same parser, so the same files are
refused, and then the careful path explains them), and rapidyaml parses it in
C++ and writes its values out as JSON, which ``json.loads`` reads in C: well
under a second. Lines are needed only to locate a problem or to keep each
entry's line, so :class:`Lines` finds them on demand.

The values must be those the round-trip parser reads (YAML 1.2), so
:func:`quick_values` answers None, and the careful path reads the file,
wherever they could differ: tags, anchors, directives, any backslash, YAML 1.1
line breaks, several documents, a duplicate key, JSON that does not parse, or
a text that, written plain, the round-trip parser would read as a number, a
boolean or null (rapidyaml quotes those, so its JSON cannot tell the two
apart). tests/test_fast_yaml.py holds the readings together.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from functools import lru_cache

__all__ = ["QUICK_FROM", "Lines", "quick_values"]

QUICK_FROM = 256_000  # characters: below this, libyaml's composition is quick enough and gives lines at once
DECLINED = ("!", "&", "\\", "\x85", "\u2028", "\u2029", "\ufeff")  # tags, anchors, escapes, YAML 1.1 line breaks


class _Declined(Exception):
    """A reading the careful path must make."""


def quick_values(text: str, minimum: int | None = None):
    """The plain values of a case file of at least ``minimum`` characters (:data:`QUICK_FROM`),
    or None where the careful path must read it."""
    if len(text) < (QUICK_FROM if minimum is None else minimum) or text.lstrip().startswith("%"):
        return None
    if any(mark in text for mark in DECLINED):
        return None
    try:
        import ryml
        import yaml

        # libyaml's verdict, in C and creating nothing: a file it refuses is explained by the careful path
        yaml.CSafeLoader(text).raw_parse()
        with _quiet_stderr():  # rapidyaml prints its own account of what it refuses
            tree = ryml.parse_in_arena(text.encode("utf-8"))
        root = tree.root_id()
        if tree.is_stream(root):  # several documents
            return None
        data = json.loads(ryml.emit_json_malloc(tree, root), object_pairs_hook=_mapping, parse_constant=_decline)
        _check_texts(data)
    except (ImportError, AttributeError):  # no rapidyaml or libyaml here: the other paths read it
        return None
    except Exception:  # noqa: BLE001 - a refusal by either parser, or a reading declined: the careful path explains
        return None
    return data


def _mapping(pairs):
    out = dict(pairs)
    if len(out) != len(pairs):  # a duplicate key: the careful path says where
        raise _Declined
    return out


def _decline(_token):
    raise _Declined  # NaN or Infinity in the JSON: rapidyaml's reading of a special float


def _check_texts(data) -> None:
    """Decline when a text (value or key) could have been a plain scalar meaning something else."""
    texts: set[str] = set()
    stack = [data]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            texts.update(node)
            stack.extend(node.values())
        elif type(node) is list:
            stack.extend(node)
        elif type(node) is str:
            texts.add(node)
    special = _special()
    for text in texts:
        if text[:1] == "*" or any(p.match(text) for p in special):  # an alias, or not text when plain
            raise _Declined


@lru_cache(maxsize=1)
def _special() -> list:
    """The plain scalars the round-trip parser resolves to anything but text (YAML 1.2: numbers,
    booleans, null, the merge and value keys; dates stay text, as in ach.casefile.fastyaml), and
    the empty text (null when plain)."""
    from ruamel.yaml import resolver

    patterns = [
        regexp
        for versions, tag, regexp, _first in resolver.implicit_resolvers
        if (1, 2) in versions and not tag.endswith("timestamp")
    ]
    return [*patterns, re.compile("^$")]


@contextlib.contextmanager
def _quiet_stderr():
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, ValueError, OSError):  # a captured stderr: nothing reaches a terminal
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


class Lines:
    """``line(path)`` for a file read without nodes.

    The entries of a top-level block list (each item, source, hypothesis: the
    lines a case keeps) are found by a scan of the text, taken only when it
    finds as many entries as the list holds, each written ``- key: ...`` on
    its dash's line; any other path composes the file (libyaml, else ruamel)
    on first use."""

    def __init__(self, text: str, name: str, data=None):
        self.text, self.name, self.data = text, name, data
        self._line = None
        self._entries: dict[str, list[int] | None] = {}

    def __call__(self, path: tuple) -> int | None:
        if len(path) == 2 and isinstance(path[0], str) and isinstance(path[1], int):
            if path[0] not in self._entries:
                self._entries[path[0]] = self._scan(path[0])
            entries = self._entries[path[0]]
            if entries is not None and 0 <= path[1] < len(entries):
                return entries[path[1]]
        return self._composed()(path)

    def _scan(self, key: str) -> list[int] | None:
        values = self.data.get(key) if isinstance(self.data, dict) else None
        if not isinstance(values, list):
            return None
        lines = self.text.splitlines()
        head = re.compile(rf"{re.escape(key)}:[ \t]*(#.*)?$")
        starts = [n for n, row in enumerate(lines) if row.startswith(key) and head.match(row)]
        if len(starts) != 1:
            return None
        found, indent = [], None
        for n in range(starts[0] + 1, len(lines)):
            row = lines[n]
            body = row.lstrip(" ")
            if not body or body.startswith("#"):
                continue
            depth = len(row) - len(body)
            indent = depth if indent is None else indent
            if depth < indent or (depth == indent and not body.startswith("-")):
                break  # the list has ended
            if depth == indent:
                entry = body[1:].lstrip(" ")
                if not body.startswith("- ") or not entry or entry.startswith("#"):
                    return None  # an entry not written on its dash's line: composing says where it starts
                found.append(n + 1)
        return found if len(found) == len(values) else None

    def _composed(self):
        if self._line is None:
            from .yaml import fast_parse, line_of, parse_yaml

            fast = fast_parse(self.text)
            if fast is not None:
                self._line = fast[1]
            else:
                doc, problem = parse_yaml(self.text, self.name)
                self._line = (lambda _path: None) if problem else (lambda at: line_of(doc, at))
        return self._line
