"""The comments of a case file, each tied to the field it stands by.

An analyst's comments are the reasons for the ratings ("one anonymous
official; intercepts never described"), and a spreadsheet has no place for
YAML comments. :func:`remarks` lists every comment with the field it belongs
to: one at the end of a field's line is that field's (``end``); whole comment
lines belong to the field or entry below them (``above``). Export writes them
to a Rationales sheet; import hangs them back on the same fields with
:func:`attach`, through ruamel's own commented containers, so the new file
reads like the old one. The opening comment block travels separately (the
Case sheet's ``comment``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .yaml import comment_after, content_end

__all__ = ["SHEETS", "Remark", "attach", "remarks"]

SHEETS = {
    "hypotheses": "Hypotheses",
    "sources": "Sources",
    "evidence": "Evidence",
    "collection": "Collection",
    "reports": "Reports",
}
PLACES = ("end", "above")


@dataclass(frozen=True)
class Remark:
    sheet: str  # Case, Hypotheses, Sources, Evidence or Collection
    id: str  # the entry's id ('' on the Case sheet)
    field: str  # 'credibility', 'likelihood.KH', 'scale.ratings.CC'; '' for the entry itself
    place: str  # 'end': at the end of the field's line; 'above': whole lines above it
    text: str  # without '# '; several lines joined by '\n' ('' for a blank line between them)


@dataclass
class _Anchor:
    sheet: str
    id: str
    field: str
    line: int  # 0-based line of the key (or of the entry's first key)
    eol: int | None  # where its end-of-line comment is looked for; None for an entry


def remarks(text: str) -> tuple[list[Remark], list[int]]:
    """Every comment of ``text`` tied to its field, and the 1-based lines of comments that
    could not be tied to one (inside a one-line list, after the last field, ...)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    try:
        root = YAML(typ="rt").compose(text)
    except Exception:  # noqa: BLE001 - a file the loader refused has no fields to tie comments to
        return [], []
    if not isinstance(root, MappingNode) or not root.value:
        return [], []
    anchors: list[_Anchor] = []
    inside_blocks: set[int] = set()  # lines of block scalars (| >), where '#' is text

    def eol_index(key, value) -> int:
        """Where a comment at the end of the field's line can start: after the value, or
        after the colon when the value opens on the lines below (a block or a | > text)."""
        block = isinstance(value, (MappingNode, SequenceNode)) and not value.flow_style and value.value
        block = block or (isinstance(value, ScalarNode) and value.style in ("|", ">"))
        return key.end_mark.index + 1 if block else content_end(text, value)

    def walk(mapping, sheet: str, ident: str, prefix: str) -> None:
        for key, value in mapping.value:
            if not isinstance(key, ScalarNode):
                continue
            name = f"{prefix}{key.value}"
            anchors.append(_Anchor(sheet, ident, name, key.start_mark.line, eol_index(key, value)))
            if isinstance(value, ScalarNode) and value.style in ("|", ">"):
                last = text.count("\n", 0, content_end(text, value))  # not its trailing blank lines
                inside_blocks.update(range(value.start_mark.line + 1, last + 1))
            if isinstance(value, MappingNode) and not (sheet == "Case" and not prefix and name in SHEETS):
                walk(value, sheet, ident, f"{name}.")

    for key, value in root.value:
        name = getattr(key, "value", None)
        if name in SHEETS and isinstance(value, SequenceNode):
            anchors.append(_Anchor("Case", "", name, key.start_mark.line, eol_index(key, value)))
            for entry in value.value:
                ident = _entry_id(entry)
                if ident is None:
                    continue
                anchors.append(_Anchor(SHEETS[name], ident, "", entry.start_mark.line, None))
                walk(entry, SHEETS[name], ident, "")
        elif isinstance(key, ScalarNode):
            walk(MappingNode(root.tag, [(key, value)]), "Case", "", "")

    lines = text.splitlines(True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    header_end = root.value[0][0].start_mark.line  # the opening comment block travels as the Case comment
    ends: dict[int, tuple[_Anchor, int]] = {}  # line -> (anchor, index of '#') of an end-of-line comment
    for a in anchors:
        if a.eol is None:
            continue
        found = comment_after(text, a.eol)
        if found is not None:  # an entry's fields come after it, a mapping's cells after the mapping:
            ends.setdefault(text.count("\n", 0, found[1]), (a, found[1]))  # the outermost on a line wins
    out: list[Remark] = []
    above: dict[int, list[str]] = {}  # anchor index -> its comment lines above it
    last_line: dict[int, int] = {}
    untied: list[int] = []
    order = sorted(range(len(anchors)), key=lambda i: (anchors[i].line, i))
    for n, line in enumerate(lines):
        if n < header_end or n in inside_blocks:
            continue
        body = line.strip()
        if body.startswith("#"):
            target = next((i for i in order if anchors[i].line > n), None)
            if target is None:
                untied.append(n + 1)
                continue
            group = above.setdefault(target, [])
            if group and last_line[target] < n - 1:
                group.append("")  # a blank line between two comment lines above one field
            group.append(_body(body))
            last_line[target] = n
        elif n in ends:
            a, hash_ = ends[n]
            out.append(Remark(a.sheet, a.id, a.field, "end", _body(text[hash_ : starts[n] + len(line.rstrip())])))
        elif comment_after(text, starts[n]) is not None:
            untied.append(n + 1)
    for i, group in above.items():
        a = anchors[i]
        out.append(Remark(a.sheet, a.id, a.field, "above", "\n".join(group)))
    return out, untied


def attach(data: dict, notes: list[tuple[Remark, object]]) -> tuple[dict, list[tuple[Remark, object]]]:
    """``data`` as ruamel commented containers carrying the ``(remark, where)`` notes, and
    the notes that name a field or entry the data does not have (to say they were not kept)."""
    from ruamel.yaml.comments import CommentedMap

    if not notes:
        return data, []
    doc = _commented(data)
    unplaced = []
    for note, tag in notes:
        where = _place(doc, note)
        if where is None or note.place not in PLACES:
            unplaced.append((note, tag))
            continue
        container, key, indent = where
        if note.place == "end" and isinstance(container, CommentedMap):
            container.yaml_add_eol_comment("# " + note.text.replace("\n", " "), key, column=_column(container, indent))
        elif note.place == "above":
            lead = "\n" if container is doc and key in SHEETS and list(doc).index(key) > 0 else ""
            container.yaml_set_comment_before_after_key(key, before=lead + note.text, indent=indent)
        else:  # the end of an entry's line is its id's
            container[key].yaml_add_eol_comment("# " + note.text.replace("\n", " "), "id")
    return doc, unplaced


def _place(doc, note: Remark):
    """(container, key, indent) of the comment's field, or None if the data has no such place."""
    if note.sheet == "Case":
        container, path, indent = doc, note.field.split("."), 0
    else:
        section = next((k for k, v in SHEETS.items() if v == note.sheet), None)
        entries = doc.get(section) if section else None
        if not isinstance(entries, list):
            return None
        index = next((i for i, e in enumerate(entries) if isinstance(e, dict) and str(e.get("id")) == note.id), None)
        if index is None:
            return None
        if not note.field:
            return entries, index, 2
        container, path, indent = entries[index], note.field.split("."), 4
    for step in path[:-1]:
        container = container.get(step) if isinstance(container, dict) else None
        indent += 2
    if not isinstance(container, dict) or path[-1] not in container:
        return None
    return container, path[-1], indent


def _column(mapping: dict, indent: int) -> int:
    """Where the end-of-line comments of a mapping start: two spaces after its longest short line."""
    widths = [len(f"{k}: {v}") for k, v in mapping.items() if not isinstance(v, (dict, list)) and len(str(v)) <= 30]
    return indent + max(widths, default=0) + 2


def _commented(node):
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, dict):
        return CommentedMap((k, _commented(v)) for k, v in node.items())
    if isinstance(node, list):
        return CommentedSeq(_commented(v) for v in node)
    return node


def _entry_id(entry) -> str | None:
    from ruamel.yaml.nodes import MappingNode, ScalarNode

    if not isinstance(entry, MappingNode):
        return None
    for key, value in entry.value:
        if getattr(key, "value", None) == "id" and isinstance(value, ScalarNode):
            return value.value
    return None


def _body(comment: str) -> str:
    """'# text' -> 'text'."""
    body = comment.strip()[1:]
    return (body[1:] if body.startswith(" ") else body).rstrip()
