"""A real workbench in a real headless Chromium, for the end-to-end tests and the benchmark.

Debian's ``chromium`` is driven by Playwright through ``executable_path``
(Playwright's own browser download is not used). Without a browser the tests
skip, saying why, except where ``ACH_REQUIRE_BROWSER`` is set (CI installs
one): there they fail.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def chromium() -> str | None:
    found = os.environ.get("ACH_CHROMIUM") or next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)
    return found if found and Path(found).exists() else None


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (./setup.sh installs it)"
    if chromium() is None:
        return "no Chromium here (apt-get install chromium, or set ACH_CHROMIUM)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(folder: Path, first: str):
    """``ach serve folder/first`` on a free port, in this process; yields its address."""
    import uvicorn

    from ach.serve import create_app

    port = free_port()
    app = create_app(folder, first, port=port)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the workbench server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(10)


@contextlib.contextmanager
def browser_page(width: int = 1500, height: int = 950):
    """A page in headless Chromium; its console errors are collected in ``page.errors``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox", "--disable-gpu"])
        try:
            # bypass_csp: Playwright's waits evaluate code, which the page's own policy forbids
            page = browser.new_page(viewport={"width": width, "height": height}, bypass_csp=True)
            page.errors = []
            page.on("pageerror", lambda e: page.errors.append(str(e)))
            page.on(  # a refused edit's 4xx is the browser's "failed to load": expected, not a script error
                "console",
                lambda m: (
                    page.errors.append(m.text)
                    if m.type == "error" and not m.text.startswith("Failed to load resource")
                    else None
                ),
            )
            yield page
        finally:
            browser.close()
