"""``ach report --pdf``: the HTML report and the brief printed by headless Chromium, read back with pypdf.

The printing tests need Playwright and a Chromium (``apt-get install chromium``):
without them they are skipped, unless ``ACH_REQUIRE_BROWSER=1`` (set where the
browser is installed on purpose), when they fail. The message for a missing
browser is tested everywhere.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

import ach
from ach.cli import main
from ach.report import Report, pdf

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "data" / "mini.yaml"
HANDLING = "UNCLASSIFIED // FOR TRAINING"
A4 = (595.3, 841.9)  # points
REPORT_SECTIONS = (
    "Figures",
    "What drove the result",
    "Sensitivity",
    "What would change our mind",
    "Classic ACH vs Bayes",
    "Evidence matrix",
    "Sources",
    "Uncertainty",
    "Caveats",
    "Provenance",
)


def _browser_missing() -> str | None:
    try:
        pdf.requirements()
    except pdf.PdfError as exc:
        return str(exc)
    return None


MISSING = _browser_missing()
REQUIRED = os.environ.get("ACH_REQUIRE_BROWSER") == "1"  # then a missing browser fails these tests, with its message
needs_browser = pytest.mark.skipif(MISSING is not None and not REQUIRED, reason=MISSING or "")


def _pages(path) -> list[str]:
    """Each page's text, ligatures (ﬁ) unfolded and runs of white space made one space."""
    from pypdf import PdfReader

    return [" ".join(unicodedata.normalize("NFKC", p.extract_text()).split()) for p in PdfReader(path).pages]


def _words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).replace("\u00a0", " ").split())


@pytest.fixture(scope="module")
def mini_saved(tmp_path_factory):
    """The mini case with a handling line, exact only, saved with its brief and both PDFs."""
    case = dataclasses.replace(ach.load(MINI), handling=HANDLING)
    report = Report(ach.analyze(case, sample=False))
    folder = tmp_path_factory.mktemp("mini")
    return report, report.save(folder, brief=True, pdf=True)


@pytest.fixture(scope="module")
def k1_saved(k1_sampled, tmp_path_factory):
    report = Report(k1_sampled)
    return report, report.save(tmp_path_factory.mktemp("k1"), brief=True, pdf=True)


# -- printed --------------------------------------------------------------------------
@needs_browser
def test_every_page_carries_the_title_the_handling_line_and_its_number(mini_saved):
    report, paths = mini_saved
    title = report.context["case"]["title"]
    for name in ("pdf", "brief_pdf"):
        pages = _pages(paths[name])
        assert len(pages) >= 1
        for n, text in enumerate(pages, start=1):
            assert title in text, (name, n)
            assert text.count(HANDLING) >= 2, (name, n)  # header and footer
            assert f"Page {n} of {len(pages)}" in text, (name, n)


@needs_browser
def test_the_pdf_is_a4_and_leads_with_the_bottom_line(mini_saved):
    from pypdf import PdfReader

    report, paths = mini_saved
    for page in PdfReader(paths["pdf"]).pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=1)
    first = _pages(paths["pdf"])[0]
    assert _words(report.context["bottom_line"]) in first
    assert _words(report.context["bottom_line"]) in _pages(paths["brief_pdf"])[0]


@needs_browser
def test_each_section_of_the_k1_report_starts_a_page(k1_saved):
    _report, paths = k1_saved
    starts = [text[:60] for text in _pages(paths["pdf"])]
    for section in REPORT_SECTIONS:
        assert any(s.startswith(section) for s in starts), (section, starts)


@needs_browser
def test_the_k1_brief_fits_on_two_pages(k1_saved):
    _report, paths = k1_saved
    pages = _pages(paths["brief_pdf"])
    assert len(pages) <= 2
    text = " ".join(pages)
    for heading in ("Bottom line", "Key judgments", "Linchpins", "What would change our mind"):
        assert heading.lower() in text.lower()
    assert "E01" in text and "C1" in text  # a linchpin, and the observation most worth collecting


@needs_browser
def test_the_k1_report_fits_the_page_width():
    """Nothing wider than the printed page: Chromium would shrink every page to fit it."""
    from playwright.sync_api import sync_playwright

    report = Report(ach.analyze(ROOT / "cases" / "k1.yaml", sample=False))
    width, height = pdf.content_box("A4")
    _, chromium = pdf.requirements()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=list(pdf.FLAGS))
        try:
            for html in (report.to_html(), report.brief_html()):
                page = browser.new_page(viewport={"width": round(width), "height": round(height)})
                page.emulate_media(media="print")
                page.set_content(html)
                assert page.evaluate("document.documentElement.scrollWidth") <= round(width)
                page.close()
        finally:
            browser.close()


@needs_browser
def test_ach_report_pdf_brief_writes_all_six_files(tmp_path):
    result = CliRunner().invoke(
        main, ["report", str(MINI), "--no-sample", "-q", "--pdf", "--brief", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    for name in ("report.html", "report.md", "brief.html", "brief.md", "report.pdf", "brief.pdf"):
        assert (tmp_path / name).is_file(), name
        assert str(tmp_path / name) in result.output
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF-")


SAFE = {"web": "http://example.org/a", "secure": "https://example.org/b?x=1&y=2", "mail": "mailto:desk@example.org"}
UNSAFE = {
    "script": "javascript:alert(1)",
    "mixed": "JaVaScRiPt:alert(2)",
    "data": "data:text/html;base64,PHNjcmlwdD5hbGVydCgzKTwvc2NyaXB0Pg==",
    "vb": "vbscript:msgbox(4)",
    "file": "file:///etc/passwd",
    "spaced": " javascript:alert(5)",
}


def _link_actions(path) -> list[tuple[str, str]]:
    """(action, URI) of every link annotation of a PDF: what a click in a PDF reader does."""
    from pypdf import PdfReader

    out = []
    for page in PdfReader(path).pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            if action is None:  # a jump within the document (/Dest)
                assert "/Dest" in annot, annot
                continue
            action = action.get_object()
            out.append((str(action.get("/S")), str(action.get("/URI", ""))))
    return out


@needs_browser
def test_only_web_and_mail_addresses_become_links_in_the_pdf(tmp_path):
    """Citations and reports with javascript:, data:, vbscript: and file: addresses are printed as text;
    only the http, https and mailto ones are link annotations, in the report and in the brief."""
    from ach.casefile import dump_case

    urls = {**SAFE, **UNSAFE}
    data = {
        "question": "Which?",
        "hypotheses": [{"id": "A", "title": "Alpha"}, {"id": "B", "title": "Beta", "catch_all": True}],
        "reports": [
            {"id": "r-web", "title": "Web report", "url": "https://example.org/r"},
            {"id": "r-script", "title": "Script report", "url": "javascript:alert(6)"},
        ],
        "evidence": [
            {
                "id": f"E{i}",
                "text": f"Item {name}",
                "likelihood": {"A": round(0.2 + 0.07 * i, 2), "B": 0.5},
                "citation": {"report": f"Report {name}", "url": url},
            }
            for i, (name, url) in enumerate(urls.items(), start=1)
        ],
    }
    (tmp_path / "links.yaml").write_text(dump_case(data), encoding="utf-8")
    report = Report(ach.analyze(ach.load(tmp_path / "links.yaml"), sample=False))
    paths = report.save(tmp_path, brief=True, pdf=True)
    actions = _link_actions(paths["pdf"])
    assert {kind for kind, _ in actions} == {"/URI"}, actions  # no /JavaScript, /Launch, /SubmitForm
    assert {uri for _, uri in actions} == {*SAFE.values(), "https://example.org/r"}, actions
    assert all(kind == "/URI" and uri.startswith(("http://", "https://", "mailto:")) for kind, uri in actions)
    assert all(kind == "/URI" for kind, _ in _link_actions(paths["brief_pdf"]))
    assert all(uri.startswith(("http://", "https://", "mailto:")) for _, uri in _link_actions(paths["brief_pdf"]))
    text = _words(" ".join(_pages(paths["pdf"])))
    for url in (UNSAFE["script"], UNSAFE["vb"], "javascript:alert(6)"):
        assert url in text  # shown, as text
    for raw in (paths["pdf"].read_bytes(), paths["brief_pdf"].read_bytes()):
        assert b"/JavaScript" not in raw and b"/Launch" not in raw


# -- not printed: what the analyst is told -------------------------------------------------
def _report_without(monkeypatch, tmp_path, *extra):
    result = CliRunner().invoke(main, ["report", str(MINI), "--no-sample", "-q", "-o", str(tmp_path), *extra])
    assert "Traceback" not in result.output
    return result


def test_without_chromium_pdf_says_what_to_install_and_keeps_the_html(monkeypatch, tmp_path):
    monkeypatch.delenv(pdf.BROWSER_VARIABLE, raising=False)
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    result = _report_without(monkeypatch, tmp_path, "--pdf", "--brief")
    assert result.exit_code == 1
    assert "no Chromium was found" in result.output
    assert "apt-get install chromium" in result.output and "ACH_CHROMIUM" in result.output
    for name in ("report.html", "report.md", "brief.html", "brief.md"):
        assert (tmp_path / name).is_file(), name
    assert not (tmp_path / "report.pdf").exists() and not (tmp_path / "brief.pdf").exists()


def test_a_wrong_ach_chromium_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv(pdf.BROWSER_VARIABLE, str(tmp_path / "no-such-browser"))
    result = _report_without(monkeypatch, tmp_path, "--pdf")
    assert result.exit_code == 1
    assert f"ACH_CHROMIUM={tmp_path / 'no-such-browser'} is not an executable" in result.output
    assert (tmp_path / "report.html").is_file()


def test_without_playwright_pdf_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # import fails as if not installed
    result = _report_without(monkeypatch, tmp_path, "--pdf")
    assert result.exit_code == 1
    assert re.search(r"playwright is not installed; pip install 'ach\[pdf\]'", result.output)
    assert (tmp_path / "report.html").is_file() and not (tmp_path / "report.pdf").exists()


def test_an_unknown_paper_size_is_refused():
    with pytest.raises(pdf.PdfError, match="unknown paper size 'A3'"):
        pdf.print_pdfs([], paper="A3")


def test_the_cli_does_not_import_playwright_to_start():
    import subprocess

    code = "import sys, ach.cli, ach.report; print('playwright' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.stdout.strip() == "False", proc.stderr
