"""The folder ``ach serve`` was started on: the case files it may touch, and each one's session.

The client names a case by a name from :meth:`Workspace.names`, never by a
path: a name the listing does not hold is refused, so ``../../etc/passwd``,
an absolute path or a symbolic link out of the folder reach nothing. Each
case has a :class:`Session`: the saved edits that can be undone and redone
(as whole texts, put back only while the file still reads what this server
wrote) and the what-if copy, edited in memory until it is kept or dropped.

Messages name a case file as the page does, by its name in the folder
(``k1.yaml``, ``team/a.yaml``), never by where the server happens to run; a
report goes where ``ach report NAME`` run from the folder puts it, inside it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import AchError, CaseError, Diagnostic, EditError

__all__ = ["CASE_SUFFIXES", "NotInWorkspace", "Session", "WhatIfCopy", "Workspace", "version_of"]

CASE_SUFFIXES = (".yaml", ".yml")
REPORTS = "reports"  # as ach report: reports/<case>/ of the folder it runs in
SKIPPED = {".git", ".venv", "venv", "node_modules", "__pycache__", REPORTS}
MAX_DEPTH = 3  # cases/, cases/team/, cases/team/2020/
MAX_FILES = 2000


class NotInWorkspace(AchError):
    """A case name that is not one of the folder's case files."""


def version_of(text: str) -> str:
    """What the page sends back with an edit, to prove it saw the file as it is now."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class WhatIfCopy:
    """Edits tried without saving: the file's text when they began, and the texts since."""

    base: str
    texts: list[str] = field(default_factory=list)  # after each what-if edit, newest last
    undone: list[str] = field(default_factory=list)
    changes: list[list[str]] = field(default_factory=list)  # what each edit did, in words

    @property
    def text(self) -> str:
        return self.texts[-1] if self.texts else self.base


@dataclass
class Session:
    """One case file's edits during this server's life."""

    path: Path  # where it is read and written
    name: str  # as messages name it: its name in the folder
    undo: list[tuple[str, str]] = field(default_factory=list)  # (before, after) of saved edits, newest last
    redo: list[tuple[str, str]] = field(default_factory=list)
    whatif: WhatIfCopy | None = None

    def read(self) -> str:
        """The file's text now (what a new edit starts from)."""
        try:
            return self.path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise EditError(
                [Diagnostic("error", f"cannot read the case file ({exc})", str(self.path), code="unreadable")]
            ) from None

    def saved(self, before: str, after: str) -> None:
        if before != after:
            self.undo.append((before, after))
            self.redo.clear()


class Workspace:
    """The case files under one folder; one edit at a time (requests run in a thread pool)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.real = self.root.resolve()
        self.lock = threading.RLock()
        self._sessions: dict[str, Session] = {}

    def names(self) -> list[str]:
        """Every case file in the folder (and a few levels below), as a '/'-separated name."""
        found: list[str] = []
        for top, dirs, files in os.walk(self.real):
            depth = len(Path(top).relative_to(self.real).parts)
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED and depth < MAX_DEPTH)
            for name in sorted(files):
                full = Path(top) / name
                if name.lower().endswith(CASE_SUFFIXES) and not name.startswith(".") and self._inside(full):
                    found.append(full.relative_to(self.real).as_posix())
                    if len(found) >= MAX_FILES:
                        return found
        return found

    def _inside(self, path: Path) -> bool:
        try:
            return path.resolve().is_relative_to(self.real) and path.resolve().is_file()
        except OSError:
            return False

    def session(self, name) -> Session:
        """The session of the case file called ``name``; :class:`NotInWorkspace` for anything else."""
        if not isinstance(name, str) or name not in self.names():
            shown = name if isinstance(name, str) and len(name) < 200 else "that case"
            raise NotInWorkspace(f"no case file '{shown}' in {self.root}: pick one of the listed cases")
        if name not in self._sessions:
            self._sessions[name] = Session(self.real / name, name)  # the folder found at start, whatever the cwd
        return self._sessions[name]

    def named(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        """The same problems, each file named relative to the folder (``k1.yaml``, not /tmp/…/k1.yaml)."""
        return [dataclasses.replace(d, file=self.relative(d.file)) for d in diagnostics]

    def relative(self, file: str) -> str:
        """A file as the page names it: its path from the folder, when it is inside it."""
        if not file or file.startswith("<"):
            return file
        path = Path(file)
        for base in (self.root, self.real):
            if path.is_relative_to(base):
                return path.relative_to(base).as_posix()
        return file

    def report_folder(self, name: str) -> Path:
        """Where the report of the case ``name`` goes: ``reports/<stem>/`` inside the folder, as
        ``ach report`` run from the folder writes it; a ``reports`` that leads out of it is refused."""
        folder = self.real / REPORTS / Path(name).stem
        if not folder.resolve().is_relative_to(self.real):
            raise CaseError(
                [
                    Diagnostic(
                        "error",
                        f"{REPORTS}/ in {self.root} leads out of the folder; no report was written",
                        hint=f"make {REPORTS}/ a plain folder, or run ach report yourself",
                        code="outside",
                    )
                ]
            )
        return folder

    def new_path(self, name: str) -> Path:
        """Where a new case called ``name`` goes: a plain file name in the folder itself."""
        if (
            not isinstance(name, str)
            or not name.lower().endswith(CASE_SUFFIXES)
            or Path(name).name != name
            or name.startswith(".")
            or len(name) > 120
        ):
            raise CaseError(
                [
                    Diagnostic(
                        "error",
                        "a new case needs a plain file name ending in .yaml, e.g. my-case.yaml",
                        field="name",
                        code="bad-request",
                    )
                ]
            )
        return self.real / name
