"""``ach serve``: the browser workbench on the analyst's own machine (ach.serve does the work)."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

import click

from .common import EXIT_INVALID, AchCommand, say

__all__ = ["COMMANDS"]

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _loopback(host: str) -> bool:
    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command(cls=AchCommand, outcome="the workbench did not start")
@click.argument("path", default=".", type=click.Path(exists=True))
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but this machine's own lets others on the network in (a warning says so).",
)
@click.option("--no-browser", is_flag=True, help="Do not open the page in a browser.")
@click.option(
    "--reports", type=click.Path(file_okay=False), help="Folder for reports (default: reports/, as ach report)."
)
def serve(path, port, host, no_browser, reports):
    """Edit a case in the browser and watch the posterior move: `ach serve cases/k1.yaml`.

    PATH is a case file (opened first) or a folder of them (pick one, or start
    a new one). Every edit goes through the same checks as `ach rate`/`set`/
    `add`/`rm`: comments kept, atomic writes, a refused edit leaves the file
    as it was. Ctrl+C stops the server.
    """
    import socket
    import threading
    import webbrowser

    import uvicorn

    from ..serve import create_app

    target = Path(path)
    root, first = (target.parent, target.name) if target.is_file() else (target, None)
    if not _loopback(host):
        click.echo(
            f"ach serve: warning: listening on {host}: anyone who can reach this machine on port {port} can "
            "open the workbench (edits still need the page's token). Use --host 127.0.0.1 to keep it to yourself.",
            err=True,
        )
    hosts = {"127.0.0.1", "localhost", "[::1]", host.lower() if ":" not in host else f"[{host.lower()}]"}
    app = create_app(root, first, hosts=hosts, reports=reports)
    try:
        probe = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        probe.bind((host, port))
        probe.close()
    except OSError as exc:
        click.echo(
            f"ach serve: cannot listen on {host}:{port} ({exc.strerror}); "
            f"hint: another program (another ach serve?) uses it: try --port {port + 1}",
            err=True,
        )
        sys.exit(EXIT_INVALID)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown if ':' not in shown else f'[{shown}]'}:{port}/"
    say("preparing the analysis (the first time loads numpy and scipy)")
    bench = app.state.workbench
    if bench.workspace.names():
        try:
            bench.analysis(bench.default())
        except Exception:  # noqa: BLE001 - the page shows the problems of a broken case; the server still starts
            pass
    click.echo(f"ach serve: {url}  (the case files in {root}; Ctrl+C stops)")
    if not no_browser:
        threading.Timer(0.7, webbrowser.open, [url]).start()
    uvicorn.run(app, host=host, port=port, log_level="warning")


COMMANDS = (serve,)
