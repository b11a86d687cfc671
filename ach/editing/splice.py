"""A text splicer for YAML: change a composed document without re-dumping it.

ruamel.yaml *composes* the text (nodes with exact character positions), and
every change is a splice of the text at those positions: a value replaced
(keeping the comment on its line at its column), a key inserted after the
keys that precede it in a given order, a line or an entry deleted with the
comment lines that belong to it. Every line a change does not touch stays the
very same string. Nothing here knows what a case is: :mod:`ach.editing.document`
adds the case's vocabulary. (pre-commit's ``yaml_rewrite`` is the same idea.)
"""

from __future__ import annotations

from collections import Counter

from ..casefile.yaml import Unwritable, comment_after, content_end, parse_yaml, render

__all__ = ["Splicer", "Unsupported", "is_mapping"]


class Unsupported(Exception):
    """A layout the splicer will not touch (it would have to guess)."""


def is_mapping(node) -> bool:
    return getattr(node, "id", None) == "mapping"  # ruamel's nodes and libyaml's alike


def is_sequence(node) -> bool:
    return getattr(node, "id", None) == "sequence"


def is_scalar(node) -> bool:
    return getattr(node, "id", None) == "scalar"


class Splicer:
    """One composed parse of ``text`` and the splices planned on it.

    ``safe``: write every new string double-quoted (the fallback when a
    prettier rendering does not read back as intended).
    """

    def __init__(self, text: str, safe: bool = False, root=None):
        """``root``: ``text`` composed already (by libyaml: the same nodes and marks), else ruamel composes it."""
        from ruamel.yaml import YAML

        self.text, self.safe = text, safe
        self.nl = "\r\n" if "\r\n" in text else "\n"
        self.root = root if root is not None else YAML(typ="rt").compose(text)
        self.splices: list[tuple[int, int, int, str]] = []

    def get(self, mapping, key: str):
        """(key node, value node) of ``key`` in a mapping node, or None."""
        for k, v in mapping.value:
            if getattr(k, "value", None) == key:
                return k, v
        return None

    def line_start(self, i: int) -> int:
        return self.text.rfind("\n", 0, i) + 1

    def next_line(self, i: int) -> int:
        j = self.text.find("\n", i)
        return len(self.text) if j < 0 else j + 1

    def content_end(self, node) -> int:
        """Index just after the last character that belongs to ``node``."""
        return content_end(self.text, node)

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
            raise Unsupported(f"line {self.text.count(chr(10), 0, index) + 1} holds more than the part to change")
        return start

    def dash(self, entry) -> int:
        """Index of the '-' that starts a block-sequence entry."""
        j = entry.start_mark.index - 1
        while j >= 0 and self.text[j] in " \t\r\n":
            j -= 1
        if j < 0 or self.text[j] != "-":
            raise Unsupported("a list written in flow style ([...])")
        return j

    def comment_after(self, index: int) -> tuple[int, int] | None:
        """(start of the gap before '#', index of '#') of the comment on the line of ``index``."""
        return comment_after(self.text, index)

    def comment_column(self, mapping) -> int | None:
        """The column most comments of a block mapping's lines start at, if any."""
        columns = []
        for k, v in mapping.value:
            found = self.comment_after(self.content_end(v))
            if found and self.line_start(found[1]) == self.line_start(k.start_mark.index):
                columns.append(found[1] - self.line_start(found[1]))
        return Counter(columns).most_common(1)[0][0] if columns else None

    def splice(self, start: int, end: int, text: str) -> None:
        self.splices.append((start, end, len(self.splices), text))

    def result(self) -> str:
        """The text with every planned splice applied (planned order kept at equal positions)."""
        text, last = self.text, None
        for start, end, _, new in sorted(self.splices, reverse=True):
            if last is not None and end > last:
                raise Unsupported("two changes overlap")
            text = text[:start] + new + text[end:]
            last = start
        return text

    def render(self, value, *, flow: bool = False, style: str | None = None) -> str:
        try:
            return render(value, flow=flow, style=None if self.safe else style, safe=self.safe)
        except Unwritable as exc:
            raise Unsupported(str(exc)) from None

    def replace_value(
        self,
        node,
        value,
        *,
        comment: str | None = None,
        drop_comment: str | None = None,
        column: int | None = None,
        keep_quotes: bool = True,
    ) -> None:
        """Replace a value in place; the comment on its line keeps its column.

        ``comment``: None keeps it, '' removes it, text replaces it (or is added,
        at ``column`` if given). ``drop_comment``: a comment that starts with this
        text goes (e.g. a to-do marker the new value settles)."""
        start, end = node.start_mark.index, self.content_end(node)
        if is_scalar(node) and node.style in ("|", ">"):
            block = self.block_scalar(node, value) if isinstance(value, str) and not self.safe else None
            if block is None:  # a one-line value instead; the header's comment stays
                found = self.comment_after(start + 1)
                tail = self.text[found[0] : self.line_end(start)] if found else ""
                block = self.render(value) + tail
            self.splice(start, end, block)
            return
        if not is_scalar(node) and not node.flow_style:
            raise Unsupported("replacing a nested block with a single value")
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
        if comment is None and drop_comment and self.text[hash_ : self.line_end(hash_)].startswith(drop_comment):
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

    def insert_key(self, mapping, key: str, value, order, comment: str = "") -> None:
        """Add ``key: value`` (and ``# comment``) to a mapping after the last key that comes before it in ``order``."""
        if mapping.flow_style:
            self.insert_flow_pair(mapping, key, self.render(value, flow=True))
            return
        rank = {k: i for i, k in enumerate(order)}
        mine = rank.get(key, len(order))
        before = [(k, v) for k, v in mapping.value if rank.get(k.value, len(order)) < mine]
        column = mapping.value[0][0].start_mark.column
        line = " " * column + f"{key}: {self.render(value)}" + (f"  # {comment}" if comment else "")
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
        """Remove a block-sequence entry: its own lines, and nothing else but one blank line
        when blank lines stood both above and below it (the one above, which set it apart
        and which :meth:`layout` makes an added entry write, so adding and removing undo
        each other); the blank line below belongs to what follows (a group's comment)."""
        dash = self.dash(entry)
        start = self.own_line(dash)
        end = self.after(self.content_end(entry), dash - start)
        if self._blank_above(start) and (end >= len(self.text) or not self.text[end : self.next_line(end)].strip()):
            start = self.line_start(start - 1)
        self.splice(start, end, "")

    def _blank_above(self, start: int) -> bool:
        return start > 0 and not self.text[self.line_start(start - 1) : start].strip()

    def layout(self, seq) -> tuple[int, int, bool]:
        """(dash column, key offset after the dash, blank line between entries) of a block sequence."""
        entries = [n for n in seq.value if is_mapping(n)]
        if not entries:
            raise Unsupported("an empty list")
        last = entries[-1]
        dash = self.dash(last)
        column = dash - self.own_line(dash)
        offset = last.start_mark.column - column
        blank = len(entries) > 1 and self._blank_above(self.line_start(dash))
        return column, offset, blank

    def root_insert(self, root, key: str, lines: list[str], order) -> None:
        """Insert top-level ``lines`` (starting with a blank one) for ``key`` after the last key before it in ``order``."""
        rank = {k: i for i, k in enumerate(order)}
        mine = rank[key]
        before = [(k, v) for k, v in root.value if rank.get(k.value, len(rank)) < mine]
        if before:
            k, v = max(before, key=lambda p: p[0].start_mark.index)
            self.insert_lines(self.after(max(self.content_end(k) + 1, self.content_end(v)), 0), lines)
        else:
            self.insert_lines(self.own_line(root.value[0][0].start_mark.index), lines[1:] + [""])
