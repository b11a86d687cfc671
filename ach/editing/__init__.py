"""Edit a case file in place: comments, layout and untouched lines survive byte for byte.

How: the file is never re-dumped. ruamel.yaml *composes* it (nodes with exact
character positions), and every edit is a splice of the text at those
positions (:mod:`ach.editing.splice`, which knows nothing of cases): a value
replaced, a line inserted after a given line, the lines of an entry deleted.
Every line the edit does not touch is therefore the very same string as
before. (A round-trip dump would not guarantee it: ruamel hangs the comment
lines *after* a value on that value, so deleting an item would take the next
item's heading comment with it, and a file whose layout ruamel cannot
reproduce exactly would be rewritten throughout.)

Each edit is then checked three ways before anything is written:

1. the new text is parsed again and must hold exactly the intended data (the
   old data with the one change applied); a value whose plain or block
   rendering would read back differently is written double-quoted instead
   (:mod:`ach.editing.ops`);
2. :func:`ach.casefile.check_text` must find no error the file did not already
   have (an edit may not break a file; it may fix one);
3. the file is written through :func:`ach.files.write_atomic` (temporary file
   in the same folder, then rename), so it is either the old or the new file,
   never half of one (:mod:`ach.editing.apply`).

A refused edit raises :class:`~ach.errors.EditError` whose diagnostics
point at lines of the file as it is on disk.

Layout rules (docs/EDITING.md): a new key goes after the last key that
precedes it in the usual order (the schema's); a new entry goes after the
last entry of its list, with the indentation of the entries already there and
a blank line before it when the entries are separated by blank lines; a
deleted entry takes its own lines with it, including comment lines indented
deeper than its ``-`` that follow it, but never the comment lines above it.
"""

from ..errors import EditError
from .apply import (
    Edit,
    add_candidate,
    add_evidence,
    add_hypothesis,
    add_source,
    apply,
    edit_text,
    rate,
    remove,
    restore,
    set_fields,
    set_priors,
)
from .document import TODO
from .new import new_case, scaffold
from .ops import CaseText

__all__ = [
    "TODO",
    "CaseText",
    "Edit",
    "EditError",
    "add_candidate",
    "add_evidence",
    "add_hypothesis",
    "add_source",
    "apply",
    "edit_text",
    "new_case",
    "rate",
    "remove",
    "restore",
    "scaffold",
    "set_fields",
    "set_priors",
]
