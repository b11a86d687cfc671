"""The report: one context rendered to Markdown and to self-contained HTML."""

from __future__ import annotations

import base64
import dataclasses
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from markupsafe import escape  # noqa: E402

import ach  # noqa: E402
from ach import plots  # noqa: E402
from ach.report import Report  # noqa: E402

MINI = Path(__file__).resolve().parent / "data" / "mini.yaml"

HOSTILE = """
title: Hostile <b>input</b>
question: Does the report escape <script>alert('q')</script>?
hypotheses:
  - {id: A, title: Alpha & Omega}
  - {id: B, title: Beta, catch_all: true}
sources:
  - {id: wire, title: "Wire <i>service</i>", reliability: B, notes: "pipes | and <tags>"}
evidence:
  - id: X1
    text: "Intercepted <script>alert('x')</script> message"
    source: wire
    likelihood: {A: likely, B: 0.2}
    citation: {report: "r&d.txt", quote: "he said \\"<b>yes</b>\\" | twice", url: "javascript:alert(1)"}
  - id: X2
    text: A plain item
    likelihood: {A: 0.5, B: 0}
    citation: {report: wire.txt, quote: A plain quote, url: "https://example.org/wire"}
"""


@pytest.fixture(scope="module")
def sampled():
    return ach.analyze(MINI, draws=200, tune=200, chains=2, seed=1, progress=False)


@pytest.fixture(scope="module")
def report(sampled):
    return Report(sampled)


@pytest.fixture(scope="module")
def html(report):
    return report.to_html()


@pytest.fixture(scope="module")
def markdown(report):
    return report.to_markdown()


@pytest.fixture(scope="module")
def exact_report():
    return Report(ach.analyze(MINI, sample=False))


@pytest.fixture(scope="module")
def hostile():
    return Report(ach.analyze(ach.loads(HOSTILE), sample=False))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def with_bayes(result, **changes):
    """The same result with some sampler numbers changed (a fake run)."""
    return dataclasses.replace(result, bayes=dataclasses.replace(result.bayes, **changes))


def plain(page: str) -> str:
    """HTML text with the non-breaking spaces (kept between number and unit) made ordinary."""
    return page.replace("\u00a0", " ")


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end)]


# -- the bottom line up front -------------------------------------------------------
def test_bottom_line_leads_both_renderings(sampled, markdown, html):
    line = sampled.bottom_line()
    assert line.startswith("The child (KID) is the leading hypothesis: likely (80 %, 90 % interval")
    assert line in markdown
    assert str(escape(line)) in plain(html)
    # up front: before the figures and the evidence
    assert markdown.index(line) < markdown.index("## Figures") < markdown.index("## Evidence matrix")
    assert plain(html).index(str(escape(line))) < plain(html).index('id="figures"')


def test_confidence_is_stated_apart_from_the_probability(sampled, markdown, html):
    level, reasons = sampled.confidence
    assert f"**Analytic confidence: {level}.**" in markdown
    assert f'Analytic confidence: <span class="level">{level}</span>' in html
    for reason in reasons:
        assert str(escape(reason)) in plain(html)


def test_key_judgments_list_every_hypothesis_most_probable_first(sampled, markdown):
    judgments = section(markdown, "### Key judgments", "### Hypotheses considered")
    positions = [judgments.index(f"({h})**: {sampled.statement(h)}.") for h in ("KID", "OTHER", "DOG")]
    assert positions == sorted(positions)


def test_sections_appear_in_order(markdown):
    headings = re.findall(r"^## (.+)$", markdown, flags=re.M)
    assert headings == [
        "Bottom line", "Figures", "What drove the result", "Classic ACH vs Bayes", "Evidence matrix",
        "Sources", "Uncertainty and diagnostics", "Caveats", "Provenance",
    ]


# -- figures ----------------------------------------------------------------------------
def test_html_is_self_contained_with_embedded_figures(html):
    assert 'src="http' not in html and "<link" not in html and "<script" not in html
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) == len(plots.FIGURES)
    for data in images:
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<style>" in html and "max-width: 1000px" in html


def test_markdown_references_the_figure_files_with_captions(markdown):
    for name in plots.FIGURES:
        assert f"(figures/{name}.png)" in markdown
    assert markdown.count("### Figure ") == 4
    assert "weight of evidence" in section(markdown, "### Figure 2", "### Figure 3")


# -- escaping ---------------------------------------------------------------------------------
def test_hostile_text_is_escaped_in_html(hostile):
    page = hostile.to_html()
    assert "<script>alert" not in page and "<script" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "Hostile &lt;b&gt;input&lt;/b&gt;" in page
    assert "Alpha &amp; Omega" in page
    assert "javascript:" not in page  # a non-web citation link is not made a link
    assert 'href="https://example.org/wire"' in page
    summary = hostile.summary_html()
    assert "<b>input" not in summary and "Hostile &lt;b&gt;input&lt;/b&gt;" in summary


def test_hostile_text_cannot_break_markdown_tables(hostile):
    text = hostile.to_markdown()
    assert "<script>" not in text
    matrix = section(text, "## Evidence matrix", "## Sources")
    row = next(line for line in matrix.splitlines() if line.startswith("| X1 |"))
    assert "&lt;script&gt;" in row and "\\| twice" in row and "r&amp;d.txt" in row
    cells = re.split(r"(?<!\\)\|", row)[1:-1]  # split on unescaped pipes only
    assert len(cells) == 6 + len(hostile.result.hypotheses)


# -- the tables -----------------------------------------------------------------------------
def test_every_item_appears_in_the_evidence_matrix(sampled, markdown, html):
    md_matrix = section(markdown, "## Evidence matrix", "## Sources")
    html_matrix = section(html, 'id="matrix"', 'id="sources"')
    for e in sampled.case.evidence:
        assert re.search(rf"^\| {e.id} \| {re.escape(e.text)} \|", md_matrix, flags=re.M)
        assert f'<td class="id">{e.id}</td>' in html_matrix


def test_matrix_rows_carry_ratings_as_written_and_group_by_source(markdown, html):
    md_matrix = section(markdown, "## Evidence matrix", "## Sources")
    # E1 as written: KID 0.3, OTHER I, DOG likely (columns most probable first), credibility 2
    assert "| E1 | Crumbs on the dog bed |  | 2 (probably true) | 0.3 | I | likely | −1.2 | – |" in md_matrix
    assert md_matrix.index("### The child's own account") < md_matrix.index("| E2 |")
    assert md_matrix.index("### Physical traces") < md_matrix.index("| E1 |") < md_matrix.index("| E3 |")
    assert "*Reliability: D (not usually reliable), 0.40.*" in md_matrix
    html_matrix = section(html, 'id="matrix"', 'id="sources"')
    assert html_matrix.count('<tr class="group">') == 2


def test_na_ratings_are_written_as_na():
    case = ach.loads(
        "question: q\nhypotheses: [{id: A, title: A}, {id: B, title: B, catch_all: true}]\n"
        "evidence:\n  - {id: E1, text: t, likelihood: {A: 0.7, B: NA}}\n"
    )
    text = Report(ach.analyze(case, sample=False)).to_markdown()
    assert re.search(r"^\| E1 \| t \|.*\| 0\.7 \| NA \|", text, flags=re.M)


def test_drivers_list_top_items_with_sources_and_citations(hostile, markdown):
    drivers = section(markdown, "## What drove the result", "## Classic ACH vs Bayes")
    rows = [line for line in drivers.splitlines() if re.match(r"^\| E\d", line)]
    assert [row.split(" | ")[0] for row in rows] == ["| E3", "| E1", "| E2"]
    assert "| Physical traces | +3.6 |" in rows[0]
    page = hostile.to_html()
    assert "r&amp;d.txt" in section(page, 'id="drivers"', 'id="classic"')


def test_sources_table(markdown):
    sources = section(markdown, "## Sources", "## Uncertainty")
    assert "| `kid` | The child's own account | D (not usually reliable), 0.40 | 1 | +0.8 |" in sources
    assert "| `crumbs` | Physical traces | 0.95 | 2 | +4.3 |" in sources


def test_classic_scores_sit_beside_the_posterior_with_a_verdict(markdown):
    classic = section(markdown, "## Classic ACH vs Bayes", "## Evidence matrix")
    assert "| The child (KID) | 1 | 1.4 | 1= | 80 % | 1 |" in classic
    assert "| The dog (DOG) | 2 | 4.0 | 3 | 6 % | 3 |" in classic
    assert "Classic ACH cannot separate KID and OTHER" in classic


# -- uncertainty ---------------------------------------------------------------------------
def test_uncertainty_section_labels_both_computations(sampled, markdown):
    part = section(markdown, "## Uncertainty and diagnostics", "## Caveats")
    assert "uncertainty about the posterior given the evidence" in part
    assert "robustness: where the answer could land if our judgments are off within their stated uncertainty; not a posterior" in part
    assert f"{sampled.bayes.r_hat_max:.3f}" in part
    assert f"| bulk ESS, smallest | {sampled.bayes.ess_bulk_min:.0f} |" in part
    assert f"| tail ESS, smallest | {sampled.bayes.ess_tail_min:.0f} |" in part
    assert "| divergent transitions |" in part
    assert "agrees with the exact posterior within Monte Carlo error" in part


def test_not_sampled_report_says_no_uncertainty_was_computed(exact_report):
    text, page = exact_report.to_markdown(), exact_report.to_html()
    for rendering in (text, page):
        assert "No uncertainty was computed" in rendering
        assert "--no-sample" in rendering
    assert "90 % interval" not in exact_report.result.bottom_line()
    assert "R-hat" not in text and "not assessed" in text


def test_unhealthy_sampler_is_announced_loudly_at_the_top(sampled):
    bad = Report(with_bayes(sampled, divergences=5))
    text, page = bad.to_markdown(), bad.to_html()
    assert "5 divergent transitions" in text and "5 divergent transitions" in page
    assert text.index("WARNING: THE SAMPLER'S DIAGNOSTICS FAILED") < text.index("## Bottom line")
    alert = page.index('<div class="alert" role="alert">')
    assert alert < page.index('class="bluf"')
    assert "| divergent transitions | 5 | 0 | **FAILED** |" in text
    assert "WARNING" in bad.summary_html()


def test_healthy_sampler_shows_no_warning(sampled):
    good = Report(with_bayes(sampled, r_hat_max=1.001, ess_bulk_min=900.0, ess_tail_min=800.0, divergences=0))
    text, page = good.to_markdown(), good.to_html()
    assert "WARNING" not in text and 'role="alert"' not in page
    assert "All sampler diagnostics pass." in text


# -- caveats and provenance --------------------------------------------------------------
def test_caveats_cover_independence_forward_draws_icd203_and_case_warnings(markdown, hostile):
    caveats = section(markdown, "## Caveats", "## Provenance")
    assert "conditionally independent given the hypothesis" in caveats
    assert "is not a posterior" in caveats
    assert "ICD 203" in caveats
    warned = hostile.to_markdown()
    assert hostile.result.case.warnings
    for w in hostile.result.case.warnings:
        assert str(escape(w.message)).replace("&#39;", "'") in section(warned, "## Caveats", "## Provenance")


def test_provenance_names_version_hash_seed_and_sampler(sampled, markdown):
    prov = markdown[markdown.index("## Provenance") :]
    info = sampled.provenance()
    for key in ("ach_version", "case_sha256", "seed", "draws", "tune", "chains", "pymc_version", "arviz_version"):
        assert f" {info[key]} |" in prov
    assert "| case file | " in prov and str(MINI.name) in prov
    assert "compile_cache" not in markdown


# -- notebook display -------------------------------------------------------------------------
def test_summary_html_for_notebooks(sampled, report):
    summary = report.summary_html()
    assert str(escape(sampled.bottom_line())) in plain(summary)
    assert summary.count("<tr>") == len(sampled.hypotheses) + 1
    assert "data:image" not in summary  # compact: no figures
    assert report._repr_html_() == summary
    assert sampled._repr_html_() == summary
    md = report._repr_markdown_()
    assert sampled.bottom_line() in md and md.count("\n| ") == len(sampled.hypotheses) + 2  # header, rule, rows


# -- files -----------------------------------------------------------------------------------------
def test_save_writes_the_report_and_figures_atomically(report, tmp_path):
    folder = tmp_path / "out"
    paths = report.save(folder)
    assert paths["markdown"] == folder / "report.md" and paths["html"] == folder / "report.html"
    assert set(paths["figures"]) == set(plots.FIGURES)
    assert sorted(p.name for p in folder.iterdir()) == ["figures", "report.html", "report.md"]
    assert sorted(p.name for p in (folder / "figures").iterdir()) == sorted(f"{n}.png" for n in plots.FIGURES)
    text = paths["markdown"].read_text(encoding="utf-8")
    for target in re.findall(r"\]\((figures/[^)]+)\)", text):
        assert (folder / target).is_file()
    assert paths["html"].read_text(encoding="utf-8") == report.to_html()
    report.save(folder)  # overwriting is fine and still leaves no temporary files
    assert not [p for p in folder.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "report.md"
    target.write_text("old", encoding="utf-8")

    def refuse(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(plots.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        plots.write_atomic(target, b"new")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]
