"""Hostile text in a case cannot act through what ach writes (issue 16).

Case files travel: whatever someone else wrote in a title, an item or a
citation must reach a report or a spreadsheet as the characters written,
never as Markdown, HTML, a live link or a formula.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markupsafe import escape

import ach
from ach.case import Citation
from ach.casefile import check_text, dump_case, load
from ach.io.tabular import export_csv, export_xlsx, layout, read_csv, read_xlsx
from ach.report import Report, markdown

MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])  # GitHub's flavour, raw HTML allowed
FRAGMENTS = [
    "[link](javascript:alert(2))",
    "**bold**",
    "_em_",
    "`code`",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "&amp;",
    "<0.1",
    "</",
    "<!--",
    "<?",
    "<a",
    "&#x3C;",
    "|",
    "\\",
    "# ",
    "1. ",
    "2) ",
    "- ",
    "+ ",
    "---",
    "===",
    "> ",
    "~~s~~",
    "$x$",
    "![i](x)",
    "<http://a>",
    "[x]: http://y",
    "*",
    "_",
    "!",
    "  ",
    "\n",
    "\t",
    '=HYPERLINK("http://evil.example","click")',
]
chars = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029\ufeff")
hostile = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(chars, max_size=8)), max_size=8).map("".join)


class Page(HTMLParser):
    """The tags, attributes and text of a page, as a browser would parse them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.text = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(name, value or "") for name, value in attrs]

    def handle_data(self, data):
        self.text += data


def folded(text: str) -> str:
    return " ".join(text.split())


# -- Markdown --------------------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(hostile)
def test_markdown_text_renders_as_exactly_the_characters_written(s):
    page = Page(MD.render(markdown.text(s)))
    assert page.tags == (["p"] if folded(s) else [])  # no link, emphasis, heading, list or HTML
    assert page.text.strip("\n") == folded(s)


@settings(max_examples=300, deadline=None)
@given(hostile, hostile)
def test_markdown_text_stays_in_its_table_cell(left, right):
    table = f"| a | b |\n|---|---|\n| {markdown.text(left)} | {markdown.text(right)} |\n"
    page = Page(MD.render(table))
    assert page.tags.count("td") == 2 and page.tags.count("tr") == 2
    assert set(page.tags) <= {"table", "thead", "tbody", "tr", "th", "td"}
    assert " ".join(page.text.split()) == folded(f"a b {folded(left)} {folded(right)}")


addresses = st.one_of(
    st.builds(str.__add__, st.sampled_from(["http://", "https://", "HTTPS://", "mailto:"]), hostile),
    st.builds(
        str.__add__, st.sampled_from(["javascript:", "JaVaScRiPt:", "data:text/html,", "file:///", "//", ""]), hostile
    ),
    hostile,
)


@settings(max_examples=500, deadline=None)
@given(hostile, addresses)
@example(label="", url="http://@¡")
def test_a_citation_becomes_a_link_only_to_a_web_or_mail_address(label, url):
    link = Citation("r.txt", url=url).link
    assert link in ("", url)
    if link:
        assert link.lower().startswith(("http://", "https://", "mailto:"))
        assert not any(c.isspace() or ord(c) < 32 for c in link)
    page = Page(MD.render(markdown.link(label, link)))
    hrefs = [v for name, v in page.attrs if name == "href"]
    # the address survives the escaping, up to the renderer's own normalisation (``http://@`` -> ``http://``)
    assert len(hrefs) == bool(link)
    if link:
        # markdown-it also drops an empty user part ('http://@host' -> 'http://host'): CI found 'http://@¡'
        forms = {unquote(link), unquote(MD.normalizeLink(link)), unquote(re.sub(r"^([a-zA-Z]+://)@", r"\1", link))}
        assert unquote(hrefs[0]) in forms
    assert page.text.strip("\n") == folded(label)


def test_the_issue_examples():
    assert markdown.text("[link](javascript:alert(2)) **bold**") == "\\[link\\](javascript:alert(2)) \\*\\*bold\\*\\*"
    assert markdown.text("a | b\nc") == "a \\| b c"
    assert markdown.text("snake_case and _em_") == "snake_case and \\_em\\_"
    assert Citation("r", url="javascript:alert(1)").link == ""
    assert Citation("r", url="https://example.org/a b").link == ""  # a space would end the link early
    assert Citation("r", url="mailto:desk@example.org").link == "mailto:desk@example.org"


# -- whole reports ---------------------------------------------------------------------------


def hostile_case(title, hypothesis, item, quote, url):
    data = {
        "title": title or "t",
        "question": hypothesis or "q",
        "hypotheses": [{"id": "A", "title": hypothesis or "a"}, {"id": "B", "title": "Beta", "catch_all": True}],
        "sources": [{"id": "s", "title": title or "s", "reliability": "B", "notes": quote}],
        "evidence": [
            {
                "id": "X1",
                "text": item or "x",
                "source": "s",
                "likelihood": {"A": "likely", "B": 0.2},
                "citation": {"report": title or "r", "quote": quote, "url": url},
                "notes": item,
            },
            {"id": "X2", "text": "plain", "likelihood": {"A": 0.4, "B": 0.6}},
        ],
    }
    text = dump_case(data)
    case, _ = check_text(text.encode("utf-8"), "hostile.yaml")
    assume(case is not None)
    return ach.loads(text, "hostile.yaml")


def report_of(case) -> Report:
    report = Report(ach.analyze(case, sample=False, progress=False))
    report._figures = dict.fromkeys(report.figure_names, b"")  # the pictures are not what is tested here
    return report


SAFE_HREF = ("#", "http://", "https://", "mailto:")


def assert_inert(html: str, *, image: str) -> Page:
    page = Page(html)
    assert "script" not in page.tags and "iframe" not in page.tags and "object" not in page.tags
    assert not [name for name, _ in page.attrs if name.startswith("on")]
    for name, value in page.attrs:
        if name == "href":
            assert value.lower().startswith(SAFE_HREF), value
        if name == "src":
            assert value.startswith(image), value
    return page


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(hostile, hostile, hostile, hostile, addresses)
def test_a_report_shows_hostile_text_and_runs_none_of_it(title, hypothesis, item, quote, url):
    report = report_of(hostile_case(title, hypothesis, item, quote, url))
    html = report.to_html()
    page = assert_inert(html, image="data:image/png;base64,")
    assert folded(item or "x") in folded(page.text)
    assert str(escape(item or "x")) in html
    rendered = MD.render(report.to_markdown())
    page = assert_inert(rendered, image="figures/")
    assert folded(item or "x") in folded(page.text)
    assert_inert(report.summary_html(), image="data:image/png;base64,")
    assert_inert(MD.render(report.summary_markdown()), image="figures/")
    brief = report.brief_html()  # the brief too: its linchpins quote items
    page = assert_inert(brief, image="data:image/png;base64,")
    assert folded(title or "t") in folded(page.text) and str(escape(title or "t")) in brief
    page = assert_inert(MD.render(report.brief_markdown()), image="figures/")
    assert folded(title or "t") in folded(page.text)


# -- spreadsheets ----------------------------------------------------------------------------

formula_like = st.builds(
    lambda quotes, first, rest: quotes + first + rest,
    st.text("'", max_size=3),
    st.sampled_from(list("=+-@\t\r\n")),
    st.text(chars, max_size=12),
)
any_text = st.one_of(formula_like, st.text(chars, max_size=12), st.sampled_from(["'", "''", "'a", "-1", "+44 20"]))


@given(any_text)
def test_defusing_is_undone_exactly(text):
    defused = layout.defuse_formula(text)
    assert defused[:1] not in ("=", "+", "-", "@", "\t", "\r", "\n")
    assert layout.restore_formula(defused) == text


def item_case(text: str, folder: Path):
    data = {
        "question": "Which?",
        "hypotheses": [{"id": "A", "title": "Alpha"}, {"id": "B", "title": text or "b"}],
        "evidence": [{"id": "X1", "text": text or "x", "likelihood": {"A": 0.3, "B": 0.6}, "notes": text}],
    }
    raw = dump_case(data)
    if check_text(raw.encode("utf-8"), "f.yaml")[0] is None:
        return None
    (folder / "f.yaml").write_text(raw, encoding="utf-8")
    return load(folder / "f.yaml")


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(text=formula_like)
def test_formula_like_text_is_defused_on_export_and_restored_on_import(kind, text):
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        case = item_case(text, folder)
        assume(case is not None)
        warnings: list = []
        if kind == "csv":
            for path in export_csv(case, folder / "x.csv", overwrite=True):
                raw = path.read_text(encoding="utf-8-sig")
                for row in csv.reader(io.StringIO(raw, newline="")):
                    assert not [cell for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")], row
            data, _ = read_csv(folder / "x.csv", warnings)
        else:
            export_xlsx(case, folder / "x.xlsx", overwrite=True)
            book = openpyxl.load_workbook(folder / "x.xlsx")
            cells = [c for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
            risky = [c for c in cells if layout.formula_like(layout.xl_unescape(c.value))]
            assert all(c.data_type == "s" and c.quotePrefix for c in risky)
            assert len(risky) >= layout.formula_like(case.evidence[0].text)
            data, _ = read_xlsx(folder / "x.xlsx", warnings)
        item = data["evidence"][0]
        assert item["text"] == case.evidence[0].text and item.get("notes") == case.evidence[0].notes
        assert data["hypotheses"][1]["title"] == case.hypotheses[1].title


def test_the_issue_example_is_text_in_every_spreadsheet(tmp_path):
    link = '=HYPERLINK("http://evil.example","click")'
    case = item_case(link, tmp_path)
    export_csv(case, tmp_path / "x.csv", overwrite=True)
    raw = "".join(p.read_text(encoding="utf-8-sig") for p in tmp_path.glob("x*.csv"))
    assert "'=HYPERLINK(" in raw and ",=HYPERLINK(" not in raw and '"=HYPERLINK(' not in raw
    export_xlsx(case, tmp_path / "x.xlsx", overwrite=True)
    book = openpyxl.load_workbook(tmp_path / "x.xlsx")
    cell = next(c for ws in book for row in ws.iter_rows() for c in row if c.value == link)
    assert cell.data_type == "s" and cell.quotePrefix


# -- runaway files -----------------------------------------------------------------------------


def ach_cli(*args, stdin: bytes | None = None, env: dict | None = None):
    from click.testing import CliRunner

    from ach.cli import main

    return CliRunner().invoke(main, [str(a) for a in args], input=stdin, env=env)


def test_a_runaway_file_prints_the_first_problems_and_counts_the_rest(tmp_path):
    junk = "".join(f"    junk{n}: 1\n" for n in range(130))
    path = tmp_path / "junk.yaml"
    path.write_text(
        "question: q\nhypotheses: [{id: A, title: A}, {id: B, title: B}]\n"
        f"evidence:\n  - id: E1\n    text: t\n    likelihood: {{A: 0.7, B: 0.3}}\n    sorce: x\n{junk}",
        encoding="utf-8",
    )
    result = ach_cli("validate", path)
    assert result.exit_code == 1
    located = [line for line in result.stderr.splitlines() if ": error: " in line or ": warning: " in line]
    assert len(located) == 50 and "unknown field 'sorce'" in located[0]  # file order: the first problems first
    assert "did you mean 'source'?" in result.stderr
    assert "...and 82 more not shown (81 errors, 1 warning): `ach validate --json` lists all" in result.stderr
    listed = json.loads(ach_cli("validate", "--json", path).stdout)[0]["diagnostics"]
    assert len(listed) == 132 and {d["field"] for d in listed} >= {f"evidence E1 › junk{n}" for n in range(130)}


def test_errors_are_shown_before_warnings_when_some_are_cut(capsys):
    from ach.cli.common import show_diagnostics
    from ach.errors import Diagnostic

    warnings = [Diagnostic("warning", f"w{n}", "f.yaml", n) for n in range(60)]
    show_diagnostics([*warnings, Diagnostic("error", "the one that matters", "f.yaml", 99)])
    shown = capsys.readouterr().err
    assert "the one that matters" in shown and shown.count("warning: w") == 49
    assert "...and 11 more not shown (11 warnings)" in shown


def test_an_absurd_size_is_refused_before_reading_with_the_way_to_lift_it(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"question: q\ntitle: " + b"x" * (2 * 2**20) + b"\n")
    result = ach_cli("validate", path, env={"ACH_MAX_MB": "1"})
    assert result.exit_code == 1
    assert "the file is 2.0 MB; ach reads a case file of up to 1 MB" in result.stderr
    assert "`ach --max-mb 3 ...`" in result.stderr and "Traceback" not in result.output
    lifted = ach_cli("--max-mb", "3", "validate", path, env={"ACH_MAX_MB": "1"})
    assert "up to" not in lifted.stderr and "missing required field 'hypotheses'" in lifted.stderr
    piped = ach_cli("validate", "-", stdin=path.read_bytes(), env={"ACH_MAX_MB": "1"})
    assert piped.exit_code == 1 and "the input is larger than the 1 MB ach reads for a case file" in piped.stderr
    wrong = ach_cli("validate", path, env={"ACH_MAX_MB": "lots"})
    assert wrong.exit_code == 1 and "ACH_MAX_MB='lots' is not a size in megabytes" in wrong.stderr


def test_the_default_limit_keeps_a_large_real_case_readable():
    from ach.files import CASE_MAX_BYTES

    assert CASE_MAX_BYTES >= 20 * 2**20  # a 10,000-item case is a few MB (benchmarks/)


# -- long values in messages -------------------------------------------------------------------

long_values = st.builds(
    lambda unit, n: unit * n,
    st.text(st.one_of(chars, st.sampled_from(["'", '"', "`", "\n", " "])), min_size=1, max_size=4),
    st.integers(1, 30_000),
)


def long_value_files(value: str, folder: Path) -> list[Path]:
    """The value where messages quote it: a duplicate key's value, a credibility, a rating, a source, a
    hypothesis, an id used twice, an unknown key; and one spreadsheet cell."""
    v = json.dumps(value)
    loader = folder / "long.yaml"
    loader.write_text(
        f"question: q\ntitle: {v}\nhypotheses: [{{id: A, title: a}}, {{id: B, title: b}}]\n"
        "sources: [{id: s, reliability: B}]\nevidence:\n"
        f"  - {{id: {v}, text: t, source: {v}, credibility: {v}, likelihood: {{A: {v}, {v}: C, B: C}}}}\n"
        f"  - {{id: {v}, text: t, source: s, likelihood: {{A: C, B: I}}}}\n{v}: 1\n",
        encoding="utf-8",
    )
    duplicate = folder / "duplicate.yaml"
    duplicate.write_text(f"title: {v}\nquestion: q\ntitle: again\n", encoding="utf-8")
    sheet = folder / "long.csv"
    with sheet.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([["id", "text", "credibility", "A", "B"], ["E1", "t", value, value, "C"]])
    return [loader, duplicate, sheet]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(long_values)
@example("z" * 1_000_000)
@example("'" * 50_000 + "\n" * 3)
def test_no_printed_line_is_longer_than_a_bound_whatever_the_value(value):
    """A value is quoted by its first QUOTED characters and its length; a line never exceeds LINE
    (and the file name); --json is bounded the same way and still locates the problem."""
    from ach.errors import LINE, QUOTED

    with tempfile.TemporaryDirectory() as folder:
        for path in long_value_files(value, Path(folder)):
            bound = len(str(path)) + 2 * LINE + 40
            if path.suffix == ".csv":
                result = ach_cli("import", path, "--out", Path(folder) / "out.yaml")
                listed = ach_cli("import", path, "--json")
            else:
                result, listed = ach_cli("validate", path), ach_cli("validate", "--json", path)
            assert result.exit_code == 1, result.output
            assert max(map(len, result.stderr.splitlines())) <= bound, path.name
            assert len(result.stderr) <= 60 * bound  # at most 50 problems shown
            diagnostics = json.loads(listed.stdout)[0]["diagnostics"]
            assert any(d["level"] == "error" for d in diagnostics)
            assert all(d["file"] and (d.get("line") or d.get("field")) for d in diagnostics if d["level"] == "error")
            for d in diagnostics:
                assert all(
                    len(line) <= LINE for key in ("message", "hint", "field") for line in d.get(key, "").split("\n")
                )
                assert all(len(p) <= QUOTED + 1 for p in d.get("path", []) if isinstance(p, str))


def test_a_long_quoted_value_is_cut_and_its_length_said():
    from ach.errors import QUOTED, Diagnostic

    d = Diagnostic("error", f"credibility '{'z' * 1_000_000}' is not understood", "f.yaml", 3, hint="'a' or 'b'")
    assert d.message == f"credibility '{'z' * QUOTED}…' (1,000,000 characters) is not understood"
    assert d.hint == "'a' or 'b'"  # short values, and the apostrophe of "item's", are left alone
    kept = "the item's likelihood of 'KH' is " + "x" * 60
    assert Diagnostic("warning", kept).message == kept
