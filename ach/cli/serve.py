"""``ach serve``: the browser workbench on the analyst's own machine (ach.serve does the work)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import EXIT_INVALID, AchCommand, say

__all__ = ["COMMANDS"]


@click.command(cls=AchCommand, outcome="the workbench did not start")
@click.argument("path", default=".", type=click.Path(exists=True))
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Another than this machine's own (e.g. 192.168.1.5, or 0.0.0.0 for every "
    "interface) lets others on the network open the workbench and edit the cases: a warning says so, "
    "with the addresses they may use.",
)
@click.option("--no-browser", is_flag=True, help="Do not open the page in a browser.")
def serve(path, port, host, no_browser):
    """Edit a case in the browser and watch the posterior move: `ach serve cases/k1.yaml`.

    PATH is a case file (opened first) or a folder of them (pick one, or start
    a new one). Every edit goes through the same checks as `ach rate`/`set`/
    `add`/`rm`: comments kept, atomic writes, a refused edit leaves the file
    as it was. The server writes only in that folder: its case files, new
    cases, and reports in its reports/<case>/. Ctrl+C stops the server.
    """
    import socket
    import threading
    import webbrowser

    import uvicorn

    from ..serve import create_app
    from ..serve.address import is_loopback, names_for, urls

    target = Path(path)
    root, first = (target.parent, target.name) if target.is_file() else (target, None)
    try:
        probe = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        probe.bind((host, port))
        probe.close()
    except OSError as exc:
        click.echo(
            f"ach serve: cannot listen on {host}:{port} ({exc.strerror}); "
            f"hint: another program (another ach serve?) uses it: try --port {port + 1}"
            + ("" if is_loopback(host) else ", or check that this machine has the address"),
            err=True,
        )
        sys.exit(EXIT_INVALID)
    names = names_for(host)
    url, others = urls(host, port, names)
    if not is_loopback(host):
        click.echo(
            f"ach serve: warning: listening on {host}: anyone who can reach this machine on port {port} can "
            f"open the workbench and edit the case files in {root}. Use --host 127.0.0.1 to keep it to yourself.",
            err=True,
        )
    app = create_app(root, first, hosts=names, port=port)
    say("preparing the analysis (the first time loads numpy and scipy)")
    bench = app.state.workbench
    if bench.workspace.names():
        try:
            bench.analysis(bench.default())
        except Exception:  # noqa: BLE001 - the page shows the problems of a broken case; the server still starts
            pass
    click.echo(f"ach serve: {url}  (the case files in {root}; Ctrl+C stops)")
    if others:
        click.echo("ach serve: from other machines: " + "  ".join(others))
    if not no_browser:
        threading.Timer(0.7, webbrowser.open, [url]).start()
    uvicorn.run(app, host=host, port=port, log_level="warning")


COMMANDS = (serve,)
