"""Apply an edit to a case file on disk: check before and after, then write atomically.

:func:`apply` reads the file, runs the edit on its text
(:class:`~ach.editing.ops.CaseText`), refuses the result if
:func:`ach.casefile.check_text` finds an error the file did not already have
(an edit may fix a file, never break one), maps the problems back to the lines
of the file as it is on disk, and writes through a temporary file and a
rename, keeping the file's mode. The functions below it are the library
behind ``ach rate``, ``ach set``, ``ach rm`` and ``ach add``.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..casefile import check_text
from ..errors import CaseError, Diagnostic, EditError
from ..files import locked, read_input, remove_stale_temporaries, write_atomic
from .ops import CaseText

__all__ = [
    "Edit",
    "add_candidate",
    "add_evidence",
    "add_hypothesis",
    "add_source",
    "apply",
    "edit_text",
    "rate",
    "remove",
    "restore",
    "set_fields",
    "set_priors",
]


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


# -- reading, checking, writing -----------------------------------------------------


def _read(path: Path) -> str:
    try:
        raw = read_input(path, "a case file", missing_hint="check the path, or create it with `ach new`")
    except CaseError as exc:
        raise EditError(exc.diagnostics) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise EditError(
            [Diagnostic("error", "not UTF-8 text", str(path), line, hint="save the file as UTF-8", code="not-utf8")]
        ) from None


def _errors(diagnostics) -> Counter:
    return Counter((d.message, d.field) for d in diagnostics if d.level == "error")


def _map_lines(before: str, after: str):
    """new line number (1-based) -> line number in ``before`` (the edit's place for new lines)."""
    old, new = before.splitlines(True), after.splitlines(True)
    mapping = {}
    for tag, i1, _i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        for j in range(j1, j2):
            mapping[j + 1] = (i1 + (j - j1) + 1) if tag == "equal" else min(i1 + 1, max(len(old), 1))
    return mapping


def apply(path: str | Path, edit, *, write: bool = True) -> Edit:
    """Read the case file at ``path``, run ``edit(CaseText)`` on it, refuse the result if
    it has errors the file did not have, and write it atomically (unless ``write`` is False).

    Two edits of one file never lose each other: the file is locked from the
    read to the write, so a second edit reads the first one's result; and a
    change made meanwhile by another program (an editor, ``git pull``) is found
    before anything is replaced, and the edit refused.
    """
    path = Path(path)
    if not write:
        return _edit(path, _read(path), edit)
    _refuse_read_only(path)
    try:
        with locked(path):
            remove_stale_temporaries(path.resolve())
            before = _read(path)
            result = _edit(path, before, edit)
            if result.after != before:
                if _read(path) != before:
                    raise _changed(path, "while the edit was being made")
                _write_keeping_mode(path, result.after)
                result.written = True
    except EditError:
        raise
    except CaseError as exc:  # the lock could not be had, or the path is not a file
        raise EditError(exc.diagnostics) from None
    except FileNotFoundError:
        return _edit(path, _read(path), edit)  # _read says it is missing, located
    return result


def restore(path: str | Path, text: str, *, expected: str) -> Edit:
    """Put ``text`` (an earlier version: an undo, a redo, a what-if kept) back in the file, if it
    still reads ``expected``; a change made meanwhile by anyone else is refused, never overwritten."""
    path = Path(path)
    _refuse_read_only(path)
    try:
        with locked(path):
            before = _read(path)
            if before != expected:
                raise _changed(path, "since this version was read")
            case, _ = check_text(text.encode("utf-8"), str(path))
            if text != before:
                _write_keeping_mode(path, text)
    except CaseError as exc:
        raise EditError(exc.diagnostics) from None
    old_case, _ = check_text(before.encode("utf-8"), str(path))
    return Edit(
        path, before, text, ["put back an earlier version"], old_case=old_case, case=case, written=text != before
    )


def _changed(path: Path, when: str) -> EditError:
    return EditError(
        [
            Diagnostic(
                "error",
                f"the file changed on disk {when}; nothing was written",
                str(path),
                hint="run the edit again on the file as it is now",
                code="changed",
            )
        ]
    )


def edit_text(text: str, path: str | Path, edit) -> Edit:
    """:func:`apply` without the file: ``edit(CaseText)`` run on ``text`` (named ``path`` in messages)
    and checked the same way; nothing is read or written (a what-if copy is edited so)."""
    return _edit(Path(path), text, edit)


def _edit(path: Path, before: str, edit) -> Edit:
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
                problems.append(dataclasses.replace(d, line=line))
        raise EditError(problems)
    old_warnings = Counter((d.message, d.field) for d in old_diags if d.level == "warning")
    warnings = []
    for d in new_diags:
        if d.level == "warning":
            if old_warnings[(d.message, d.field)] > 0:
                old_warnings[(d.message, d.field)] -= 1
            else:
                warnings.append(d)
    return Edit(path, before, after, doc.changes, doc.todo, warnings, old_case, new_case)


def _refuse_read_only(path: Path) -> None:
    """A file nobody may write is not edited (the rename would replace it anyway), as an editor would refuse."""
    try:
        mode = path.resolve().stat().st_mode
    except OSError:
        return  # _read says what is wrong with the path
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise EditError(
            [
                Diagnostic(
                    "error",
                    "the file is read-only; nothing was written",
                    str(path),
                    hint="make it writable (chmod u+w) if it is meant to be edited",
                    code="read-only",
                )
            ]
        )


def _write_keeping_mode(path: Path, text: str) -> None:
    target = path.resolve()  # edit the file a symbolic link points to, not the link
    mode = target.stat().st_mode & 0o7777
    try:
        write_atomic(target, text)
    except PermissionError as exc:
        raise EditError(
            [
                Diagnostic(
                    "error",
                    f"cannot write in the file's folder ({exc.strerror}); nothing was written",
                    str(path),
                    hint="edit a copy in a folder you may write to, or ask for write access",
                    code="read-only",
                )
            ]
        ) from None
    if target.stat().st_mode & 0o7777 != mode:
        os.chmod(target, mode)


# -- the library functions behind the commands --------------------------------------


def rate(
    path, item: str, hypothesis: str, rating, *, why: str | None = None, kind: str | None = None, write: bool = True
) -> Edit:
    """``ach rate``: set one cell of the matrix, e.g. ``rate("k1.yaml", "E07", "KH", "likely")``."""
    return apply(path, lambda doc: doc.rate(item, hypothesis, rating, why=why, kind=kind), write=write)


def set_fields(path, ident: str | None, *, kind: str | None = None, unset=(), write: bool = True, **fields) -> Edit:
    """``ach set``: change fields of a hypothesis, source, item or candidate, or (``ident`` None) of the case."""
    return apply(path, lambda doc: doc.set_fields(ident, kind=kind, unset=unset, **fields), write=write)


def set_priors(path, priors: dict, *, write: bool = True) -> Edit:
    """``ach set CASE --priors KH=35,ISIS=20``: prior weights; in a case without priors the rest are shared out."""
    return apply(path, lambda doc: doc.set_priors(priors), write=write)


def remove(path, ident: str, *, kind: str | None = None, write: bool = True) -> Edit:
    """``ach rm``: remove an item, a candidate, an unused source or a hypothesis."""
    return apply(path, lambda doc: doc.remove(ident, kind=kind), write=write)


def add_hypothesis(path, id: str, title: str, *, write: bool = True, **options) -> Edit:
    return apply(path, lambda doc: doc.add_hypothesis(id, title, **options), write=write)


def add_source(path, id: str, reliability, *, write: bool = True, **options) -> Edit:
    return apply(path, lambda doc: doc.add_source(id, reliability, **options), write=write)


def add_evidence(path, text: str, ratings: dict, *, write: bool = True, **options) -> Edit:
    return apply(path, lambda doc: doc.add_evidence(text, ratings, **options), write=write)


def add_candidate(path, text: str, ratings: dict, *, write: bool = True, **options) -> Edit:
    return apply(path, lambda doc: doc.add_candidate(text, ratings, **options), write=write)
