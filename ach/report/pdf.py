"""The report on paper: its HTML printed to PDF by a headless Chromium, through Playwright.

The PDF is the HTML report, not a second layout: the stylesheet's
``@media print`` rules (``templates/report.css``) start each section on a new
page and keep figures, table rows and short tables whole, and Chromium's own
header and footer put the case title and handling line at the top of every
page and "Page n of N" at the bottom. Paper: A4 (ISO 216) unless ``paper``
says ``"Letter"``.

Playwright's own browser download is not used: the browser is the system's
Chromium, found as ``$ACH_CHROMIUM`` or ``chromium``/``chromium-browser``/
``google-chrome`` on the PATH. Playwright is imported only here, only when a
PDF is asked for; when it or the browser is missing, :class:`PdfError` says
what to install.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

from markupsafe import escape

from ..errors import AchError

__all__ = [
    "BROWSER_VARIABLE",
    "MARGIN",
    "PAPERS",
    "Document",
    "PdfError",
    "content_box",
    "find_chromium",
    "print_pdfs",
    "requirements",
]

BROWSER_VARIABLE = "ACH_CHROMIUM"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Page size (CSS px at 96 per inch, as Chromium lays out print) and the margins the header and footer sit in.
PAPERS = {"A4": (793.7, 1122.5), "Letter": (816.0, 1056.0)}
MARGIN = {"top": "19mm", "bottom": "16mm", "left": "15mm", "right": "15mm"}
MM = 96 / 25.4
# A table shorter than this share of a page is kept on one page; a longer one breaks between rows.
KEEP_TABLE = 0.55
# As a closed network wants it: no first-run, sync or update traffic that would fail or hang.
FLAGS = (
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
)
TIMEOUT_MS = 60_000
INSTALL_PLAYWRIGHT = "pip install 'ach[pdf]' (or: pip install playwright)"
INSTALL_CHROMIUM = (
    "install Chromium (Debian/Ubuntu: apt-get install chromium) or point ACH_CHROMIUM at a Chromium or Chrome binary"
)

# Marks the tables short enough to keep whole (measured at the printed width, with the print styles on).
KEEP_SCRIPT = """limit => {
  for (const t of document.querySelectorAll('table')) {
    if (t.getBoundingClientRect().height < limit) t.classList.add('keep');
  }
}"""

# Chromium draws these in the page margins, in a document of their own: every style is inline.
BAND = "width: 100%; box-sizing: border-box; padding: 0 15mm; font: 7.5pt system-ui, sans-serif; color: #333;"
ROW = "display: flex; justify-content: space-between; gap: 6mm;"
HEADER = f"""<div style="{BAND}"><div style="{ROW} padding-bottom: 1.2mm; border-bottom: 0.5pt solid #aab3bc;">
  <span style="white-space: nowrap; overflow: hidden; text-overflow: ellipsis;">{{title}}</span>
  <span style="font-weight: 700; letter-spacing: .05em; white-space: nowrap;">{{handling}}</span>
</div></div>"""
FOOTER = f"""<div style="{BAND}"><div style="{ROW}">
  <span style="font-weight: 700; letter-spacing: .05em;">{{handling}}</span>
  <span style="white-space: nowrap;">Page <span class="pageNumber"></span> of <span class="totalPages"></span></span>
</div></div>"""


class PdfError(AchError):
    """A PDF that could not be made (Playwright or Chromium missing, or the browser failed)."""


@dataclass(frozen=True)
class Document:
    """One HTML page to print, with what its running header says."""

    html: str
    title: str
    handling: str = ""


def find_chromium() -> str | None:
    """The browser to print with: ``$ACH_CHROMIUM`` when set, else the first Chromium on the PATH."""
    named = os.environ.get(BROWSER_VARIABLE)
    if named:
        return shutil.which(named)
    return next((path for path in map(shutil.which, BROWSER_NAMES) if path), None)


def requirements():
    """``(sync_playwright, chromium path)``, or a :class:`PdfError` naming what to install."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise PdfError(
            f"cannot write a PDF: the Python package playwright is not installed; {INSTALL_PLAYWRIGHT}"
        ) from None
    chromium = find_chromium()
    if chromium is None:
        named = os.environ.get(BROWSER_VARIABLE)
        found = f"ACH_CHROMIUM={named} is not an executable" if named else "no Chromium was found on the PATH"
        raise PdfError(f"cannot write a PDF: {found}; {INSTALL_CHROMIUM}")
    return sync_playwright, chromium


def print_pdfs(documents: list[Document], paper: str = "A4") -> list[bytes]:
    """Each document printed to PDF bytes, by one browser started once."""
    if paper not in PAPERS:
        raise PdfError(f"unknown paper size {paper!r}: use one of {', '.join(PAPERS)}")
    sync_playwright, chromium = requirements()
    from playwright.sync_api import Error as PlaywrightError

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=list(FLAGS), timeout=TIMEOUT_MS)
            try:
                return [_print(browser, doc, paper) for doc in documents]
            finally:
                browser.close()
    except PlaywrightError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PdfError(f"cannot write a PDF: Chromium ({chromium}) failed: {first}") from None


def content_box(paper: str = "A4") -> tuple[float, float]:
    """Width and height, in CSS px, of what a page holds inside its margins: the report is laid out at this width."""
    width, height = PAPERS[paper]
    return width - _mm(MARGIN["left"]) - _mm(MARGIN["right"]), height - _mm(MARGIN["top"]) - _mm(MARGIN["bottom"])


def _print(browser, doc: Document, paper: str) -> bytes:
    content_width, content_height = content_box(paper)
    page = browser.new_page(viewport={"width": round(content_width), "height": round(content_height)})
    try:
        page.set_default_timeout(TIMEOUT_MS)
        page.emulate_media(media="print")
        page.set_content(doc.html, wait_until="load")
        page.evaluate(KEEP_SCRIPT, KEEP_TABLE * content_height)
        handling = escape(doc.handling or "")
        return page.pdf(
            format=paper,
            print_background=True,
            display_header_footer=True,
            header_template=HEADER.format(title=escape(doc.title), handling=handling),
            footer_template=FOOTER.format(handling=handling),
            margin=MARGIN,
        )
    finally:
        page.close()


def _mm(length: str) -> float:
    return float(length.removesuffix("mm")) * MM
