"""Edit a case file in place: comments, layout and untouched lines survive byte for byte.

How: the file is never re-dumped. ruamel.yaml *composes* it (nodes with exact
character positions), and every edit is a splice of the text at those
positions: a value replaced, a line inserted after a given line, the lines of
an entry deleted. Every line the edit does not touch is therefore the very
same string as before. (A round-trip dump would not guarantee it: ruamel hangs
the comment lines *after* a value on that value, so deleting an item would
take the next item's heading comment with it, and a file whose layout ruamel
cannot reproduce exactly would be rewritten throughout.)

Each edit is then checked three ways before anything is written:

1. the new text is parsed again and must hold exactly the intended data (the
   old data with the one change applied); a value whose plain or block
   rendering would read back differently is written double-quoted instead;
2. :func:`ach.loader.check_text` must find no error the file did not already
   have (an edit may not break a file; it may fix one);
3. the file is written through :func:`ach.files.write_atomic` (temporary file
   in the same folder, then rename), so it is either the old or the new file,
   never half of one.

A refused edit raises :class:`~ach.diagnostics.CaseError` whose diagnostics
point at lines of the file as it is on disk.

Layout rules (docs/EDITING.md): a new key goes after the last key that
precedes it in the usual order (FORMAT.md); a new entry goes after the last
entry of its list, with the indentation of the entries already there and a
blank line before it when the entries are separated by blank lines; a
deleted entry takes its own lines with it, including comment lines indented
deeper than its ``-`` that follow it, but never the comment lines above it.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import json
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .diagnostics import CaseError, Diagnostic

KINDS = ("hypothesis", "source", "evidence", "candidate")
SECTION = {"hypothesis": "hypotheses", "source": "sources", "evidence": "evidence", "candidate": "collection"}
NOUN = {
    "hypothesis": "hypothesis",
    "source": "source",
    "evidence": "evidence item",
    "candidate": "candidate observation",
}
A_NOUN = {
    "hypothesis": "a hypothesis",
    "source": "a source",
    "evidence": "an evidence item",
    "candidate": "a candidate observation",
}

# The usual order of keys (docs/FORMAT.md): where a new key is inserted.
ORDER = {
    "top": (
        "title",
        "question",
        "description",
        "analyst",
        "date",
        "prior_concentration",
        "hypotheses",
        "sources",
        "evidence",
        "collection",
        "scale",
    ),
    "hypothesis": ("id", "title", "description", "prior", "catch_all"),
    "source": ("id", "title", "reliability", "confidence", "notes"),
    "evidence": (
        "id",
        "text",
        "source",
        "date",
        "type",
        "likelihood",
        "confidence",
        "credibility",
        "credibility_confidence",
        "if_false",
        "relevance",
        "citation",
        "notes",
    ),
    "candidate": ("id", "text", "likelihood", "credibility", "notes"),
}

# What `set` may change, per kind (id and likelihood have their own commands).
SETTABLE = {
    "hypothesis": ("title", "description", "prior", "catch_all"),
    "source": ("title", "reliability", "confidence", "notes"),
    "evidence": (
        "text",
        "source",
        "date",
        "type",
        "confidence",
        "credibility",
        "credibility_confidence",
        "relevance",
        "notes",
    ),
    "candidate": ("text", "credibility", "notes"),
}
REQUIRED = {
    "hypothesis": ("id", "title"),
    "source": ("id", "reliability"),
    "evidence": ("id", "text", "likelihood"),
    "candidate": ("id", "text", "likelihood"),
}

CODES = {"CC", "C", "N", "I", "II", "NA"}  # classic ratings: a quoted "N" stays quoted when re-rated "C"
TODO = "# TODO rate"  # the comment on a cell an edit had to fill in (NA) and the analyst must rate
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


class EditError(CaseError):
    """An edit that was refused; the file is unchanged."""


class _Unsupported(Exception):
    """A layout the text editor will not touch (it would have to guess)."""


# -- the result of an edit ----------------------------------------------------------


@dataclass
class Edit:
    """What an edit did: the text before and after, in words, and what is left to do."""

    path: Path
    before: str
    after: str
    changes: list[str] = field(default_factory=list)  # what was done, one line each
    todo: list[str] = field(default_factory=list)  # what the analyst must still do
    warnings: list[Diagnostic] = field(default_factory=list)  # warnings the edit introduced
    old_case: object = None  # ach.case.Case before (None if the file was invalid)
    case: object = None  # ach.case.Case after (None if the file is still invalid)
    written: bool = False

    def unified_diff(self) -> str:
        name = str(self.path)
        return "".join(
            difflib.unified_diff(self.before.splitlines(True), self.after.splitlines(True), f"a/{name}", f"b/{name}")
        )


# -- text-level editor ----------------------------------------------------------------


class CaseText:
    """The text of a case file and the edits that can be made to it.

    Each method changes :attr:`text` (or raises :class:`EditError` and leaves
    it as it was) and appends a description to :attr:`changes`. Nothing is
    checked against the case rules here and nothing is written: :func:`apply`
    does both.
    """

    def __init__(self, text: str, name: str = "<case>"):
        self.name = name
        self.bom = text.startswith("\ufeff")
        self.text = text[1:] if self.bom else text
        self.changes: list[str] = []
        self.todo: list[str] = []

    # -- public edits --------------------------------------------------------
    def rate(self, item: str, hypothesis: str, rating, *, why: str | None = None, kind: str | None = None) -> None:
        """Set one cell of the matrix; ``why`` replaces the comment on its line ('' removes it)."""

        def run(ed: _Editor):
            kind_ = ed.resolve(item, kind, ("evidence", "candidate"))
            index, entry = ed.find(kind_, item)
            hyps = ed.hypothesis_ids()
            pair = ed.get(entry, "likelihood")
            if hypothesis not in hyps:
                from .loader import id_hint

                raise ed.refuse(
                    f"'{hypothesis}' is not a hypothesis",
                    pair[0] if pair else entry,
                    f"{SECTION[kind_]} {item} › likelihood",
                    id_hint(hypothesis, hyps),
                )
            if pair is None or not _is_map(pair[1]):
                raise ed.refuse(
                    f"{NOUN[kind_]} '{item}' has no likelihood mapping to rate",
                    entry,
                    f"{SECTION[kind_]} {item}",
                    "add `likelihood:` with one rating per hypothesis by hand",
                )
            cells = pair[1]
            old = ed.get(cells, hypothesis)
            was = ed.data[SECTION[kind_]][index]["likelihood"].get(hypothesis)
            ed.expect_entry(kind_, index)["likelihood"][hypothesis] = rating
            if why is not None and cells.flow_style:
                raise ed.refuse(
                    "the likelihoods of this item are written on one line ({...}), where a comment "
                    "cannot belong to one cell",
                    pair[0],
                    f"{SECTION[kind_]} {item} › likelihood",
                    "rate it without --why, or write the likelihoods one per line",
                )
            if old is None:
                ed.insert_cell(cells, hypothesis, rating, hyps, comment=_why_comment(why) or None)
                self.changes.append(f"{item} under {hypothesis}: (none) → {_show(rating)}")
            else:
                ed.replace_value(
                    old[1],
                    rating,
                    comment=_why_comment(why),
                    drop_todo=True,
                    column=None if cells.flow_style else ed.comment_column(cells),
                    keep_quotes=isinstance(rating, str) and rating.upper() in CODES,
                )
                if cells.flow_style:
                    ed.drop_todo_line(pair[0], hypothesis)
                self.changes.append(f"{item} under {hypothesis}: {_show(was)} → {_show(rating)}")

        self._run(run)

    def set(self, ident: str, *, kind: str | None = None, unset=(), **fields) -> None:
        """Change (or add) fields of a hypothesis, source, item or candidate; ``unset`` removes optional ones."""
        fields = {k: v for k, v in fields.items() if v is not None}
        if not fields and not unset:
            raise EditError(
                [
                    Diagnostic(
                        "error",
                        "nothing to change",
                        self.name,
                        field=ident,
                        hint="give at least one option, e.g. --credibility high",
                    )
                ]
            )

        def run(ed: _Editor):
            names = [*fields, *unset]
            kind_ = ed.resolve(ident, kind, KINDS, names)
            index, entry = ed.find(kind_, ident)
            bad = [n for n in names if n not in SETTABLE[kind_]]
            if bad:
                raise ed.refuse(
                    f"{A_NOUN[kind_]} has no field {', '.join(repr(b) for b in bad)} to set",
                    entry,
                    f"{SECTION[kind_]} {ident}",
                    f"{A_NOUN[kind_]} takes: {', '.join(SETTABLE[kind_])}",
                )
            if kind_ == "evidence" and "source" in fields:
                ed.check_source(fields["source"], entry, f"evidence {ident} › source")
            expected = ed.expect_entry(kind_, index)
            current = ed.data[SECTION[kind_]][index]
            for name, value in fields.items():
                old = ed.get(entry, name)
                if old is not None and name in current and _differs(current[name], value, name) is None:
                    continue  # the file says that already
                expected[name] = value
                if old is None:
                    ed.insert_key(entry, name, value, ORDER[kind_])
                    self.changes.append(f"{ident} {name}: (none) → {_show(value)}")
                else:
                    before = current.get(name)
                    ed.replace_value(old[1], value)
                    self.changes.append(f"{ident} {name}: {_show(before)} → {_show(value)}")
            for name in unset:
                if name in REQUIRED[kind_]:
                    raise ed.refuse(f"'{name}' is required for {A_NOUN[kind_]}", entry, f"{SECTION[kind_]} {ident}")
                old = ed.get(entry, name)
                if old is None:
                    continue
                ed.delete_pair(entry, old)
                expected.pop(name, None)
                self.changes.append(f"{ident} {name}: removed")

        self._run(run)

    def remove(self, ident: str, *, kind: str | None = None) -> None:
        """Remove an item, a candidate, an unused source, or a hypothesis (and its cells everywhere)."""

        def run(ed: _Editor):
            kind_ = ed.resolve(ident, kind, KINDS)
            index, entry = ed.find(kind_, ident)
            if kind_ == "source":
                users = [
                    e.get("id")
                    for e in ed.data.get("evidence") or []
                    if isinstance(e, dict) and e.get("source") == ident
                ]
                if users:
                    raise ed.refuse(
                        f"source '{ident}' is used by {len(users)} item{'s' if len(users) > 1 else ''} ({', '.join(map(str, users))})",
                        entry,
                        f"sources {ident}",
                        "remove those items or give them another source first (ach set CASE ITEM --source OTHER)",
                    )
            if kind_ == "hypothesis":
                left = len(ed.data.get("hypotheses") or []) - 1
                if left < 2:
                    raise ed.refuse(
                        f"removing '{ident}' would leave {left} hypothesis; a case needs at least two",
                        entry,
                        f"hypotheses {ident}",
                        "add the replacement first (ach add hypothesis)",
                    )
                cells = self._remove_cells(ed, ident)
            ed.delete_entry(entry)
            del ed.expected[SECTION[kind_]][index]
            if len(ed.section(SECTION[kind_]).value) == 1:  # the list is empty now: say so, `sources: []`
                colon = ed.text.index(":", ed.content_end(ed.get(ed.root, SECTION[kind_])[0]))
                ed.splice(colon + 1, colon + 1, " []")
            self.changes.append(f"removed {NOUN[kind_]} {ident}")
            if kind_ == "hypothesis" and cells:
                self.changes.append(f"removed its {cells} cell{'s' if cells > 1 else ''} from the items and candidates")

        self._run(run)

    def add_hypothesis(
        self,
        id: str,
        title: str,
        *,
        prior=None,
        catch_all: bool = False,
        description: str | None = None,
        default_rating=None,
    ) -> None:
        """Append a hypothesis; every item gets a cell for it (``default_rating``, else NA), marked ``# TODO rate``."""

        def run(ed: _Editor):
            ed.check_new_id("hypothesis", id)
            hyps = [*ed.hypothesis_ids(), id]
            spec = {"id": id, "title": title}
            if description is not None:
                spec["description"] = description
            if prior is not None:
                spec["prior"] = prior
            if catch_all:
                spec["catch_all"] = True
            ed.append_entry("hypothesis", spec)
            rating = "NA" if default_rating is None else default_rating
            with_prior = [h for h in ed.data.get("hypotheses") or [] if isinstance(h, dict) and "prior" in h]
            if prior is None and with_prior:
                raise ed.refuse(
                    f"the other hypotheses have prior weights, so '{id}' needs one too",
                    ed.section("hypotheses"),
                    "hypotheses",
                    "give --prior WEIGHT",
                )
            if prior is not None and not with_prior:
                raise ed.refuse(
                    f"the other hypotheses have no prior weights (uniform), so '{id}' cannot have one",
                    ed.section("hypotheses"),
                    "hypotheses",
                    "leave out --prior, or first give every hypothesis a weight (ach set CASE HYP --prior W)",
                )
            filled = {"evidence": [], "candidate": []}
            for kind_ in ("evidence", "candidate"):
                for i, entry in ed.entries(kind_):
                    pair = ed.get(entry, "likelihood")
                    if pair is None or not _is_map(pair[1]) or ed.get(pair[1], id) is not None:
                        continue
                    if kind_ == "candidate" and default_rating is None:
                        raise ed.refuse(
                            f"candidate observations cannot take NA, and '{ed.entry_id(entry)}' needs a rating for {id}",
                            entry,
                            f"collection {ed.entry_id(entry)} › likelihood",
                            "give --default-rating (written with a '# TODO rate' comment), or rate the candidates first",
                        )
                    ed.insert_cell(pair[1], id, rating, hyps, comment=TODO)
                    ed.expect_entry(kind_, i)["likelihood"][id] = rating
                    filled[kind_].append(ed.entry_id(entry))
            self.changes.append(f"added hypothesis {id}: {title}")
            for kind_, ids in filled.items():
                if ids:
                    what = "items" if kind_ == "evidence" else "candidates"
                    self.todo.append(
                        f"{len(ids)} {what} now rate {id} as {_show(rating)} with '{TODO}' "
                        f"({_some(ids)}): rate them with `ach rate CASE ITEM {id} RATING`"
                    )

        self._run(run)

    def add_source(
        self, id: str, reliability, *, title: str | None = None, confidence: str | None = None, notes: str | None = None
    ) -> None:
        def run(ed: _Editor):
            ed.check_new_id("source", id)
            spec = {"id": id}
            if title is not None:
                spec["title"] = title
            spec["reliability"] = reliability
            if confidence is not None:
                spec["confidence"] = confidence
            if notes is not None:
                spec["notes"] = notes
            ed.append_entry("source", spec)
            self.changes.append(f"added source {id} (reliability {_show(reliability)})")

        self._run(run)

    def add_evidence(
        self,
        text: str,
        ratings: dict,
        *,
        id: str | None = None,
        source: str | None = None,
        date: str | None = None,
        type: str | None = None,
        confidence: str | None = None,
        credibility=None,
        relevance: str | None = None,
        notes: str | None = None,
        report: str | None = None,
        quote: str | None = None,
        url: str | None = None,
    ) -> str:
        """Append an item; hypotheses missing from ``ratings`` are written NA with ``# TODO rate``. Returns its id."""
        made = []

        def run(ed: _Editor):
            hyps = ed.hypothesis_ids()
            unknown = [h for h in ratings if h not in hyps]
            if unknown:
                from .loader import id_hint

                raise ed.refuse(
                    f"'{unknown[0]}' is not a hypothesis",
                    ed.section("hypotheses"),
                    "hypotheses",
                    id_hint(unknown[0], hyps),
                )
            eid = id or ed.next_item_id()
            ed.check_new_id("evidence", eid)
            if source is not None:
                ed.check_source(source, ed.section("evidence"), "evidence › source")
            spec = {"id": eid, "text": text}
            for key, value in (("source", source), ("date", date), ("type", type)):
                if value is not None:
                    spec[key] = value
            spec["likelihood"] = {h: ratings.get(h, "NA") for h in hyps}
            for key, value in (("confidence", confidence), ("credibility", credibility), ("relevance", relevance)):
                if value is not None:
                    spec[key] = value
            if report is not None or quote is not None or url is not None:
                spec["citation"] = {
                    k: v for k, v in (("report", report), ("quote", quote), ("url", url)) if v is not None
                }
            if notes is not None:
                spec["notes"] = notes
            todo = [h for h in hyps if h not in ratings]
            ed.append_entry("evidence", spec, todo=todo)
            made.append(eid)
            self.changes.append(f"added evidence item {eid}" + (f" (source {source})" if source else ""))
            if todo:
                self.todo.append(
                    f"{eid} does not rate {', '.join(todo)}: written as NA with '{TODO}' "
                    f"(rate them: ach rate CASE {eid} HYPOTHESIS RATING)"
                )

        self._run(run)
        return made[-1]

    # -- machinery -----------------------------------------------------------
    def _remove_cells(self, ed: _Editor, hid: str) -> int:
        count = 0
        for kind_ in ("evidence", "candidate"):
            for i, entry in ed.entries(kind_):
                expected = ed.expect_entry(kind_, i)
                for key in ("likelihood", "if_false") if kind_ == "evidence" else ("likelihood",):
                    pair = ed.get(entry, key)
                    if pair is None or not _is_map(pair[1]):
                        continue
                    cell = ed.get(pair[1], hid)
                    if cell is None:
                        continue
                    if key == "if_false" and len(pair[1].value) == 1:
                        ed.delete_pair(entry, pair)  # an if_false that named only this hypothesis goes entirely
                        expected.pop("if_false", None)
                        continue
                    ed.delete_pair(pair[1], cell)
                    if pair[1].flow_style and key == "likelihood":
                        ed.drop_todo_line(pair[0], hid)
                    expected[key].pop(hid, None)
                    count += key == "likelihood"
        return count

    def _run(self, fn) -> None:
        """Apply ``fn`` on a fresh parse; retry writing every new string double-quoted if
        the pretty rendering did not read back as intended; never leave a half edit."""
        changes, todo = list(self.changes), list(self.todo)
        last = None
        for safe in (False, True):
            self.changes, self.todo = list(changes), list(todo)
            ed = _Editor(self.text, self.name, safe=safe)
            try:
                fn(ed)
                new = ed.result()
            except _Unsupported as exc:
                self.changes, self.todo = changes, todo
                raise EditError(
                    [
                        Diagnostic(
                            "error",
                            f"cannot make this edit in place: {exc}",
                            self.name,
                            hint="make the change by hand (the file was not changed)",
                        )
                    ]
                ) from None
            problem = _check_same(new, ed.expected)
            if problem is None:
                self.text = new
                return
            last = problem
        self.changes, self.todo = changes, todo
        raise EditError(
            [
                Diagnostic(
                    "error",
                    f"cannot make this edit without disturbing the file ({last})",
                    self.name,
                    hint="make the change by hand; please report the file layout as an ach bug",
                )
            ]
        )

    @property
    def full_text(self) -> str:
        return ("\ufeff" if self.bom else "") + self.text


def _why_comment(why):
    if why is None:
        return None
    why = " ".join(str(why).split())
    return "" if not why else (why if why.startswith("#") else f"# {why}")


def _some(ids: list[str], n: int = 6) -> str:
    return ", ".join(ids) if len(ids) <= n else ", ".join(ids[: n - 1]) + f", … {ids[-1]}"


def _show(value) -> str:
    if isinstance(value, str):
        return value if value and len(value) <= 60 else repr(value[:57] + "…") if value else "''"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _is_map(node) -> bool:
    from ruamel.yaml.nodes import MappingNode

    return isinstance(node, MappingNode)


def _check_same(text: str, expected) -> str | None:
    """None if ``text`` parses to ``expected``; else what differs."""
    from .loader import parse_yaml, plain_data

    doc, problem = parse_yaml(text, "<edit>")
    if problem:
        return f"the edited text is not valid YAML: {problem.message}"
    try:
        got = plain_data(doc)
    except Exception as exc:  # noqa: BLE001 - reported as a refusal
        return str(exc)
    return _differs(got, expected, "")


def _differs(a, b, where: str) -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return f"keys of {where or 'the file'} differ: {sorted(set(a) ^ set(b))}"
        for k in a:
            found = _differs(a[k], b[k], f"{where}.{k}" if where else k)
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{where} has {len(a)} entries, expected {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            found = _differs(x, y, f"{where}[{i}]")
            if found:
                return found
        return None
    same_kind = (isinstance(a, bool) == isinstance(b, bool)) and (isinstance(a, str) == isinstance(b, str))
    if same_kind and a == b and (a is None) == (b is None):
        return None
    return f"{where} reads {a!r}, expected {b!r}"


class _Editor:
    """One parse of the text, the splices planned on it, and the data they should produce."""

    def __init__(self, text: str, name: str, safe: bool = False):
        from ruamel.yaml import YAML

        from .loader import parse_yaml, plain_data

        self.text, self.name, self.safe = text, name, safe
        self.nl = "\r\n" if "\r\n" in text else "\n"
        doc, problem = parse_yaml(text, name)
        if problem:
            raise EditError([problem])
        if not isinstance(doc, dict):
            raise EditError([Diagnostic("error", "not a case file (the file is not a mapping)", name, 1)])
        self.data = plain_data(doc)
        self.expected = copy.deepcopy(self.data)
        self.root = YAML(typ="rt").compose(text)
        self.splices: list[tuple[int, int, str]] = []

    # -- reading the tree --------------------------------------------------------
    def get(self, mapping, key: str):
        """(key node, value node) of ``key`` in a mapping node, or None."""
        for k, v in mapping.value:
            if getattr(k, "value", None) == key:
                return k, v
        return None

    def section(self, name: str):
        pair = self.get(self.root, name)
        return None if pair is None else pair[1]

    def entries(self, kind: str) -> list[tuple[int, object]]:
        from ruamel.yaml.nodes import SequenceNode

        seq = self.section(SECTION[kind])
        if not isinstance(seq, SequenceNode):
            return []
        return [(i, n) for i, n in enumerate(seq.value) if _is_map(n)]

    def entry_id(self, entry) -> str | None:
        pair = self.get(entry, "id")
        return None if pair is None else pair[1].value

    def ids(self, kind: str) -> list[str]:
        return [i for _, n in self.entries(kind) if (i := self.entry_id(n)) is not None]

    def hypothesis_ids(self) -> list[str]:
        return self.ids("hypothesis")

    def expect_entry(self, kind: str, index: int) -> dict:
        return self.expected[SECTION[kind]][index]

    def find(self, kind: str, ident: str):
        for i, node in self.entries(kind):
            if self.entry_id(node) == ident:
                return i, node
        raise self.not_found(ident, (kind,))

    def line(self, node) -> int | None:
        return None if node is None else node.start_mark.line + 1

    def refuse(self, message: str, node=None, field_: str = "", hint: str = "") -> EditError:
        return EditError([Diagnostic("error", message, self.name, self.line(node), field_, hint)])

    def not_found(self, ident: str, kinds) -> EditError:
        from .scales import suggest

        known = [i for k in kinds for i in self.ids(k)]
        what = " or ".join(NOUN[k] for k in kinds)
        node = self.section(SECTION[kinds[0]]) if len(kinds) == 1 else None
        return self.refuse(
            f"no {what} '{ident}' in the case",
            node,
            SECTION[kinds[0]] if len(kinds) == 1 else "",
            suggest(ident, known) or (f"the ids are {', '.join(known)}" if known else ""),
        )

    def resolve(self, ident: str, kind: str | None, allowed, fields=()) -> str:
        """Which kind of entry ``ident`` names: the one given, else the only one that has
        that id (and takes ``fields``); refuse when that is ambiguous."""
        if kind is not None:
            if kind not in allowed:
                raise self.refuse(
                    f"this command does not apply to {A_NOUN.get(kind, kind)}", hint=f"use one of: {', '.join(allowed)}"
                )
            self.find(kind, ident)
            return kind
        having = [k for k in allowed if ident in self.ids(k)]
        if not having:
            raise self.not_found(ident, tuple(allowed))
        fitting = [k for k in having if all(f in SETTABLE[k] for f in fields)] if fields else having
        if len(fitting) == 1:
            return fitting[0]
        if not fitting:
            k = having[0]
            raise self.refuse(
                f"'{ident}' is {A_NOUN[k]}, which has no {', '.join(f for f in fields if f not in SETTABLE[k])}",
                self.find(k, ident)[1],
                f"{SECTION[k]} {ident}",
                f"{A_NOUN[k]} takes: {', '.join(SETTABLE[k])}",
            )
        raise self.refuse(
            f"'{ident}' names {' and '.join(A_NOUN[k] for k in fitting)}",
            None,
            ident,
            f"say which with --kind {'/'.join(fitting)}",
        )

    def check_new_id(self, kind: str, ident: str) -> None:
        if ident in self.ids(kind):
            raise self.refuse(
                f"there is already {A_NOUN[kind]} '{ident}'",
                self.find(kind, ident)[1],
                f"{SECTION[kind]} {ident}",
                "choose another id",
            )
        if not isinstance(ident, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", ident):
            raise self.refuse(
                f"'{ident}' is not a valid id",
                self.section(SECTION[kind]),
                SECTION[kind],
                "use letters, digits, '_', '.', '-', starting with a letter or digit",
            )

    def check_source(self, source: str, node, field_: str) -> None:
        """Editing commands are stricter than the loader: a source must be listed."""
        listed = self.ids("source")
        if source not in listed:
            from .scales import suggest

            raise self.refuse(
                f"source '{source}' is not listed under sources",
                node,
                field_,
                suggest(source, listed) or f"add it first: ach add source CASE --id {source} --reliability ...",
            )

    def next_item_id(self) -> str:
        """E32 after E31 (keeping zero padding: E07 -> E08), else E<n+1>."""
        ids = self.ids("evidence")
        for ident in reversed(ids):
            m = re.fullmatch(r"(.*?)(\d+)", ident)
            if m:
                prefix, digits = m.groups()
                n = int(digits) + 1
                while True:
                    candidate = f"{prefix}{n:0{len(digits)}d}"
                    if candidate not in ids:
                        return candidate
                    n += 1
        n = len(ids) + 1
        while f"E{n}" in ids:
            n += 1
        return f"E{n}"

    # -- positions ---------------------------------------------------------------
    def line_start(self, i: int) -> int:
        return self.text.rfind("\n", 0, i) + 1

    def next_line(self, i: int) -> int:
        j = self.text.find("\n", i)
        return len(self.text) if j < 0 else j + 1

    def content_end(self, node) -> int:
        """Index just after the last character that belongs to ``node``."""
        from ruamel.yaml.nodes import ScalarNode

        if isinstance(node, ScalarNode):
            end = node.end_mark.index
            if node.style in ("|", ">"):
                while end > node.start_mark.index and self.text[end - 1] in " \t\r\n":
                    end -= 1
            return end
        if node.flow_style or not node.value:
            return node.end_mark.index
        last = node.value[-1]
        if isinstance(last, tuple):
            k, v = last
            return max(self.content_end(k) + 1, self.content_end(v))
        return self.content_end(last)

    def after(self, end: int, column: int) -> int:
        """Start of the line after the one holding ``end`` (an index just after some
        content), moved past comment lines indented deeper than ``column`` (they
        continue what ends there)."""
        i = self.next_line(end - 1) if end > 0 else 0
        while i < len(self.text):
            j = self.next_line(i)
            line = self.text[i:j]
            body = line.lstrip(" ")
            if body.startswith("#") and len(line) - len(body) > column:
                i = j
                continue
            break
        return i

    def own_line(self, index: int) -> int:
        """The start of the line of ``index``, refusing if something precedes it there."""
        start = self.line_start(index)
        if self.text[start:index].strip(" "):
            raise _Unsupported(f"line {self.text.count(chr(10), 0, index) + 1} holds more than the part to change")
        return start

    def dash(self, entry) -> int:
        """Index of the '-' that starts a block-sequence entry."""
        j = entry.start_mark.index - 1
        while j >= 0 and self.text[j] in " \t\r\n":
            j -= 1
        if j < 0 or self.text[j] != "-":
            raise _Unsupported("a list written in flow style ([...])")
        return j

    def comment_after(self, index: int) -> tuple[int, int] | None:
        """(start of the gap before '#', index of '#') of the comment on the line of
        ``index``, scanning the rest of the line with quotes respected."""
        end = self.text.find("\n", index)
        end = len(self.text) if end < 0 else end
        i, quote = index, None
        while i < end:
            c = self.text[i]
            if quote:
                if quote == '"' and c == "\\":
                    i += 2
                    continue
                if c == quote:
                    if quote == "'" and self.text[i + 1 : i + 2] == "'":
                        i += 2
                        continue
                    quote = None
            elif c in "\"'" and (i == index or self.text[i - 1] in " \t,[{:"):
                quote = c
            elif c == "#" and (i == index or self.text[i - 1] in " \t"):
                gap = i
                while gap > index and self.text[gap - 1] in " \t":
                    gap -= 1
                return gap, i
            i += 1
        return None

    def comment_column(self, mapping) -> int | None:
        """The column most comments of a block mapping's lines start at, if any."""
        columns = []
        for k, v in mapping.value:
            found = self.comment_after(self.content_end(v))
            if found and self.line_start(found[1]) == self.line_start(k.start_mark.index):
                columns.append(found[1] - self.line_start(found[1]))
        return Counter(columns).most_common(1)[0][0] if columns else None

    # -- splicing ---------------------------------------------------------------
    def splice(self, start: int, end: int, text: str) -> None:
        self.splices.append((start, end, len(self.splices), text))

    def result(self) -> str:
        """The text with every planned splice applied (planned order kept at equal positions)."""
        text, last = self.text, None
        for start, end, _, new in sorted(self.splices, reverse=True):
            if last is not None and end > last:
                raise _Unsupported("two changes overlap")
            text = text[:start] + new + text[end:]
            last = start
        return text

    def render(self, value, *, flow: bool = False, style: str | None = None) -> str:
        return _render(value, flow=flow, style=None if self.safe else style, safe=self.safe)

    def replace_value(
        self,
        node,
        value,
        *,
        comment: str | None = None,
        drop_todo: bool = False,
        column: int | None = None,
        keep_quotes: bool = True,
    ) -> None:
        """Replace a value in place; the comment on its line keeps its column.

        ``comment``: None keeps it, '' removes it, text replaces it (or is added,
        at ``column`` if given). ``drop_todo``: a '# TODO rate' comment goes (the
        cell is rated now)."""
        from ruamel.yaml.nodes import ScalarNode

        start, end = node.start_mark.index, self.content_end(node)
        if isinstance(node, ScalarNode) and node.style in ("|", ">"):
            block = self.block_scalar(node, value) if isinstance(value, str) and not self.safe else None
            if block is None:  # a one-line value instead; the header's comment stays
                found = self.comment_after(start + 1)
                tail = self.text[found[0] : self.line_end(start)] if found else ""
                block = self.render(value) + tail
            self.splice(start, end, block)
            return
        if not isinstance(node, ScalarNode) and not node.flow_style:
            raise _Unsupported("replacing a nested block with a single value")
        new = self.render(value, flow=self.in_flow(node), style=getattr(node, "style", None) if keep_quotes else None)
        found = self.comment_after(end)
        if found is None:
            if not comment:
                self.splice(start, end, new)
                return
            used = start - self.line_start(start) + len(new)
            gap = column - used if column and column - used >= 1 else 2
            self.splice(start, end, new + " " * gap + comment)
            return
        gap, hash_ = found
        if comment is None and drop_todo and self.text[hash_ : self.line_end(hash_)].startswith(TODO):
            comment = ""
        middle = self.text[end:gap]
        if comment == "":
            self.splice(start, self.line_end(hash_), new + middle)
            return
        old_gap = hash_ - gap
        new_gap = old_gap - (len(new) - (end - start))
        if new_gap < 1:
            new_gap = min(old_gap, 2)
        if comment is None:
            self.splice(start, hash_, new + middle + " " * new_gap)
        else:
            self.splice(start, self.line_end(hash_), new + middle + " " * new_gap + comment)

    def line_end(self, i: int) -> int:
        """Index of the line break ending the line of ``i`` (not included)."""
        j = self.text.find("\n", i)
        j = len(self.text) if j < 0 else j
        return j - 1 if j > 0 and self.text[j - 1] == "\r" else j

    def in_flow(self, node) -> bool:
        """Whether ``node`` sits inside a flow collection ({...} or [...])."""

        def walk(n, inside):
            if n is node:
                return inside
            children = []
            if isinstance(n.value, list):
                for c in n.value:
                    children += list(c) if isinstance(c, tuple) else [c]
            for c in children:
                found = walk(c, inside or bool(getattr(n, "flow_style", False)))
                if found is not None:
                    return found
            return None

        return bool(walk(self.root, False))

    def block_scalar(self, node, value: str) -> str | None:
        """The new text (header and content lines) of a folded (>) or literal (|) scalar:
        same indentation, same comment on the header line, the chomping indicator set
        to fit the new value; None if no block would read back as ``value``."""
        import textwrap

        from .loader import parse_yaml

        start = node.start_mark.index
        lines = [ln.rstrip("\r") for ln in self.text[self.next_line(start) : self.content_end(node)].split("\n")]
        indent = min((len(ln) - len(ln.lstrip(" ")) for ln in lines if ln.strip()), default=None)
        body = value[:-1] if value.endswith("\n") else value
        if indent is None or not body.strip() or body != body.strip() or "\t" in body or body.endswith("\n"):
            return None
        found = self.comment_after(start + 1)
        head_end = found[0] if found else self.line_end(start)
        tail = self.text[head_end : self.line_end(start)]  # the gap and comment after the header, if any
        header = node.style + ("" if value.endswith("\n") else "-")
        pad = " " * indent
        if node.style == ">":
            if "\n" in body or "  " in body:
                return None
            width = max(max(len(ln) for ln in lines) - indent, 40)
            new = [pad + ln for ln in textwrap.wrap(body, width=width, break_long_words=False, break_on_hyphens=False)]
        else:
            new = [pad + ln if ln else "" for ln in body.split("\n")]
        probe = f"k: {header}\n" + "\n".join(new) + "\n"
        doc, problem = parse_yaml(probe, "<probe>")
        if problem or not isinstance(doc, dict) or doc.get("k") != value:
            return None
        return header + tail + self.nl + self.nl.join(new)

    def insert_lines(self, at: int, lines: list[str]) -> None:
        """Insert whole lines at a line start (``at`` may be the end of a file without a final newline)."""
        prefix = self.nl if at == len(self.text) and self.text and not self.text.endswith("\n") else ""
        self.splice(at, at, prefix + "".join(line + self.nl for line in lines))

    def insert_key(self, mapping, key: str, value, order) -> None:
        """Add ``key: value`` to a mapping after the last key that comes before it in ``order``."""
        if mapping.flow_style:
            self.insert_flow_pair(mapping, key, self.render(value, flow=True))
            return
        rank = {k: i for i, k in enumerate(order)}
        mine = rank.get(key, len(order))
        before = [(k, v) for k, v in mapping.value if rank.get(k.value, len(order)) < mine]
        column = mapping.value[0][0].start_mark.column
        line = " " * column + f"{key}: {self.render(value)}"
        if before:
            k, v = max(before, key=lambda p: p[0].start_mark.index)
            self.insert_lines(self.after(max(self.content_end(k) + 1, self.content_end(v)), column), [line])
        else:
            first = mapping.value[0][0]
            self.insert_lines(self.own_line(first.start_mark.index), [line])

    def insert_flow_pair(self, mapping, key: str, text: str, after_key: str | None = None) -> None:
        if not mapping.value:
            close = mapping.end_mark.index - 1
            self.splice(close, close, f"{key}: {text}")
            return
        pairs = mapping.value
        anchor = next((p for p in pairs if p[0].value == after_key), pairs[-1]) if after_key else pairs[-1]
        at = self.content_end(anchor[1])
        self.shift_comment(at, f", {key}: {text}")

    def shift_comment(self, at: int, insert: str) -> None:
        """Insert ``insert`` at ``at`` and narrow the gap before the line's comment to keep its column."""
        found = self.comment_after(at)
        if found is None:
            self.splice(at, at, insert)
            return
        gap, hash_ = found
        old_gap = hash_ - gap
        new_gap = old_gap - len(insert) if old_gap - len(insert) >= 1 else min(old_gap, 2)
        self.splice(at, hash_, insert + self.text[at:gap] + " " * new_gap)

    def insert_cell(self, cells, hid: str, rating, hyps: list[str], comment: str | None) -> None:
        """Add the cell of ``hid`` to a likelihood mapping, after the cells of the hypotheses before it."""
        rank = {h: i for i, h in enumerate(hyps)}
        mine = rank[hid]
        before = [(k, v) for k, v in cells.value if rank.get(k.value, -1) < mine and k.value in rank]
        if cells.flow_style:
            after_key = max(before, key=lambda p: p[0].start_mark.index)[0].value if before else None
            self.insert_flow_pair(cells, hid, self.render(rating, flow=True), after_key)
            if comment:
                key_line = self.line_start(cells.start_mark.index)
                owner = self.text[key_line : cells.start_mark.index]
                column = len(owner) - len(owner.lstrip(" "))
                text = comment if comment != TODO else f"{TODO} {hid}"
                self.insert_lines(key_line, [" " * column + text])
            return
        column = cells.value[0][0].start_mark.column
        body = " " * column + f"{hid}: {self.render(rating)}"
        if comment:
            at = self.comment_column(cells)
            body += " " * (at - len(body) if at and at - len(body) >= 1 else 2) + comment
        if before:
            k, v = max(before, key=lambda p: p[0].start_mark.index)
            self.insert_lines(self.after(self.content_end(v), column), [body])
        else:
            self.insert_lines(self.own_line(cells.value[0][0].start_mark.index), [body])

    def drop_todo_line(self, key_node, hid: str) -> None:
        """Remove the '# TODO rate HID' line written above a flow likelihood (the cell is rated now)."""
        start = self.line_start(key_node.start_mark.index)
        i = start
        while i > 0:
            prev = self.line_start(i - 1)
            line = self.text[prev:i].strip()
            if not line.startswith("#"):
                break
            if line == f"{TODO} {hid}":
                self.splice(prev, i, "")
                return
            i = prev

    def delete_pair(self, mapping, pair) -> None:
        k, v = pair
        if mapping.flow_style:
            pairs = mapping.value
            i = next(n for n, p in enumerate(pairs) if p[0] is k)
            if i + 1 < len(pairs):
                start, end = k.start_mark.index, pairs[i + 1][0].start_mark.index
            elif i > 0:
                start, end = self.content_end(pairs[i - 1][1]), self.content_end(v)
            else:
                start, end = k.start_mark.index, self.content_end(v)
            found = self.comment_after(end)
            if found is None:
                self.splice(start, end, "")
            else:
                gap, hash_ = found
                self.splice(start, end, "")
                self.splice(gap, hash_, " " * (hash_ - gap + end - start))
            return
        start = self.own_line(k.start_mark.index)
        end = self.after(max(self.content_end(k) + 1, self.content_end(v)), k.start_mark.column)
        self.splice(start, end, "")

    def delete_entry(self, entry) -> None:
        dash = self.dash(entry)
        start = self.own_line(dash)
        column = dash - start
        end = self.after(self.content_end(entry), column)
        if start > 0 and not self.text[self.line_start(start - 1) : start].strip() and end < len(self.text):
            following = self.text[end : self.next_line(end)]
            if not following.strip():
                end = self.next_line(end)  # blank line before and after: keep one
        self.splice(start, end, "")

    # -- new entries -------------------------------------------------------------
    def layout(self, seq) -> tuple[int, int, bool]:
        """(dash column, key offset after the dash, blank line between entries) of a block sequence."""
        entries = [n for n in seq.value if _is_map(n)]
        if not entries:
            raise _Unsupported("an empty list")
        last = entries[-1]
        dash = self.dash(last)
        column = dash - self.own_line(dash)
        offset = last.start_mark.column - column
        blank = False
        if len(entries) > 1:
            start = self.line_start(dash)
            blank = start > 0 and not self.text[self.line_start(start - 1) : start].strip()
        return column, offset, blank

    def nested_layout(self, kind: str) -> tuple[int, bool, int | None]:
        """(indent step of a likelihood block, whether likelihoods are written {...}, their comment column)."""
        step, flow, column = 2, False, None
        for _, entry in reversed(self.entries(kind)):
            pair = self.get(entry, "likelihood")
            if pair is None or not _is_map(pair[1]) or not pair[1].value:
                continue
            if pair[1].flow_style:
                return step, True, None
            step = pair[1].value[0][0].start_mark.column - pair[0].start_mark.column
            column = self.comment_column(pair[1])
            return step, False, column
        return step, flow, column

    def append_entry(self, kind: str, spec: dict, todo=()) -> None:
        """Append an entry to its list (creating the list if the case has none)."""
        from ruamel.yaml.nodes import ScalarNode, SequenceNode

        seq = self.section(SECTION[kind])
        self.expected.setdefault(SECTION[kind], [])
        if seq is None:
            self.expected[SECTION[kind]] = [spec]
            lines = ["", f"{SECTION[kind]}:", *self.entry_lines(kind, spec, 2, 2, todo)]
            top = self.root
            self.root_insert(top, SECTION[kind], lines)
            return
        if (isinstance(seq, SequenceNode) and seq.flow_style and not seq.value) or (
            isinstance(seq, ScalarNode) and seq.tag.endswith(":null")
        ):
            # `sources: []` or `sources:` with nothing: the first entry goes under the key, its comment kept
            self.expected[SECTION[kind]] = [copy.deepcopy(spec)]
            colon = self.text.index(":", self.content_end(self.get(self.root, SECTION[kind])[0]))
            if isinstance(seq, SequenceNode):
                self.splice(colon + 1, self.content_end(seq), "")
            self.insert_lines(self.next_line(colon), self.entry_lines(kind, spec, 2, 2, todo))
            return
        if not isinstance(seq, SequenceNode) or seq.flow_style:
            raise _Unsupported(f"'{SECTION[kind]}' is not a block list")
        if not isinstance(self.expected[SECTION[kind]], list):
            raise _Unsupported(f"'{SECTION[kind]}' is not a list")
        self.expected[SECTION[kind]].append(copy.deepcopy(spec))
        column, offset, blank = self.layout(seq)
        last = [n for n in seq.value if _is_map(n)][-1]
        at = self.after(self.content_end(last), column)
        self.insert_lines(at, ([""] if blank else []) + self.entry_lines(kind, spec, column, offset, todo))

    def root_insert(self, root, key: str, lines: list[str]) -> None:
        rank = {k: i for i, k in enumerate(ORDER["top"])}
        mine = rank[key]
        before = [(k, v) for k, v in root.value if rank.get(k.value, len(rank)) < mine]
        if before:
            k, v = max(before, key=lambda p: p[0].start_mark.index)
            self.insert_lines(self.after(max(self.content_end(k) + 1, self.content_end(v)), 0), lines)
        else:
            self.insert_lines(self.own_line(root.value[0][0].start_mark.index), lines[1:] + [""])

    def entry_lines(self, kind: str, spec: dict, column: int, offset: int, todo=()) -> list[str]:
        pad = " " * column
        inner = " " * (column + offset)
        out = []
        step, flow, comment_column = self.nested_layout(kind) if "likelihood" in spec else (2, False, None)
        for n, (key, value) in enumerate(spec.items()):
            lead = pad + "-" + " " * (offset - 1) if n == 0 else inner
            if key == "likelihood" and flow:
                out += [inner + f"{TODO} {h}" for h in todo]
                cells = ", ".join(f"{h}: {self.render(v, flow=True)}" for h, v in value.items())
                out.append(lead + f"likelihood: {{{cells}}}")
            elif isinstance(value, dict):
                out.append(lead + f"{key}:")
                for h, v in value.items():
                    body = inner + " " * step + f"{h}: {self.render(v)}"
                    if key == "likelihood" and h in todo:
                        gap = comment_column - len(body) if comment_column and comment_column - len(body) >= 1 else 2
                        body += " " * gap + TODO
                    out.append(body)
            else:
                out.append(lead + f"{key}: {self.render(value)}")
        return out


# -- rendering scalars -----------------------------------------------------------


def _render(value, *, flow: bool = False, style: str | None = None, safe: bool = False) -> str:
    """A value as YAML text that reads back as exactly ``value`` (checked)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        for text in (repr(value), f"{value:.17f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)):
            if _reads_as(text, value, flow):
                return text
        raise _Unsupported(f"cannot write the number {value!r}")
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
    raise _Unsupported(f"cannot write the text {text!r}")


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
    from .loader import parse_yaml

    probe = f"k: {{v: {text}}}\n" if flow else f"k: {text}\n"
    doc, problem = parse_yaml(probe, "<probe>")
    if problem or not isinstance(doc, dict):
        return False
    got = doc.get("k")
    got = got.get("v") if flow and isinstance(got, dict) else got
    return _differs(got, value, "v") is None


# -- files ---------------------------------------------------------------------------


def _read(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise EditError(
            [Diagnostic("error", "no such file", str(path), hint="check the path, or create it with `ach new`")]
        ) from None
    except IsADirectoryError:
        raise EditError([Diagnostic("error", "is a folder, not a case file", str(path))]) from None
    except OSError as exc:
        raise EditError([Diagnostic("error", f"cannot read: {exc.strerror or exc}", str(path))]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise EditError(
            [Diagnostic("error", "not UTF-8 text", str(path), line, hint="save the file as UTF-8")]
        ) from None


def _errors(diagnostics) -> Counter:
    return Counter((d.message, d.field) for d in diagnostics if d.level == "error")


def _map_lines(before: str, after: str):
    """new line number (1-based) -> line number in ``before`` (the edit's place for new lines)."""
    old, new = before.splitlines(True), after.splitlines(True)
    mapping = {}
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        for j in range(j1, j2):
            mapping[j + 1] = (i1 + (j - j1) + 1) if tag == "equal" else min(i1 + 1, max(len(old), 1))
    return mapping


def apply(path: str | Path, edit, *, write: bool = True) -> Edit:
    """Read the case file at ``path``, run ``edit(CaseText)`` on it, refuse the result if
    it has errors the file did not have, and write it atomically (unless ``write`` is False)."""
    from .loader import check_text

    path = Path(path)
    before = _read(path)
    old_case, old_diags = check_text(before.encode("utf-8"), str(path))
    doc = CaseText(before, str(path))
    edit(doc)
    after = doc.full_text
    new_case, new_diags = check_text(after.encode("utf-8"), str(path))
    fresh = _errors(new_diags) - _errors(old_diags)
    if fresh:
        lines = _map_lines(before, after)
        problems = []
        for d in new_diags:
            if d.level == "error" and fresh[(d.message, d.field)] > 0:
                fresh[(d.message, d.field)] -= 1
                line = lines.get(d.line) if d.line else None
                problems.append(Diagnostic("error", d.message, d.file, line, d.field, d.hint))
        raise EditError(problems)
    old_warnings = Counter((d.message, d.field) for d in old_diags if d.level == "warning")
    warnings = []
    for d in new_diags:
        if d.level == "warning":
            if old_warnings[(d.message, d.field)] > 0:
                old_warnings[(d.message, d.field)] -= 1
            else:
                warnings.append(d)
    result = Edit(path, before, after, doc.changes, doc.todo, warnings, old_case, new_case)
    if write and after != before:
        _write_keeping_mode(path, after)
        result.written = True
    return result


def _write_keeping_mode(path: Path, text: str) -> None:
    from .files import write_atomic

    target = path.resolve()  # edit the file a symbolic link points to, not the link
    mode = target.stat().st_mode & 0o7777
    write_atomic(target, text)
    if target.stat().st_mode & 0o7777 != mode:
        os.chmod(target, mode)


# -- the library functions behind the commands --------------------------------------


def rate(
    path, item: str, hypothesis: str, rating, *, why: str | None = None, kind: str | None = None, write: bool = True
) -> Edit:
    """``ach rate``: set one cell of the matrix, e.g. ``rate("k1.yaml", "E07", "KH", "likely")``."""
    return apply(path, lambda doc: doc.rate(item, hypothesis, rating, why=why, kind=kind), write=write)


def set_fields(path, ident: str, *, kind: str | None = None, unset=(), write: bool = True, **fields) -> Edit:
    """``ach set``: change fields of a hypothesis, source, item or candidate."""
    return apply(path, lambda doc: doc.set(ident, kind=kind, unset=unset, **fields), write=write)


def remove(path, ident: str, *, kind: str | None = None, write: bool = True) -> Edit:
    """``ach rm``: remove an item, a candidate, an unused source or a hypothesis."""
    return apply(path, lambda doc: doc.remove(ident, kind=kind), write=write)


def add_hypothesis(path, id: str, title: str, *, write: bool = True, **options) -> Edit:  # noqa: A002
    return apply(path, lambda doc: doc.add_hypothesis(id, title, **options), write=write)


def add_source(path, id: str, reliability, *, write: bool = True, **options) -> Edit:  # noqa: A002
    return apply(path, lambda doc: doc.add_source(id, reliability, **options), write=write)


def add_evidence(path, text: str, ratings: dict, *, write: bool = True, **options) -> Edit:
    return apply(path, lambda doc: doc.add_evidence(text, ratings, **options), write=write)


# -- ach new -------------------------------------------------------------------------------


def scaffold(
    question: str,
    hypotheses: list[tuple[str, str]],
    *,
    title: str | None = None,
    catch_all: str | None = None,
    analyst: str | None = None,
    date: str | None = None,
    schema: str = "../ach/schema/case.schema.json",
) -> str:
    """The text of a new, commented case file."""
    if not hypotheses:
        hypotheses = [("H1", "TODO: the first hypothesis"), ("H2", "TODO: the second hypothesis")]
    date = date or dt.date.today().isoformat()
    c = 39  # comment column

    def line(text: str, comment: str = "") -> str:
        return text if not comment else text + " " * max(c - len(text), 2) + "# " + comment

    def r(v) -> str:
        return _render(v)

    out = [
        f"# yaml-language-server: $schema={schema}",
        "#",
        f"# {title or question}",
        "#",
        "# Made by `ach new`. Replace every TODO, then check the file with `ach validate`.",
        "# The format: docs/FORMAT.md. The commands `ach add`, `ach rate`, `ach set` and",
        "# `ach rm` edit this file in place and keep its comments (docs/EDITING.md).",
        "",
    ]
    if title:
        out.append(f"title: {r(title)}")
    out.append(f"question: {r(question)}")
    if analyst:
        out.append(f"analyst: {r(analyst)}")
    out += [line(f"date: {date}", "the date the analysis speaks for (YYYY-MM-DD)"), ""]
    out.append(line("hypotheses:", "mutually exclusive, together exhaustive"))
    for hid, htitle in hypotheses:
        out += [f"  - id: {r(hid)}", f"    title: {r(htitle)}"]
        if hid == catch_all:
            out.append(line("    catch_all: true", "stands for everything not listed"))
    if catch_all is None:
        out.append("  # mark one hypothesis `catch_all: true`: the one that stands for everything else")
    out += [
        "",
        line("sources:", "who reported; the items of one source stand or fall together"),
        "  - id: source-1",
        "    title: TODO who reported it",
        line("    reliability: F", "TODO: a number in [0,1], low/medium/high, or Admiralty A-F"),
        "",
        "evidence:",
        "  - id: E1",
        "    text: TODO what was observed or reported, one fact per item",
        line("    source: source-1", "omit it and the item is its own source (reliability 1)"),
        line("    likelihood:", "P(this item | hypothesis, item genuine), one per hypothesis"),
    ]
    for hid, _ in hypotheses:
        out.append(line(f"      {r(hid)}: NA", "TODO rate: an ICD 203 term (likely), a number, or CC C N I II NA"))
    out += [
        line("    credibility: medium", "P(item genuine | source reliable): number, low/medium/high, Admiralty 1-6"),
        line("    confidence: medium", "how sure you are of the likelihoods: low/medium/high"),
    ]
    return "\n".join(out) + "\n"


def new_case(path, question: str, hypotheses: list[tuple[str, str]], *, write: bool = True, **options) -> Edit:
    """``ach new``: write a commented scaffold; refuse to overwrite a file."""
    from .loader import check_text

    path = Path(path)
    if path.exists() or path.is_symlink():
        raise EditError(
            [
                Diagnostic(
                    "error",
                    "the file exists already; nothing was written",
                    str(path),
                    hint="choose another name (ach new never overwrites a file)",
                )
            ]
        )
    text = scaffold(question, hypotheses, schema=_schema_reference(path), **options)
    case, diagnostics = check_text(text.encode("utf-8"), str(path))
    errors = [d for d in diagnostics if d.level == "error"]
    if errors:
        raise EditError(errors)
    result = Edit(
        path,
        "",
        text,
        [f"new case with {len(hypotheses) or 2} hypotheses and one example item"],
        ["replace every TODO (grep TODO), then run ach validate"],
        [d for d in diagnostics if d.level == "warning"],
        None,
        case,
    )
    if write:
        _create(path, text)
        result.written = True
    return result


def _schema_reference(path: Path) -> str:
    from importlib import resources

    try:
        schema = Path(str(resources.files("ach").joinpath("schema/case.schema.json")))
        return Path(os.path.relpath(schema, path.resolve().parent)).as_posix()
    except (ValueError, OSError, TypeError):
        from .formats.casefile import SCHEMA_LINE

        return SCHEMA_LINE.split("=", 1)[1]


def _create(path: Path, text: str) -> None:
    """Write a new file atomically, never replacing one that appeared meanwhile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
        mask = os.umask(0o022)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        try:
            os.link(tmp, path)  # fails if the file exists: no overwrite, even in a race
        except FileExistsError:
            raise EditError([Diagnostic("error", "the file exists already; nothing was written", str(path))]) from None
        except OSError:  # no hard links here (some network and FAT file systems)
            if path.exists():
                raise EditError(
                    [Diagnostic("error", "the file exists already; nothing was written", str(path))]
                ) from None
            os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
