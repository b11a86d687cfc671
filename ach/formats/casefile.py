"""Writing a case file from a plain dict: checked first, written atomically, commented."""

from __future__ import annotations

import io
from pathlib import Path

from ..diagnostics import CaseError, Diagnostic
from ..files import write_atomic

SCHEMA_LINE = "# yaml-language-server: $schema=../ach/schema/case.schema.json"


def dump_case(data: dict, header: str = "") -> str:
    """YAML text for a case dict, with ``header`` as a comment block on top.

    Lists of hypotheses, sources and items are separated by blank lines so the
    file reads like a hand-written one.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    doc = CommentedMap(data)
    for key in ("hypotheses", "sources", "evidence", "collection"):
        if key in doc and list(doc).index(key) > 0:
            doc.yaml_set_comment_before_after_key(key, before="\n")
    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    lines = [SCHEMA_LINE] + [f"# {line}".rstrip() for line in header.splitlines()] if header else [SCHEMA_LINE]
    return "\n".join(lines) + "\n\n" + buffer.getvalue()


def write_case(data: dict, path: str | Path, *, header: str = "", overwrite: bool = False) -> Path:
    """Check ``data`` as a case and write it to ``path``; refuse an invalid case
    (CaseError listing every problem) and an existing file unless ``overwrite``."""
    from ..loader import check_text

    path = Path(path)
    text = dump_case(data, header)
    _, diagnostics = check_text(text.encode("utf-8"), str(path))
    errors = [d for d in diagnostics if d.level == "error"]
    if errors:
        raise CaseError(errors)
    if path.exists() and not overwrite:
        raise CaseError(
            [
                Diagnostic(
                    "error",
                    "the file exists already; nothing was written",
                    str(path),
                    hint="choose another name, or pass --force to replace it",
                )
            ]
        )
    return write_atomic(path, text)
