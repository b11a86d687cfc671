"""What the page can do to a case, in library calls: analyse, edit (saved or what-if), undo, redo, report.

No HTTP here (:mod:`.app` maps requests to these calls). Every number comes
from :func:`ach.analyze` on the file as it is on disk (or on the what-if
copy), cached by the text's hash, so a page that only looks costs one
analysis per version of the file. Every write goes through
:mod:`ach.editing`: :func:`~ach.editing.apply` for an edit,
:func:`~ach.editing.restore` for an undo, a redo or a what-if kept, each
refused when the file changed on disk since the page last saw it.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from urllib.parse import quote

from .. import editing
from ..casefile import check_text
from ..errors import CaseError, Diagnostic, EditError, errors_of
from .operations import operation, read_value
from .views import case_view
from .workspace import Session, WhatIfCopy, Workspace, version_of

__all__ = ["Workbench"]

CACHED = 16  # analyses kept: a few cases, a few versions each


class Workbench:
    """The cases of one folder and what has been done to them in this server's life."""

    def __init__(self, root: str | Path, first: str | None = None):
        self.workspace = Workspace(root)
        self.first = first
        self._analyses: OrderedDict[tuple, dict] = OrderedDict()

    # -- reading --------------------------------------------------------------------

    def default(self) -> str:
        """The case the page opens with: the one the server was started on, else the first listed."""
        names = self.workspace.names()
        if self.first in names:
            return self.first
        if not names:
            raise CaseError(
                [
                    Diagnostic(
                        "error", f"no case files in {self.workspace.root}", hint="start one: ach new", code="empty"
                    )
                ]
            )
        return names[0]

    def _text(self, session: Session, whatif: bool) -> str:
        if whatif and session.whatif is not None:
            return session.whatif.text
        return session.read()

    def _case(self, session: Session, text: str):
        case, found = check_text(text.encode("utf-8"), session.name)  # named as ach analyze NAME in the folder
        if case is None:
            raise CaseError(errors_of(found) or found)
        return case

    def analysis(self, name: str, *, intervals: bool = False, whatif: bool = False) -> dict:
        """``ach analyze CASE --json --no-sample`` (with ``intervals``: the exact draws too), as a dict."""
        from ..analysis import analyze

        session = self.workspace.session(name)
        text = self._text(session, whatif)
        key = (name, version_of(text), intervals)
        if key not in self._analyses:
            result = analyze(self._case(session, text), sample=intervals, progress=False)
            self._analyses[key] = result.to_dict()
            while len(self._analyses) > CACHED:
                self._analyses.popitem(last=False)
        self._analyses.move_to_end(key)
        out = dict(self._analyses[key])
        if whatif and session.whatif is not None:
            out["whatif"] = self._whatif_summary(name, session)
        return out

    def view(self, name: str, *, whatif: bool = False) -> dict:
        session = self.workspace.session(name)
        text = self._text(session, whatif)
        out = case_view(self._case(session, text), text, name, version_of(session.read()))
        out["undo"], out["redo"] = len(session.undo), len(session.redo)
        out["whatif"] = session.whatif is not None
        return out

    def version(self, name: str) -> dict:
        session = self.workspace.session(name)
        return {
            "case": name,
            "version": version_of(session.read()),
            "whatif": session.whatif is not None,
            "undo": len(session.undo),
            "redo": len(session.redo),
        }

    def preview(self, name: str, body: dict) -> dict | None:
        """The exact posterior after a re-rating, a reliability, a credibility or a prior, in memory
        (:func:`ach.scenario.apply_whatif`): what the page shows while the edit itself is checked
        and saved. None for edits it cannot preview (the page waits for the edit)."""
        from ..exact import posterior_by_id
        from ..scales import icd203_term
        from ..scenario import apply_whatif

        op, ident = body.get("op"), body.get("id")
        if op == "rate" and body.get("kind") is None and body.get("value") not in (None, ""):
            change = {"set": {(body.get("item"), body.get("hypothesis")): read_value("value", body["value"])}}
        elif op == "set" and isinstance(ident, str) and len(body.keys() - {"op", "id", "version", "whatif"}) == 1:
            field = next(iter(body.keys() - {"op", "id", "version", "whatif"}))
            where = {"reliability": "reliability", "credibility": "credibility", "prior": "prior"}.get(field)
            if where is None:
                return None
            change = {where: {ident: read_value(field, body[field])}}
        else:
            return None
        session = self.workspace.session(name)
        try:
            edited, _ = apply_whatif(self._case(session, self._text(session, bool(body.get("whatif")))), **change)
            post = posterior_by_id(edited)
        except (CaseError, ValueError, TypeError, KeyError):  # the edit itself will say what is wrong
            return None
        leading = max(post, key=post.get)
        return {"posterior": post, "terms": {h: icd203_term(p) for h, p in post.items()}, "leading": leading}

    # -- editing --------------------------------------------------------------------

    def _check_version(self, session: Session, seen: str | None, text: str) -> None:
        if seen is not None and seen != version_of(text):
            raise EditError(
                [
                    Diagnostic(
                        "error",
                        "the file changed on disk since the page read it; nothing was written",
                        str(session.path),
                        hint="the page has reloaded it: look again, then redo the edit",
                        code="changed",
                    )
                ]
            )

    def edit(self, name: str, body: dict) -> dict:
        """Apply one JSON edit; the new analysis with an ``edit`` part saying what was done."""
        run, _ = operation(body)
        session = self.workspace.session(name)
        with self.workspace.lock:
            if body.get("whatif"):
                copy = session.whatif or WhatIfCopy(session.read())
                done = editing.edit_text(copy.text, session.path, run)
                session.whatif = copy
                copy.texts.append(done.after)
                copy.changes.append(done.changes)
                copy.undone.clear()
            else:
                before = session.read()
                self._check_version(session, body.get("version"), before)
                done = editing.apply(session.path, run)
                session.saved(done.before, done.after)
        out = self.analysis(name, whatif=bool(body.get("whatif")))
        out["edit"] = self._said(done, session)
        return out

    def _said(self, done, session: Session) -> dict:
        return {
            "changes": done.changes,
            "todo": done.todo,
            "warnings": [d.to_dict() for d in self.workspace.named(done.warnings)],
            "written": done.written,
            "version": version_of(session.read()),
            "undo": len(session.undo),
            "redo": len(session.redo),
            "whatif": session.whatif is not None,
        }

    def undo(self, name: str, *, redo: bool = False) -> dict:
        """Put back the text before the last saved edit (``redo``: after the last undone one)."""
        session = self.workspace.session(name)
        with self.workspace.lock:
            if session.whatif is not None:
                self._step_whatif(session.whatif, redo)
                out = self.analysis(name, whatif=True)
                out["edit"] = {"changes": ["what-if " + ("redo" if redo else "undo")], "whatif": True}
                return out
            stack, other = (session.redo, session.undo) if redo else (session.undo, session.redo)
            if not stack:
                raise EditError(
                    [Diagnostic("error", f"nothing to {'redo' if redo else 'undo'}", str(session.path), code="empty")]
                )
            before, after = stack[-1]
            done = editing.restore(session.path, after if redo else before, expected=before if redo else after)
            other.append(stack.pop())
        out = self.analysis(name)
        out["edit"] = self._said(done, session)
        return out

    def _step_whatif(self, copy: WhatIfCopy, redo: bool) -> None:
        if redo and copy.undone:
            copy.texts.append(copy.undone.pop())
        elif not redo and copy.texts:
            copy.undone.append(copy.texts.pop())
        else:
            raise EditError([Diagnostic("error", f"nothing to {'redo' if redo else 'undo'} in the what-if")])

    def whatif(self, name: str, action: str) -> dict:
        """``start`` a what-if copy, ``keep`` it (saved as one edit) or ``drop`` it."""
        session = self.workspace.session(name)
        with self.workspace.lock:
            if action == "start":
                session.whatif = session.whatif or WhatIfCopy(session.read())
                return self.analysis(name, whatif=True)
            copy, session.whatif = session.whatif, None
            if action == "keep" and copy is not None and copy.texts:
                try:
                    done = editing.restore(session.path, copy.text, expected=copy.base)
                except EditError:
                    session.whatif = copy  # nothing lost: the page may drop it, or keep trying
                    raise
                session.saved(copy.base, copy.text)
                out = self.analysis(name)
                out["edit"] = self._said(done, session)
                return out
        return self.analysis(name)

    def _whatif_summary(self, name: str, session: Session) -> dict:
        before = self.analysis(name)
        return {
            "before": before["exact"]["posterior"],
            "leading_before": before["leading"],
            "changes": [line for lines in session.whatif.changes[: len(session.whatif.texts)] for line in lines],
        }

    def new(self, name: str, question: str, hypotheses: list) -> dict:
        path = self.workspace.new_path(name)
        pairs = [(str(h.get("id", "")), str(h.get("title", ""))) for h in hypotheses if isinstance(h, dict)]
        editing.new_case(path, question, pairs)
        return {"case": name}

    def report(self, name: str) -> dict:
        """Write the report (as ``ach report NAME`` run from the folder: exact draws and all) into
        ``reports/<stem>/`` of the folder; its files named from the folder, and where the page opens it."""
        from ..analysis import analyze

        session = self.workspace.session(name)
        folder = self.workspace.report_folder(name)
        result = analyze(self._case(session, session.read()), progress=False)
        paths = result.report().save(folder)
        relative = self.workspace.relative
        return {
            "bottom_line": result.bottom_line(),
            "html": relative(str(paths["html"])),
            "markdown": relative(str(paths["markdown"])),
            "figures": {k: relative(str(v)) for k, v in paths["figures"].items()},
            "url": f"/report/{quote(folder.name)}/report.html",
        }
