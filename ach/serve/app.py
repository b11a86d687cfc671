"""The HTTP face of the workbench: Starlette routes, and what keeps other web pages out.

Contract (README, issue 12): ``GET /api/analysis`` answers the same JSON as
``ach analyze CASE --json --no-sample``; ``POST /api/edit`` takes
``{"op": "rate", "item": ..., "hypothesis": ..., "value": ..., "why": ...}``
(ops ``rate``, ``set``, ``add``, ``rm``, as the CLI's) and answers the new
analysis, or a 4xx ``{"error": ..., "location": ...}`` with the file unchanged.

Safety: the server answers only requests whose ``Host`` is the address it
serves, name and port (a DNS-rebinding page cannot read the analysis); a
request that changes anything must also carry the session token the page was
served with (``X-ACH-Token``) and, when the browser sends one, an ``Origin``
of that same address (:mod:`.address`), so another site's form or script, or
a page of another local server, cannot edit the analyst's files. Case files
are named by :class:`~.workspace.Workspace`'s listing, never by a client's
path; the server writes only those files, new cases beside them and reports
in the folder's own ``reports/<case>/``. Every message names a file relative
to that folder. Any failure answers JSON; a traceback never reaches the page.
"""

from __future__ import annotations

import html
import json
import logging
import secrets
from importlib.resources import files
from pathlib import Path

from ..errors import AchError, CaseError, Diagnostic, errors_of
from .address import LOOPBACK_NAMES, accepts, spelled
from .workbench import Workbench
from .workspace import NotInWorkspace

__all__ = ["create_app"]

log = logging.getLogger("ach")
STATIC = files("ach.serve") / "static"
MAX_BODY = 1_000_000  # an edit is a few hundred bytes


def _problem(status: int, diagnostics: list[Diagnostic]):
    from starlette.responses import JSONResponse

    first = (errors_of(diagnostics) or diagnostics or [Diagnostic("error", "the request was refused")])[0]
    place = (("file", first.file if first.file != "<case>" else ""), ("line", first.line), ("field", first.field))
    location = {k: v for k, v in place if v}
    return JSONResponse(
        {
            "error": first.message,
            "location": location,
            "hint": first.hint,
            "code": first.code,
            "problems": [d.to_dict() for d in diagnostics],
        },
        status_code=status,
    )


def _status(diagnostics: list[Diagnostic]) -> int:
    codes = {d.code for d in diagnostics}
    if "changed" in codes:
        return 409
    if "bad-request" in codes:
        return 400
    return 422


def create_app(root: str | Path, first: str | None = None, *, hosts=LOOPBACK_NAMES, port: int | None = None):
    """The Starlette app serving the case files under ``root`` (``first``: the case to open).

    ``hosts``: the names the server answers to (:func:`.address.names_for` of the
    address it is bound to); ``port``: the port it serves (None: the port each
    request arrived on, as the ASGI server says). Reports go to ``root/reports/<case>/``,
    where ``ach report`` run from ``root`` writes them.
    """
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
    from starlette.routing import Route

    bench = Workbench(root, first)
    token = secrets.token_urlsafe(32)
    names = frozenset(spelled(h) for h in hosts)

    def served_port(request: Request) -> int | None:
        return port if port is not None else (request.scope.get("server") or (None, None))[1]

    def refused(message: str, status: int = 403):
        return JSONResponse({"error": message, "location": {}}, status_code=status)

    def guard(request: Request, changes: bool):
        """None if the request may go on, else the refusal."""
        if not accepts(request.headers.get("host"), names, served_port(request)):
            return refused("this server answers only on its own address and port (Host header refused)")
        if not changes:
            return None
        if not secrets.compare_digest(request.headers.get("x-ach-token", ""), token):
            return refused("missing or wrong session token: reload the page the server opened")
        origin = request.headers.get("origin")
        if origin is not None and not accepts(origin, names, served_port(request), origin=True):
            return refused("requests from other web pages may not change the case files")
        return None

    async def call(request: Request, fn, *args, changes: bool = False, **kwargs):
        refusal = guard(request, changes)
        if refusal is not None:
            return refusal
        try:
            return JSONResponse(await run_in_threadpool(fn, *args, **kwargs))
        except CaseError as exc:
            return _problem(_status(exc.diagnostics), bench.workspace.named(exc.diagnostics))
        except AchError as exc:
            return _problem(404 if isinstance(exc, NotInWorkspace) else 400, [Diagnostic("error", str(exc))])
        except Exception:  # a bug: logged here, never shown to the page as a traceback
            log.exception("ach serve: a request failed")
            return JSONResponse(
                {"error": "ach failed on this request (a bug): see the server's terminal", "location": {}},
                status_code=500,
            )

    async def body_of(request: Request):
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise CaseError([Diagnostic("error", "the request is too large", code="bad-request")])
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            raise CaseError(
                [
                    Diagnostic(
                        "error",
                        "the request body is not JSON",
                        hint='send e.g. {"op": "rate", ...}',
                        code="bad-request",
                    )
                ]
            ) from None
        if not isinstance(body, dict):
            raise CaseError([Diagnostic("error", "the request body must be a JSON object", code="bad-request")])
        return body

    def case_of(request: Request, body: dict | None = None) -> str:
        name = (body or {}).get("case") or request.query_params.get("case")
        return name if name else bench.default()

    async def posting(request: Request, fn):
        """A POST: guarded, its JSON body read, ``fn(case name, body)`` run off the event loop."""
        refusal = guard(request, True)
        if refusal is not None:
            return refusal
        try:
            body = await body_of(request)
            name = case_of(request, body)
        except CaseError as exc:
            return _problem(_status(exc.diagnostics), exc.diagnostics)
        return await call(request, fn, name, body, changes=True)

    async def index(request: Request):
        refusal = guard(request, False)
        if refusal is not None:
            return refusal
        page = (STATIC / "workbench.html").read_text(encoding="utf-8")
        first_case = bench.first if bench.first in bench.workspace.names() else ""
        page = page.replace("{{token}}", html.escape(token)).replace("{{first}}", html.escape(first_case))
        return HTMLResponse(page, headers={"Cache-Control": "no-store", "Content-Security-Policy": CSP})

    async def static(request: Request):
        name = request.path_params["name"]
        if name not in ("workbench.js", "workbench.css"):
            return refused("not found", 404)
        kind = "text/javascript" if name.endswith(".js") else "text/css"
        return Response((STATIC / name).read_bytes(), media_type=kind, headers={"Cache-Control": "no-store"})

    async def cases(request: Request):
        return await call(
            request, lambda: {"root": str(bench.workspace.root), "cases": bench.workspace.names(), "first": bench.first}
        )

    async def analysis(request: Request):
        q = request.query_params
        return await call(
            request,
            lambda: bench.analysis(
                case_of(request), intervals=q.get("intervals") == "1", whatif=q.get("whatif") == "1"
            ),
        )

    async def case_view(request: Request):
        return await call(
            request, lambda: bench.view(case_of(request), whatif=request.query_params.get("whatif") == "1")
        )

    async def version(request: Request):
        return await call(request, lambda: bench.version(case_of(request)))

    async def edit(request: Request):
        return await posting(request, bench.edit)

    async def preview(request: Request):
        return await posting(request, lambda name, body: {"preview": bench.preview(name, body)})

    async def undo(request: Request):
        return await posting(request, lambda name, body: bench.undo(name))

    async def redo(request: Request):
        return await posting(request, lambda name, body: bench.undo(name, redo=True))

    async def whatif(request: Request):
        action = request.path_params["action"]
        if action not in ("start", "keep", "drop"):
            return refused("what-if actions are start, keep and drop", 404)
        return await posting(request, lambda name, body: bench.whatif(name, action))

    async def new_case(request: Request):
        refusal = guard(request, True)
        if refusal is not None:
            return refusal
        try:
            body = await body_of(request)
        except CaseError as exc:
            return _problem(400, exc.diagnostics)
        return await call(
            request,
            bench.new,
            str(body.get("name", "")),
            str(body.get("question", "")),
            body.get("hypotheses") or [],
            changes=True,
        )

    async def report(request: Request):
        return await posting(request, lambda name, body: bench.report(name))

    async def report_file(request: Request):
        """A file of a written report, read-only: only from ``reports/<stem>/`` of a listed case."""
        refusal = guard(request, False)
        if refusal is not None:
            return refusal
        stem, rest = request.path_params["stem"], request.path_params["rest"]
        folders = {Path(n).stem: n for n in bench.workspace.names()}
        if stem not in folders:
            return refused("no such report file", 404)
        base = bench.workspace.report_folder(folders[stem]).resolve()
        target = (base / rest).resolve()
        if not target.is_relative_to(base) or not target.is_file():
            return refused("no such report file", 404)
        return FileResponse(
            target, headers={"Content-Security-Policy": REPORT_CSP, "X-Content-Type-Options": "nosniff"}
        )

    routes = [
        Route("/", index),
        Route("/static/{name}", static),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/api/cases", cases),
        Route("/api/analysis", analysis),
        Route("/api/case", case_view),
        Route("/api/version", version),
        Route("/api/edit", edit, methods=["POST"]),
        Route("/api/preview", preview, methods=["POST"]),
        Route("/api/undo", undo, methods=["POST"]),
        Route("/api/redo", redo, methods=["POST"]),
        Route("/api/whatif/{action}", whatif, methods=["POST"]),
        Route("/api/new", new_case, methods=["POST"]),
        Route("/api/report", report, methods=["POST"]),
        Route("/report/{stem}/{rest:path}", report_file),
    ]
    app = Starlette(routes=routes)
    app.state.token = token
    app.state.workbench = bench
    return app


# The page runs only its own script and styles: no inline script, nothing from elsewhere.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# A report shown from the server: its own inline styles and figures, no script at all.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
