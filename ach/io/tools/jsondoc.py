"""A JSON export read safely, and walked with every problem noted at its JSON path.

:func:`load_json` turns bytes into Python values or a located
:class:`~ach.errors.CaseError` (line and column of a syntax error; text that
is not UTF-8; nesting too deep; ``NaN``). :class:`Walk` reads the parsed
document: each accessor checks a value's type and notes an error (or a
warning) at its path, ``achMatrices[0].ratings.e1.h2``, and reading goes on,
so that one run reports every problem of the file.
"""

from __future__ import annotations

import json
import math
import re

from ...errors import CaseError, Diagnostic
from ...formatting import clip

__all__ = ["MAX_BYTES", "Obj", "Walk", "clean", "join", "kind_of", "load_json", "shown", "writable"]

MAX_BYTES = 25 * 2**20  # a 10,000-item matrix is a few MB: anything far larger is a mistake

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


class Obj(dict):
    """A JSON object that remembers the keys it held more than once (the last one is kept)."""

    repeated: tuple[str, ...] = ()


class _Constant(ValueError):
    """NaN, Infinity or -Infinity: JavaScript's JSON.stringify never writes them."""


def _pairs(pairs: list) -> Obj:
    out = Obj()
    repeated = []
    for key, value in pairs:
        if key in out and key not in repeated:
            repeated.append(key)
        out[key] = value
    if repeated:
        out.repeated = tuple(repeated)
    return out


def _constant(word: str):
    raise _Constant(word)


def load_json(raw: bytes, name: str) -> object:
    """The document in ``raw``; CaseError (located where the parser can say) if it is not JSON."""

    def fail(message: str, hint: str, line: int | None = None, code: str = "json-syntax") -> CaseError:
        return CaseError([Diagnostic("error", message, name, line, "JSON", hint, code=code)])

    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise fail(
            f"the file is not UTF-8 text (byte {exc.start + 1} cannot be read)",
            "an export of a web tool is UTF-8 JSON; save the file again as UTF-8",
            code="json-encoding",
        ) from None
    if not text.strip():
        raise fail("the file is empty", "export the project again", code="json-empty")
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise _syntax(exc, text, fail) from None
    except _Constant as exc:
        raise fail(
            f"the file holds {exc}, which is not a JSON number",
            "write a number, or null, in its place",
            code="json-syntax",
        ) from None
    except RecursionError:
        raise fail(
            "the JSON is nested too deeply to be an export of an ACH tool",
            "check the file",
            code="json-depth",
        ) from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise fail(f"the JSON cannot be read: {clip(exc, 120)}", "check the file") from None


def _syntax(exc: json.JSONDecodeError, text: str, fail) -> CaseError:
    lines = text.splitlines()[exc.lineno - 1 : exc.lineno]
    near = clip(lines[0].strip(), 60) if lines else ""
    hint = "a JSON export is one object in braces { }; check the file around that place"
    if exc.msg.startswith("Extra data"):
        hint = "the file holds more than one JSON document: keep the first, or export again"
    elif "Expecting property name" in exc.msg or "Expecting ',' delimiter" in exc.msg:
        hint = "look for a missing or extra comma, or an unquoted key, just before that place"
    return fail(
        f"not valid JSON: {exc.msg.lower()} at line {exc.lineno}, column {exc.colno}"
        + (f" ('{near}')" if near else ""),
        hint,
        exc.lineno,
    )


def join(parent: str, key: str | int) -> str:
    """The JSON path of ``key`` under ``parent``: ``evidence[3]``, ``ratings.H2``, ``ratings["a b"]``."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    if _KEY.fullmatch(key):
        return f"{parent}.{key}" if parent else key
    return f"{parent}[{json.dumps(clip(key, 40), ensure_ascii=False)}]"


def kind_of(value) -> str:
    """'a number', 'text', 'a list' ...: what a JSON value is, in words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def shown(value) -> str:
    """A value for a message: 'High' in quotes, or what it is ('a number', 'empty', 'null')."""
    if isinstance(value, str):
        return f"'{clip(value, 30)}'" if value else "empty"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return clip(f"{value:g}" if isinstance(value, float) else str(value), 30)
    return kind_of(value)


# Characters a case file cannot carry (control characters but tab and newline, lone surrogates,
# non-characters): dropped from all text read.
_UNWRITABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def writable(text: str) -> str:
    """``text`` without the characters a YAML file cannot hold, and nothing else changed."""
    return _UNWRITABLE.sub("", text)


def clean(text: str) -> str:
    """``text`` without what a YAML case file cannot hold; CR LF and CR become LF, and it is stripped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return _UNWRITABLE.sub("", text).strip()


class Walk:
    """Reads a parsed JSON document, noting errors and warnings at their JSON paths."""

    def __init__(self, name: str):
        self.name = name
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []

    def error(self, path: str, message: str, hint: str = "", code: str = "tool-export") -> None:
        self.errors.append(Diagnostic("error", message, self.name, None, path or "JSON", hint, code=code))

    def warn(self, path: str, message: str, hint: str = "", code: str = "tool-export") -> None:
        self.warnings.append(Diagnostic("warning", message, self.name, None, path or "JSON", hint, code=code))

    def check(self) -> None:
        """Raise the errors noted so far, all at once."""
        if self.errors:
            raise CaseError(self.errors)

    def obj(self, value, path: str, what: str) -> Obj | None:
        """``value`` if it is a JSON object (warning of keys written twice), else an error and None."""
        if not isinstance(value, dict):
            self.error(path, f"{what} must be an object {{…}}, not {kind_of(value)}")
            return None
        for key in getattr(value, "repeated", ()):
            self.warn(join(path, key), f"'{clip(key, 40)}' is written twice in one object: the last one is read")
        return value

    def items(self, parent: dict, key: str, path: str, what: str, required: bool = True, most: int = 0) -> list:
        """The list ``parent[key]`` ([] and an error if it is missing, when ``required``, or not a list,
        or longer than ``most`` when that is given)."""
        value = parent.get(key)
        where = join(path, key)
        if most and isinstance(value, list) and len(value) > most:
            self.error(
                where, f"{len(value)} {what}: at most {most} can be imported", "check the file", code="tool-size"
            )
            return []
        if value is None:
            if required:
                self.error(where, f"there is no '{key}' list of {what}", f"the export lists its {what} under '{key}'")
            return []
        if not isinstance(value, list):
            self.error(where, f"'{key}' must be a list of {what}, not {kind_of(value)}")
            return []
        return value

    def text(self, parent: dict, key: str, path: str, required: bool = False) -> str:
        """``parent[key]`` as clean text ('' if missing or null); an error if it is there but not text."""
        value = parent.get(key)
        if value is None:
            if required:
                self.error(join(path, key), f"there is no '{key}'", f"give it a '{key}'")
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(join(path, key), f"'{key}' must be text, not {kind_of(value)}")
            return ""
        if not isinstance(value, str):  # a number where text is expected: its digits
            return str(value) if isinstance(value, int) or math.isfinite(value) else ""
        return clean(value)

    def ident(self, parent: dict, key: str, path: str, what: str) -> str | None:
        """``parent[key]`` as an id: non-empty text (a whole number is read as its digits)."""
        value = parent.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str) and value.strip():
            return value
        shown = "missing" if value is None else ("empty" if value == "" else kind_of(value))
        self.error(
            join(path, key),
            f"the {what} has no '{key}' ({shown})",
            f"the ratings name each {what} by its '{key}': it must be text",
        )
        return None

    def unread(self, seen: dict[str, set[str]], known: dict[str, set[str]]) -> None:
        """One warning for each kind of entry that had fields ach does not read (``seen``: kind -> keys)."""
        for kind, keys in seen.items():
            extra = sorted(keys - known.get(kind, set()))
            if extra:
                shown = ", ".join(clip(k, 30) for k in extra[:8]) + (", …" if len(extra) > 8 else "")
                self.warn(
                    kind,
                    f"fields ach does not read were left out: {shown}",
                    "they are not part of the layout this importer reads (docs/FORMATS-TOOLS.md)",
                    code="tool-unread",
                )
