"""YAML for case files: a safe parse that keeps line numbers, and scalars written back.

:func:`parse_yaml` reads with ruamel's round-trip parser (line numbers for
every diagnostic), turns anything YAML-shaped that goes wrong into a located
:class:`~ach.errors.Diagnostic`, and keeps dates as text. :func:`plain_data`
turns the document into plain Python values, refusing cycles and runaway
aliases. :mod:`ach.casefile.fastyaml` reads a plain file ten times faster with
libyaml under the same YAML 1.2 rules, and still knows every line; anything
unusual comes here.
:func:`render` writes a value as YAML text that provably reads back as that value (the editor's splices and the new-file scaffold use it).
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from functools import lru_cache

from ..errors import AchError, Diagnostic
from ..formatting import quoted
from .fastyaml import fast_compose, fast_parse

__all__ = [
    "FORMAT_HINT",
    "MAX_ALIASED",
    "MAX_DEPTH",
    "MAX_VALUES",
    "Unreadable",
    "Unwritable",
    "differs",
    "fast_compose",
    "fast_parse",
    "line_of",
    "opening_comment",
    "parse_yaml",
    "plain_data",
    "reads_back",
    "render",
    "scalar",
]

MAX_DEPTH = 64  # a case is a few levels deep; more is a mistake or an attack
MAX_VALUES = 2_000_000  # a 10,000-item case holds under a million values
MAX_ALIASED = 100_000  # values copied through YAML aliases: a case needs few, an alias bomb billions
FORMAT_HINT = "see docs/FORMAT.md (or `ach schema`) for the fields a case needs"
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


class Unreadable(AchError):
    """A document that is valid YAML but cannot be a case (cycles, absurd size)."""


class Unwritable(AchError):
    """A value that no YAML rendering reads back as itself."""


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
                    None, None, f"{quoted(getattr(node, 'value', ''))} cannot be read as {tag} ({exc})", node.start_mark
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
        message, hint = f"YAML syntax: {message}", "check indentation and quoting on this line or the one before"
        if isinstance(exc, DuplicateKeyError):
            hint = "each key may appear only once in a mapping: remove or rename one of them"
        elif isinstance(exc, ConstructorError):
            hint = "fix the value, or remove the tag (the !!name) in front of it"
        elif line and _has_tab_indent(text, line):
            message, hint = "a tab in the indentation: YAML indents with spaces only", "replace the tab with spaces"
        elif (words := _in_words(message, exc)) is not None:
            message, hint, line = words
        return None, Diagnostic("error", message, name, line, hint=hint, code="yaml")
    except ReaderError as exc:
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        line = text[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else None
        return None, Diagnostic(
            "error",
            f"the character #x{char:04x} is not allowed in a YAML file",
            name,
            line,
            hint="delete it (control characters are invisible in most editors)",
            code="yaml",
        )
    except YAMLError as exc:
        return None, Diagnostic("error", f"YAML: {exc}", name, hint="check the file is a YAML case file", code="yaml")
    except RecursionError:
        return None, Diagnostic("error", "the YAML is nested too deeply to read", name, hint=FORMAT_HINT, code="yaml")
    except Exception as exc:  # noqa: BLE001 - ruamel has a few unguarded corners (`%YAML 1.10`, a mapping as a key)
        return None, Diagnostic("error", f"YAML the reader cannot handle ({exc})", name, hint=FORMAT_HINT, code="yaml")


def line_of(doc, path: tuple) -> int | None:
    """The 1-based line of the value at ``path`` in a round-trip document (the deepest that exists)."""
    node, line = doc, None
    for key in path:
        lc = getattr(node, "lc", None)
        try:
            if isinstance(node, dict):
                if key not in node:  # plain data's keys are text; the document's may be numbers
                    key = next((k for k in node if str(k) == str(key)), key)
                line = lc.key(key)[0] if lc else line
            else:
                line = lc.item(key)[0] if lc else line
            node = node[key]
        except (KeyError, IndexError, TypeError, AttributeError):
            break
    if line is None:
        line = getattr(getattr(node, "lc", None), "line", None)
    return None if line is None else line + 1


_QUOTE_IT = 'put the whole value in double quotes, e.g. text: "..."'


def _in_words(message: str, exc) -> tuple[str, str, int | None] | None:
    """(what is wrong, how to fix it, the line) for the parser's usual complaints, else None."""
    problem = exc.problem_mark.line + 1 if exc.problem_mark else None
    start = exc.context_mark.line + 1 if exc.context_mark else problem
    if "mapping values are not allowed here" in message:
        return (
            "a ': ' inside a value, read as the start of another key (or a line indented under a value)",
            f"{_QUOTE_IT}; if it is a new key, line it up with the keys around it",
            problem,
        )
    if "expected <block end>" in message:
        return (
            "this line is not lined up with the lines above it in the same block",
            "indent it with spaces exactly as its neighbours (keys under keys, '-' under '-')",
            problem,
        )
    if "while scanning a quoted scalar" in message:
        return (
            "a quoted value opens here and is never closed",
            "close the quote; write a quote inside the text twice ('it''s') or as \\\"",
            start,
        )
    if "found undefined alias" in message:
        return ("a value starting with '*' reads as a YAML alias (a reference to an '&' anchor)", _QUOTE_IT, problem)
    if "that cannot start any token" in message:
        char = message.rsplit("found character ", 1)[-1].split(" ", 1)[0]
        return (f"a value cannot start with {char} unless it is quoted", _QUOTE_IT, problem)
    if "while parsing a flow" in message:
        return (
            "a [list] or {mapping} written on one line is not closed, or holds a stray ':' or ','",
            "close the bracket on the same line, and quote any value that holds ': ' or ','",
            start,
        )
    if "could not find expected ':'" in message:
        return (
            "a line without 'key:' where a key was expected",
            "add the ':' after the key, or indent a continued text further than its key",
            start,
        )
    return None


def _has_tab_indent(text: str, line: int) -> bool:
    lines = text.splitlines()
    nearby = lines[max(line - 2, 0) : line]
    return any("\t" in row[: len(row) - len(row.lstrip())] for row in nearby)


def plain_data(doc):
    """ruamel nodes -> plain Python values (dict, list, str, int, float, bool, None),
    refusing cycles and runaway aliases.

    A value reached again through an alias (``*name``) is copied; the copies
    are counted apart and bounded much lower than the file's own values, so a
    "billion laughs" file is refused in milliseconds, not after millions of
    copies."""
    count = aliased = 0
    seen: set[int] = set()

    def walk(node, depth: int, parents: frozenset, copying: bool):
        nonlocal count, aliased
        count += 1
        if copying:
            aliased += 1
            if aliased > MAX_ALIASED:
                raise Unreadable(
                    f"YAML aliases (*name) repeat more than {MAX_ALIASED:,} values: the file expands far beyond what it holds"
                )
        if count > MAX_VALUES:
            raise Unreadable(f"the file expands to more than {MAX_VALUES:,} values (through YAML aliases?)")
        if depth > MAX_DEPTH:
            raise Unreadable(f"the YAML is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, (dict, list)):
            if id(node) in parents:
                raise Unreadable("a YAML alias (*name) refers to a value that contains it")
            parents = parents | {id(node)}
            copying = copying or id(node) in seen
            seen.add(id(node))
        if isinstance(node, dict):
            return {str(k): walk(v, depth + 1, parents, copying) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, depth + 1, parents, copying) for v in node]
        return _scalar(node)

    return walk(doc, 0, frozenset(), False)


def _scalar(node):
    """ruamel's scalar subclasses (ScalarFloat, LiteralScalarString, ScalarBoolean, ...) as builtins."""
    if isinstance(node, bool) or type(node).__name__ == "ScalarBoolean":
        return bool(node)
    for kind in (int, float, str):
        if isinstance(node, kind):
            return kind(node)
    return node


def content_end(text: str, node) -> int:
    """Index just after the last character of ``text`` that belongs to the composed ``node``
    (a block scalar's trailing blank lines and a block collection's trailing comments excluded);
    ruamel's nodes and libyaml's alike."""
    if node.id == "scalar":
        end = node.end_mark.index
        if node.style in ("|", ">"):
            while end > node.start_mark.index and text[end - 1] in " \t\r\n":
                end -= 1
        return end
    if node.flow_style or not node.value:
        return node.end_mark.index
    last = node.value[-1]
    if isinstance(last, tuple):
        k, v = last
        return max(content_end(text, k) + 1, content_end(text, v))
    return content_end(text, last)


def comment_after(text: str, index: int) -> tuple[int, int] | None:
    """(start of the gap before '#', index of '#') of the comment on the line of
    ``index``, scanning the rest of the line with quotes respected."""
    end = text.find("\n", index)
    end = len(text) if end < 0 else end
    i, quote = index, None
    while i < end:
        c = text[i]
        if quote:
            if quote == '"' and c == "\\":
                i += 2
                continue
            if c == quote:
                if quote == "'" and text[i + 1 : i + 2] == "'":
                    i += 2
                    continue
                quote = None
        elif c in "\"'" and (i == index or text[i - 1] in " \t,[{:"):
            quote = c
        elif c == "#" and (i == index or text[i - 1] in " \t"):
            gap = i
            while gap > index and text[gap - 1] in " \t":
                gap -= 1
            return gap, i
        i += 1
    return None


def opening_comment(text: str) -> str:
    """The comment block at the top of a YAML file, without '# ' and the editor's schema line."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            lines.append("")
            continue
        body = stripped[1:]
        body = body[1:] if body.startswith(" ") else body
        if body.startswith("yaml-language-server:"):
            continue
        lines.append(body.rstrip())
    return "\n".join(lines).strip("\n")


def scalar(text: str):
    """One value typed on a command line, read as a case file would read it after ``key:``
    (0.3 a number, D text, true a yes/no value); text that is not a YAML scalar stays text."""
    doc, problem = parse_yaml(f"k: {text}\n", "<value>")
    if problem or not isinstance(doc, dict) or isinstance(doc.get("k"), (dict, list)):
        return text
    value = plain_data(doc)["k"]
    return text if value is None else value


# -- writing scalars back --------------------------------------------------------


def render(value, *, flow: bool = False, style: str | None = None, safe: bool = False) -> str:
    """A value as YAML text that reads back as exactly ``value`` (checked); a mapping on one line."""
    if isinstance(value, dict):
        cells = (f"{render(k, flow=True, safe=safe)}: {render(v, flow=True, safe=safe)}" for k, v in value.items())
        return "{" + ", ".join(cells) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        for text in (repr(value), f"{value:.17f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)):
            if _reads_as(text, value, flow):
                return text
        raise Unwritable(f"cannot write the number {value!r}")
    text = str(value)
    candidates = []
    if style == "'" and "\n" not in text and not safe:
        candidates.append("'" + text.replace("'", "''") + "'")
    if style not in ('"', "'") and not safe and _plain_ok(text, flow):
        candidates.append(text)
    candidates.append(json.dumps(text, ensure_ascii=False))
    for c in candidates:
        if _reads_as(c, text, flow):
            return c
    raise Unwritable(f"cannot write the text {text!r}")


def _plain_ok(text: str, flow: bool) -> bool:
    if not text or text != text.strip() or "\n" in text or "\t" in text:
        return False
    if text.lower() in _YAML11_WORDS:
        return False  # YAML 1.1 readers take these for yes/no/null
    if text[0] in "-?:,[]{}#&*!|>'\"%@`" and not (text[0] in "-?:" and len(text) > 1 and text[1] not in " \t"):
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    if flow and any(c in text for c in ",[]{}"):
        return False
    return _yaml11_text(text)


@lru_cache(maxsize=1)
def _yaml11():
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 1)
    return yaml


def _yaml11_text(text: str) -> bool:
    """Whether a YAML 1.1 reader (other tools, editors) also takes plain ``text`` for text:
    not for yes/no, 1:20 (a number) or 0x1F; a date stays a date everywhere, as in FORMAT.md."""
    try:
        got = _yaml11().load(f"k: {text}\n")["k"]
    except Exception:  # noqa: BLE001 - anything odd: quote it
        return False
    return got == text or isinstance(got, (dt.date, dt.datetime))


def _reads_as(text: str, value, flow: bool) -> bool:
    probe = f"k: {{v: {text}}}\n" if flow else f"k: {text}\n"
    doc, problem = parse_yaml(probe, "<probe>")
    if problem or not isinstance(doc, dict):
        return False
    got = doc.get("k")
    got = got.get("v") if flow and isinstance(got, dict) else got
    return differs(got, value, "v") is None


def reads_back(text: str, expected) -> str | None:
    """None if ``text`` parses to ``expected``; else what differs."""
    fast = fast_parse(text)  # the same values as the round-trip parser, ten times sooner
    if fast is not None:
        return differs(fast[0], expected, "")
    doc, problem = parse_yaml(text, "<edit>")
    if problem:
        return f"the edited text is not valid YAML: {problem.message}"
    try:
        got = plain_data(doc)
    except Exception as exc:  # noqa: BLE001 - reported as a refusal
        return str(exc)
    return differs(got, expected, "")


def differs(a, b, where: str) -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return f"keys of {where or 'the file'} differ: {sorted(set(a) ^ set(b))}"
        for k in a:
            found = differs(a[k], b[k], f"{where}.{k}" if where else k)
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{where} has {len(a)} entries, expected {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            found = differs(x, y, f"{where}[{i}]")
            if found:
                return found
        return None
    same_kind = (isinstance(a, bool) == isinstance(b, bool)) and (isinstance(a, str) == isinstance(b, str))
    if same_kind and a == b and (a is None) == (b is None):
        return None
    return f"{where} reads {a!r}, expected {b!r}"
