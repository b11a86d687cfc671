"""A case file as text to edit: the splicer plus the case's vocabulary.

:class:`CaseDocument` knows the sections (hypotheses, sources, evidence,
collection), finds an entry by id and kind, refuses an edit with a located
message, lays out a new entry like the ones already there, and keeps
``expected``: the data the edited text must read back as. The field names,
their order and the id pattern come from :mod:`ach.casefile.fields`.
"""

from __future__ import annotations

import copy
import re

from ..casefile.fields import KINDS, top_order, valid_id
from ..casefile.values import id_hint
from ..casefile.yaml import fast_compose, parse_yaml, plain_data
from ..errors import Diagnostic, EditError, suggest
from ..scales import NA, RATINGS
from .splice import Splicer, Unsupported, is_mapping, is_scalar, is_sequence

__all__ = ["CODES", "TODO", "TODO_IF_FALSE", "CaseDocument"]

CODES = {*RATINGS, NA}  # classic ratings: a quoted "N" stays quoted when re-rated "C"
TODO = "# TODO rate"  # the comment on a cell an edit had to fill in (NA) and the analyst must rate
TODO_IF_FALSE = "# TODO if_false"  # ... on an if_false an edit had to fill in


class CaseDocument(Splicer):
    """One parse of a case file's text, the splices planned on it, and the data they should produce."""

    def __init__(self, text: str, name: str, safe: bool = False):
        fast = fast_compose(text)  # the nodes and values ruamel would give (tests/test_fast_yaml.py), ten times sooner
        doc, problem = (fast[1], None) if fast is not None else parse_yaml(text, name)
        if problem:
            raise EditError([problem])
        if not isinstance(doc, dict):
            raise EditError(
                [Diagnostic("error", "not a case file (the file is not a mapping)", name, 1, code="not-a-mapping")]
            )
        super().__init__(text, safe, root=fast[0] if fast is not None else None)
        self.name = name
        self.data = plain_data(doc)
        self.expected = copy.deepcopy(self.data)

    def section(self, name: str):
        pair = self.get(self.root, name)
        return None if pair is None else pair[1]

    def entries(self, kind: str) -> list[tuple[int, object]]:
        seq = self.section(KINDS[kind].section)
        if not is_sequence(seq):
            return []
        return [(i, n) for i, n in enumerate(seq.value) if is_mapping(n)]

    def entry_id(self, entry) -> str | None:
        pair = self.get(entry, "id")
        return None if pair is None else pair[1].value

    def ids(self, kind: str) -> list[str]:
        return [i for _, n in self.entries(kind) if (i := self.entry_id(n)) is not None]

    def hypothesis_ids(self) -> list[str]:
        return self.ids("hypothesis")

    def expect_entry(self, kind: str, index: int) -> dict:
        return self.expected[KINDS[kind].section][index]

    def find(self, kind: str, ident: str):
        for i, node in self.entries(kind):
            if self.entry_id(node) == ident:
                return i, node
        raise self.not_found(ident, (kind,))

    def line(self, node) -> int | None:
        return None if node is None else node.start_mark.line + 1

    def refuse(self, message: str, node=None, field_: str = "", hint: str = "", code: str = "refused") -> EditError:
        return EditError([Diagnostic("error", message, self.name, self.line(node), field_, hint, code=code)])

    def not_found(self, ident: str, kinds) -> EditError:
        known = [i for k in kinds for i in self.ids(k)]
        what = " or ".join(KINDS[k].noun for k in kinds)
        node = self.section(KINDS[kinds[0].section]) if len(kinds) == 1 else None
        return self.refuse(
            f"no {what} '{ident}' in the case",
            node,
            KINDS[kinds[0].section] if len(kinds) == 1 else "",
            suggest(ident, known) or (f"the ids are {', '.join(known)}" if known else ""),
        )

    def resolve(self, ident: str, kind: str | None, allowed, fields=()) -> str:
        """Which kind of entry ``ident`` names: the one given, else the only one that has
        that id (and takes ``fields``); refuse when that is ambiguous."""
        if kind is not None:
            if kind not in allowed:
                raise self.refuse(
                    f"this command does not apply to {(KINDS[kind].a_noun if kind in KINDS else kind)}",
                    hint=f"use one of: {', '.join(allowed)}",
                )
            self.find(kind, ident)
            return kind
        having = [k for k in allowed if ident in self.ids(k)]
        if not having:
            raise self.not_found(ident, tuple(allowed))
        fitting = [k for k in having if all(f in KINDS[k].settable for f in fields)] if fields else having
        if len(fitting) == 1:
            return fitting[0]
        if not fitting:
            k = having[0]
            raise self.refuse(
                f"'{ident}' is {KINDS[k].a_noun}, which has no {', '.join(f for f in fields if f not in KINDS[k].settable)}",
                self.find(k, ident)[1],
                f"{KINDS[k].section} {ident}",
                f"{KINDS[k].a_noun} takes: {', '.join(KINDS[k].settable)}",
            )
        raise self.refuse(
            f"'{ident}' names {' and '.join(KINDS[k].a_noun for k in fitting)}",
            None,
            ident,
            f"say which with --kind {'/'.join(fitting)}",
        )

    def check_new_id(self, kind: str, ident: str) -> None:
        if ident in self.ids(kind):
            raise self.refuse(
                f"there is already {KINDS[kind].a_noun} '{ident}'",
                self.find(kind, ident)[1],
                f"{KINDS[kind].section} {ident}",
                "choose another id",
            )
        if not valid_id(ident):
            raise self.refuse(
                f"'{ident}' is not a valid id",
                self.section(KINDS[kind].section),
                KINDS[kind].section,
                "use letters, digits, '_', '.', '-', starting with a letter or digit",
            )

    def check_source(self, source: str, node, field_: str) -> None:
        """Editing commands are stricter than the loader: a source must be listed."""
        listed = self.ids("source")
        if source not in listed:
            raise self.refuse(
                f"source '{source}' is not listed under sources",
                node,
                field_,
                suggest(source, listed) or f"add it first: ach add source CASE --id {source} --reliability ...",
            )

    def known_hypotheses(self, named) -> list[str]:
        """The case's hypothesis ids, refusing an edit that names one it does not have."""
        hyps = self.hypothesis_ids()
        unknown = [h for h in named if h not in hyps]
        if unknown:
            raise self.refuse(
                f"'{unknown[0]}' is not a hypothesis",
                self.section("hypotheses"),
                "hypotheses",
                id_hint(unknown[0], hyps),
            )
        return hyps

    def next_id(self, kind: str) -> str:
        """E32 after E31 (keeping zero padding: E07 -> E08), else E<n+1> (C<n+1> for candidates)."""
        ids = self.ids(kind)
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
        letter = "C" if kind == "candidate" else "E"
        n = len(ids) + 1
        while f"{letter}{n}" in ids:
            n += 1
        return f"{letter}{n}"

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
                text = f"{comment} {hid}" if comment in (TODO, TODO_IF_FALSE) else comment
                self.insert_lines(key_line, [" " * column + text])
            return
        column = cells.value[0][0].start_mark.column
        body = " " * column + f"{hid}: {self.render(rating)}"
        if comment:
            at = self.comment_column(cells)
            body += " " * (at - len(body) if at and at - len(body) >= 1 else 2) + comment
        if before:
            _, v = max(before, key=lambda p: p[0].start_mark.index)
            self.insert_lines(self.after(self.content_end(v), column), [body])
        else:
            self.insert_lines(self.own_line(cells.value[0][0].start_mark.index), [body])

    def drop_todo_line(self, key_node, hid: str, marker: str = TODO) -> None:
        """Remove the '# TODO rate HID' line (or another marker's) written above a flow mapping (the cell is settled)."""
        start = self.line_start(key_node.start_mark.index)
        i = start
        while i > 0:
            prev = self.line_start(i - 1)
            line = self.text[prev:i].strip()
            if not line.startswith("#"):
                break
            if line == f"{marker} {hid}":
                self.splice(prev, i, "")
                return
            i = prev

    def nested_layout(self, kind: str) -> tuple[int, bool, int | None]:
        """(indent step of a likelihood block, whether likelihoods are written {...}, their comment column)."""
        step, flow, column = 2, False, None
        for _, entry in reversed(self.entries(kind)):
            pair = self.get(entry, "likelihood")
            if pair is None or not is_mapping(pair[1]) or not pair[1].value:
                continue
            if pair[1].flow_style:
                return step, True, None
            step = pair[1].value[0][0].start_mark.column - pair[0].start_mark.column
            column = self.comment_column(pair[1])
            return step, False, column
        return step, flow, column

    def append_entry(self, kind: str, spec: dict, todo=()) -> None:
        """Append an entry to its list (creating the list if the case has none)."""
        seq = self.section(KINDS[kind].section)
        self.expected.setdefault(KINDS[kind].section, [])
        if seq is None:
            self.expected[KINDS[kind].section] = [spec]
            lines = ["", f"{KINDS[kind].section}:", *self.entry_lines(kind, spec, 2, 2, todo)]
            top = self.root
            self.root_insert(top, KINDS[kind].section, lines, top_order())
            return
        if (is_sequence(seq) and seq.flow_style and not seq.value) or (is_scalar(seq) and seq.tag.endswith(":null")):
            # `sources: []` or `sources:` with nothing: the first entry goes under the key, its comment kept
            self.expected[KINDS[kind].section] = [copy.deepcopy(spec)]
            colon = self.text.index(":", self.content_end(self.get(self.root, KINDS[kind].section)[0]))
            if is_sequence(seq):
                self.splice(colon + 1, self.content_end(seq), "")
            self.insert_lines(self.next_line(colon), self.entry_lines(kind, spec, 2, 2, todo))
            return
        if not is_sequence(seq) or seq.flow_style:
            raise Unsupported(f"'{KINDS[kind].section}' is not a block list")
        if not isinstance(self.expected[KINDS[kind].section], list):
            raise Unsupported(f"'{KINDS[kind].section}' is not a list")
        self.expected[KINDS[kind].section].append(copy.deepcopy(spec))
        column, offset, blank = self.layout(seq)
        last = [n for n in seq.value if is_mapping(n)][-1]
        at = self.after(self.content_end(last), column)
        self.insert_lines(at, ([""] if blank else []) + self.entry_lines(kind, spec, column, offset, todo))

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
