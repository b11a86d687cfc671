"""The report: one context rendered to Markdown and to self-contained HTML."""

from __future__ import annotations

import base64
import dataclasses
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from markupsafe import escape

import ach
from ach import plots
from ach.formatting import db, pct, times
from ach.report import Report

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
    return ach.analyze(MINI, seed=1, progress=False)


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


NUTS_RUN = {  # the numbers of a healthy NUTS run, laid over an exact-draw result (a fake run)
    "sampler": "nuts",
    "chains": 2,
    "draws": 500,
    "tune": 500,
    "r_hat_max": 1.002,
    "ess_bulk_min": 900.0,
    "ess_tail_min": 800.0,
    "divergences": 0,
}


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
        "Bottom line",
        "Figures",
        "What drove the result",
        "Sensitivity",
        "What would change our mind",
        "Classic ACH vs Bayes",
        "Evidence matrix",
        "Sources",
        "Uncertainty",
        "Caveats",
        "Annex: how the intervals were computed",
        "Provenance",
    ]


def test_html_sections_and_contents_follow_the_same_order(html):
    ids = re.findall(r'<section id="([^"]+)"', html)
    assert ids == [
        "bottom-line",
        "figures",
        "drivers",
        "sensitivity",
        "change-our-mind",
        "classic",
        "matrix",
        "sources",
        "uncertainty",
        "caveats",
        "annex",
        "provenance",
    ]
    nav = section(html, '<nav class="contents">', "</nav>")
    assert re.findall(r'href="#([^"]+)"', nav) == ids


# -- figures ----------------------------------------------------------------------------
def test_html_is_self_contained_with_embedded_figures(report, html):
    assert 'src="http' not in html and "<link" not in html and "<script" not in html
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) == len(plots.available_figures(report.result)) == len(plots.FIGURES) - 1  # no candidates
    for data in images:
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<style>" in html and "max-width: 1000px" in html


def test_markdown_references_the_figure_files_with_captions(report, markdown):
    for name in plots.available_figures(report.result):
        assert f"(figures/{name}.png)" in markdown
    assert "(figures/collection.png)" not in markdown
    assert markdown.count("### Figure ") == 4  # the main figures; the others sit in their sections
    numbers = [int(n) for n in re.findall(r"^\*Figure (\d+)\.", markdown, flags=re.M)]
    assert numbers == list(range(5, len(plots.available_figures(report.result)) + 1))
    assert "weight of evidence" in section(markdown, "### Figure 2", "### Figure 3")


# -- escaping ---------------------------------------------------------------------------------
def test_hostile_text_is_escaped_in_html(hostile):
    page = hostile.to_html()
    assert "<script>alert" not in page and "<script" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "Hostile &lt;b&gt;input&lt;/b&gt;" in page
    assert "Alpha &amp; Omega" in page
    assert 'href="javascript:' not in page  # a non-web citation address is not made a link
    assert "(javascript:alert(1))" in page  # ...but shown as text, so nothing is hidden
    assert 'href="https://example.org/wire"' in page
    summary = hostile.summary_html()
    assert "<b>input" not in summary and "Hostile &lt;b&gt;input&lt;/b&gt;" in summary


def test_hostile_text_cannot_break_markdown_tables(hostile):
    text = hostile.to_markdown()
    assert "<script>" not in text
    matrix = section(text, "## Evidence matrix", "## Sources")
    row = next(line for line in matrix.splitlines() if line.startswith("| X1 |"))
    assert "&lt;script>" in row and "\\| twice" in row and "r&amp;d.txt" in row
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
    drivers = section(markdown, "## What drove the result", "## Sensitivity")
    rows = [line for line in drivers.splitlines() if re.match(r"^\| E\d", line)]
    assert [row.split(" | ")[0] for row in rows] == ["| E3", "| E1", "| E2"]
    assert "| Physical traces | +3.6 |" in rows[0]
    page = hostile.to_html()
    assert "r&amp;d.txt" in section(page, 'id="drivers"', 'id="sensitivity"')


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
    part = section(markdown, "## Uncertainty", "## Caveats")
    assert "how uncertain the probability is given the evidence" in part
    assert "a test of robustness, not a probability" in part
    for jargon in ("R-hat", "ESS", "Monte Carlo", "MC SE", "stratified", "draws"):  # the body is in the analyst's words
        assert jargon not in part, jargon
    annex = section(markdown, "## Annex: how the intervals were computed", "## Provenance")
    assert f"{sampled.bayes.draws:,} exact independent draws, seed 1" in annex
    assert f"| independent draws | {sampled.bayes.draws:,} |" in annex
    error = f"{100 * sampled.bayes.summary.mc_error:.2g} pp"
    assert f"| Monte Carlo error, largest (interval ends, shares) | {error} | below 0.5 pp | ok |" in annex
    assert "R-hat" not in annex and "divergent" not in annex  # no chains, no transitions
    assert "agrees with the exact posterior within Monte Carlo error" in annex
    assert "stratified posterior (exact draws)" in annex


def test_a_nuts_run_shows_the_mcmc_diagnostics(sampled):
    nuts = with_bayes(sampled, **NUTS_RUN)
    part = section(Report(nuts).to_markdown(), "## Annex: how the intervals were computed", "## Provenance")
    assert "NUTS, 2 chains × 500 draws after 500 tuning steps, seed 1" in part
    assert "| R-hat, largest | 1.002 | below 1.01 | ok |" in part
    assert "| bulk ESS, smallest | 900 | above 400 | ok |" in part
    assert "| tail ESS, smallest | 800 |" in part and "| divergent transitions | 0 | 0 | ok |" in part
    assert "stratified posterior (NUTS)" in part


def test_too_few_exact_draws_is_a_failed_check(sampled):
    few = ach.analyze(MINI, seed=1, draws=200, progress=False)
    assert few.bayes.summary.mc_error > 0.005 and not few.bayes.healthy
    text = Report(few).to_markdown()
    assert "WARNING: THE SAMPLER'S DIAGNOSTICS FAILED" in text and "too few draws" in text


def test_not_sampled_report_says_no_uncertainty_was_computed(exact_report):
    text, page = exact_report.to_markdown(), exact_report.to_html()
    for rendering in (text, page):
        assert "No uncertainty was computed" in rendering
        assert "--no-sample" in rendering
    assert "90 % interval" not in exact_report.result.bottom_line()
    assert "R-hat" not in text and "not assessed" in text


def test_unhealthy_sampler_is_announced_loudly_at_the_top(sampled):
    bad = Report(with_bayes(sampled, **{**NUTS_RUN, "divergences": 5}))
    text, page = bad.to_markdown(), bad.to_html()
    assert "5 divergent transitions" in text and "5 divergent transitions" in page
    assert text.index("WARNING: THE SAMPLER'S DIAGNOSTICS FAILED") < text.index("## Bottom line")
    alert = page.index('<div class="alert" role="alert">')
    assert alert < page.index('class="bluf"')
    assert "| divergent transitions | 5 | 0 | **FAILED** |" in text
    assert "WARNING" in bad.summary_html()


def test_healthy_sampler_shows_no_warning(sampled):
    good = Report(with_bayes(sampled, **NUTS_RUN))
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
    for key in ("ach_version", "case_sha256", "seed", "draws", "numpy_version"):
        assert f" {info[key]} |" in prov
    assert "| sampler | exact independent draws, stratified on the hypothesis |" in prov
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
    shown = plots.available_figures(report.result)
    assert set(paths["figures"]) == set(shown)
    assert sorted(p.name for p in folder.iterdir()) == ["figures", "report.html", "report.md"]
    assert sorted(p.name for p in (folder / "figures").iterdir()) == sorted(f"{n}.png" for n in shown)
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

    from ach import files

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        files.write_atomic(target, b"new")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


# -- sensitivity and what would change our mind ------------------------------------------------
K1 = Path(__file__).resolve().parents[1] / "cases" / "k1.yaml"


def k1_with(collection):
    case = ach.load(K1)
    return ach.analyze(dataclasses.replace(case, collection=collection), sample=False)


@pytest.fixture(scope="module")
def k1_plain():
    """K-1 without candidate observations, not sampled."""
    return Report(k1_with(()))


@pytest.fixture(scope="module")
def k1_candidates():
    from ach.case import Candidate
    from ach.scales import Belief

    hyps = ach.load(K1).hypothesis_ids  # KH IAM ISIS SUNNI OTHER
    rows = {
        "C1": ("The US releases the intercepts", [0.6, 0.2, 0.05, 0.05, 0.1]),
        "C2": ("ISIS claims the attack in al-Naba", [0.02, 0.02, 0.4, 0.05, 0.05]),
        "C3": ("Police find a safe house", [0.3, 0.3, 0.35, 0.3, 0.3]),
    }
    candidates = tuple(Candidate(c, t, {h: Belief(v) for h, v in zip(hyps, vals)}) for c, (t, vals) in rows.items())
    return Report(k1_with(candidates))


@pytest.fixture(scope="module")
def k1_md(k1_plain):
    return k1_plain.to_markdown()


@pytest.fixture(scope="module")
def k1_html(k1_plain):
    return plain(k1_plain.to_html())


def test_k1_report_has_both_new_sections_in_both_renderings(k1_md, k1_html):
    for heading in (
        "## Sensitivity",
        "## What would change our mind",
        "### Linchpins",
        "### Leave one out",
        "### Tornado: the uncertain inputs",
        "### Reliability of the most influential sources",
        "### Deception: what if an item was planted?",
        "### The assessment over time",
        "### Robustness",
        "### How much would one item have to change?",
        "### How much would the prior have to change?",
        "### What to collect next",
        "### The hardest hypotheses to tell apart",
    ):
        assert heading in k1_md
        assert f">{heading.lstrip('# ')}</h" in k1_html.replace("&#39;", "'")
    for name in ("leave_one_out", "tornado", "reliability_sweeps", "deception", "timeline"):
        assert f"(figures/{name}.png)" in section(k1_md, "## Sensitivity", "## What would change our mind")
        assert f'id="figure-{name}"' in section(k1_html, 'id="sensitivity"', 'id="change-our-mind"')
    assert 'id="figure-robustness"' not in k1_html  # not sampled
    assert "Not sampled" in section(k1_md, "### Robustness", "## What would change our mind")


def test_linchpin_sentences_name_the_linchpins(k1_plain, k1_md, k1_html):
    s = k1_plain.result.sensitivity
    items = [s.items[i] for i in s.loo.item_linchpins]
    sources = [s.sources[k] for k in s.loo.source_linchpins]
    assert {"E01", "E02", "E03", "E24"} <= set(items) and sources == ["us-gov"]  # the US claims, the silence
    part = section(k1_md, "### Linchpins", "### Leave one out")
    for i in s.loo.item_linchpins:
        assert f"Removing {s.items[i]} alone would make {s.loo.item_leaders[i]} the leading hypothesis" in part
        assert f"Removing {s.items[i]} alone would make {s.loo.item_leaders[i]}" in k1_html
    assert "Removing the source US government (us-gov), all 6 of its items, would make ISIS the leading" in part


def test_bottom_line_names_what_the_judgment_rests_on(k1_plain, k1_md, k1_html):
    s = k1_plain.result.sensitivity
    up_front = section(k1_md, "## Bottom line", "### Key judgments")
    rests = up_front[up_front.index("The judgment rests on: ") :]
    assert all(s.items[i] in rests for i in s.loo.item_linchpins)
    assert "(US government)" in rests and "the source US government (us-gov) as a whole" in rests
    assert "Without any one of these alone, ISIS would lead." in rests
    bluf = section(k1_html, '<div class="bluf">', '<div class="confidence">')
    assert "The judgment rests on: E01, E02" in bluf


def test_no_linchpin_is_said_plainly(markdown):
    up_front = section(markdown, "## Bottom line", "### Key judgments")
    assert "No single item or source is a linchpin: KID stays the leading hypothesis" in up_front


def test_leave_one_out_and_tornado_tables(k1_plain, k1_md):
    result = k1_plain.result
    loo = section(k1_md, "### Leave one out", "### Tornado")
    us = next(r for r in result.loo_table() if r.id == "us-gov")
    assert "| us-gov | the whole source: US government" in loo
    assert f"| {db(100 * us.change, ' pp')} | **ISIS (linchpin)** |" in loo
    rows = [line for line in loo.splitlines() if line.startswith("| ") and not line.startswith(("| Removed", "| ---"))]
    assert len(rows) == 10
    assert [r.split(" | ")[0][2:] for r in rows] == [r.id for r in result.loo_table(10)]
    tornado = section(k1_md, "### Tornado", "### Reliability")
    first = result.sensitivity.tornado[0]
    assert f"| {first.label} |" in tornado
    assert "The 10 longest of" in tornado


def test_sweeps_deception_and_timeline_are_described_in_words(k1_plain, k1_md):
    result = k1_plain.result
    sweeps = section(k1_md, "### Reliability of the most influential sources", "### Deception")
    runs = result.sensitivity.sweeps["us-gov"].segments
    cut = (runs[0][1] + runs[1][0]) / 2
    assert (
        f"US government (us-gov), reliability 0.65 in the case: {runs[0][2]} leads below a reliability of about {cut:.2f}"
        in sweeps
    )
    deception = section(k1_md, "### Deception", "### The assessment over time")
    for eid in ("E01", "E11", "E27"):
        assert f"- {eid} (credibility 0.60 in the case; if not genuine" in deception
    timeline = section(k1_md, "### The assessment over time", "### Robustness")
    assert "| prior | before any evidence | 35 % |" in timeline
    assert "| 2020-02-13 | 2 items: E28, E29 |" in timeline  # the timeline runs over the later reporting too


def test_thresholds_table_lists_every_item_smallest_change_first(k1_plain, k1_md):
    result = k1_plain.result
    part = section(k1_md, "### How much would one item have to change?", "### How much would the prior")
    rows = [line for line in part.splitlines() if re.match(r"^\| E\d\d \|", line)]
    assert sorted(r.split(" | ")[0][2:] for r in rows) == sorted(result.inputs.items)
    edits = [r.split(" | ")[2] for r in rows]
    factors = [float(re.search(r"\(([\d.]+)-fold\)", e).group(1)) for e in edits if e != "–"]
    assert factors == sorted(factors) and len(factors) >= 10
    assert edits[len(factors) :] and all(e == "–" for e in edits[len(factors) :])
    e02 = next(t for t in result.sensitivity.thresholds if t.item == "E02")
    row = next(r for r in rows if r.startswith("| E02 |"))
    verb = "raise" if e02.direction == "raise" else "lower"
    assert f"| {verb} its likelihood under {e02.hypothesis} from {e02.value_from:.2g} to {e02.value_to:.2g}" in row
    assert row.endswith(f"| {e02.rival} |")
    stuck = next(t for t in result.sensitivity.thresholds if t.factor is None)
    assert next(r for r in rows if r.startswith(f"| {stuck.item} |")).endswith("| – | – |")


def test_prior_threshold_sentence(k1_plain, k1_md):
    p = k1_plain.result.sensitivity.prior
    part = section(k1_md, "### How much would the prior have to change?", "### What to collect next")
    assert (
        f"you would need to believe beforehand that KH is at most {times(1 / p.odds_needed)} times as likely as ISIS"
        in part
    )
    assert f"(the case's prior makes KH {times(1 / p.odds_now)} times as likely as ISIS)" in part


def test_without_candidates_the_report_shows_the_hardest_pairs(k1_plain, k1_md, k1_html):
    part = k1_md[k1_md.index("### What to collect next") : k1_md.index("## Classic ACH vs Bayes")]
    assert "The case lists no candidate observations" in part
    assert "| Candidate |" not in part and "collection.png" not in k1_md
    assert "### The hardest hypotheses to tell apart" in part
    first = k1_plain.result.hardest_pairs[0]
    assert {first.a, first.b} == {"KH", "ISIS"}
    assert f"| {first.a} / {first.b} | {pct(first.mass)} | favours ISIS by {abs(first.evidence_db):.1f} dB |" in part
    assert (
        f"an item 10 times more expected under {first.a} than under {first.b} would be worth about "
        f"{first.gain_from_10db:.2f} bits"
    ) in part
    assert "The hardest hypotheses to tell apart" in k1_html


def test_candidates_are_ranked_with_their_values(k1_candidates):
    text = k1_candidates.to_markdown()
    part = text[text.index("### What to collect next") : text.index("### The hardest hypotheses")]
    values = k1_candidates.result.collection
    rows = [line for line in part.splitlines() if re.match(r"^\| C\d \|", line)]
    assert [r.split(" | ")[0][2:] for r in rows] == [v.id for v in values]
    best = values[0]
    assert rows[0].endswith(f"| {best.info_gain:.2f} | {100 * best.probability_gain:.1f} pp |")
    assert f"| {pct(best.p_seen)} |" in rows[0]
    assert "(figures/collection.png)" in part
    assert f"Most worth collecting: {best.id}" in part
    assert "### The hardest hypotheses to tell apart" in text  # always shown
    page = k1_candidates.to_html()
    assert 'id="figure-collection"' in page


def test_sampled_report_shows_the_pymc_views_with_their_meaning(markdown, html, sampled):
    part = section(markdown, "### Robustness", "## What would change our mind")
    assert "(figures/robustness.png)" in part
    assert "uncertainty about the posterior given the evidence" in part
    assert "robustness to our own judgments" in part and "not a posterior" in part
    share = sampled.bayes.summary.p_leading[sampled.hypotheses.index("KID")]
    assert share > 0.999 and f"KID leads in {pct(share)} of the stratified posterior draws" in part
    assert 'id="figure-robustness"' in html


# -- the brief (its PDF: tests/test_pdf.py) ------------------------------------------------------
@pytest.fixture(scope="module")
def k1_brief(k1_candidates):
    """The K-1 brief in Markdown, and its HTML's text with the entities decoded (E25's, not E25&#39;s)."""
    from markupsafe import Markup

    return k1_candidates.brief_markdown(), plain(Markup(k1_candidates.brief_html()).unescape())


def test_the_brief_has_the_bottom_line_key_judgments_linchpins_and_what_would_change_our_mind(k1_candidates, k1_brief):
    brief_md, brief_html = k1_brief
    r = k1_candidates.result
    c = k1_candidates.context
    assert [line for line in brief_md.splitlines() if line.startswith("## ")] == [
        "## Bottom line",
        "## Key judgments",
        "## Linchpins",
        "## What would change our mind",
    ]
    for heading in ("Key judgments", "Linchpins", "What would change our mind"):
        assert f">{heading}</h2>" in brief_html
    assert f"**{r.bottom_line()}**" in brief_md and r.bottom_line() in brief_html
    for h in r.hypotheses:
        assert f"({h})**: {r.statement(h)}." in brief_md
        assert f"({h})</strong>: {r.statement(h)}." in brief_html
    for sentence in c["linchpins"]["sentences"] + c["change"]["closest"]:
        assert sentence in brief_md and sentence in brief_html
    assert c["change"]["prior"] in brief_md
    assert c["change"]["best"].startswith("Most worth collecting: C") and c["change"]["best"] in brief_md
    assert c["change"]["pairs"][0]["sentence"] in brief_md


def test_the_brief_leaves_the_detail_to_the_full_report(k1_candidates, k1_brief):
    brief_md, brief_html = k1_brief
    full = k1_candidates.to_markdown()
    assert len(brief_md) < len(full) / 5
    for absent in ("## Evidence matrix", "## Sources", "## Provenance", "| E01 |"):
        assert absent not in brief_md
    assert brief_html.count("<img ") == 1 and 'id="figure-posterior"' in brief_html
    assert "(figures/posterior.png)" in brief_md
    assert "The full report beside this brief" in brief_md and "report.html" in brief_html


def test_the_brief_carries_the_handling_line_top_and_bottom():
    case = dataclasses.replace(ach.load(MINI), handling="SECRET // <NOFORN>")
    brief = Report(ach.analyze(case, sample=False))
    assert brief.brief_html().count('<p class="handling">SECRET // &lt;NOFORN&gt;</p>') == 2
    md = brief.brief_markdown()
    assert md.startswith("**SECRET // &lt;NOFORN>**") and md.rstrip().endswith("**SECRET // &lt;NOFORN>**")


def test_hostile_text_is_escaped_in_the_brief(hostile):
    page = hostile.brief_html()
    assert "<script" not in page and "<b>input" not in page
    assert "Hostile &lt;b&gt;input&lt;/b&gt;" in page and "Alpha &amp; Omega" in page
    assert "<script>" not in hostile.brief_markdown()


def test_save_with_brief_writes_it_beside_the_report(report, tmp_path):
    paths = report.save(tmp_path, brief=True)
    assert paths["brief_markdown"] == tmp_path / "brief.md" and paths["brief_html"] == tmp_path / "brief.html"
    assert paths["brief_html"].read_text(encoding="utf-8") == report.brief_html()
    for target in re.findall(r"\]\((figures/[^)]+)\)", paths["brief_markdown"].read_text(encoding="utf-8")):
        assert (tmp_path / target).is_file()
    assert "pdf" not in paths and not (tmp_path / "report.pdf").exists()


def test_the_stylesheet_lays_the_report_out_for_print(html):
    """Sections start a page; figures, table rows and short tables are never split (checked on paper in test_pdf)."""
    css = html[html.index("@media print") :]
    for rule in (
        "main > section + section { break-before: page; }",
        "h2, h3, .legend-line, figure + .note { break-after: avoid; }",
        "table.keep { break-inside: avoid; }",
    ):
        assert rule in css
    assert re.search(r"tr, thead, [^{]*\{ break-inside: avoid; \}", css)
    assert re.search(r"figure \{[^}]*break-inside: avoid", html)
