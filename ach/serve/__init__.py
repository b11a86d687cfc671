"""``ach serve``: the evidence matrix in the analyst's browser, on their own machine.

A thin client of the library, as the CLI is: every edit goes through
:mod:`ach.editing` (comments kept, atomic writes, a refused edit leaves the
file byte-identical), every number comes from :func:`ach.analyze`, the report
from :class:`ach.Report`. The layers, each one concept:

- :mod:`.workspace`: the folder the server was started on; which case files
  it may touch (a name from its own listing, never a path from the client),
  and each case's session: its undo and redo history and its what-if copy.
- :mod:`.operations`: a JSON edit (``{"op": "rate", ...}``) as a call of the
  editing layer, checked field by field.
- :mod:`.views`: what the page shows of a case: values as written, the
  comment of each cell, the rating words to offer.
- :mod:`.address`: the names and port the server answers to, the Host and
  Origin checks, and the addresses to print when it listens beyond loopback.
- :mod:`.app`: the Starlette routes, the session token and the Origin/Host
  check that keep other web pages from editing the analyst's files.

The page itself (``static/``) is plain HTML, CSS and JavaScript, shipped in
the package: no network, no build step.
"""

from .app import create_app

__all__ = ["create_app"]
