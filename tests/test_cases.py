"""Every case in cases/: valid, cited, commented, reported."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from ach.casefile import load

from .conftest import ROOT

CASES = sorted((ROOT / "cases").glob("*.yaml"))


@pytest.fixture(params=CASES, ids=[c.stem for c in CASES])
def case_path(request):
    return request.param


def test_there_are_teaching_cases():
    assert {"k1", "warmup", "taji-convoy-2020"} <= {c.stem for c in CASES}


def test_case_is_valid_and_every_warning_is_explained_in_a_comment(case_path):
    case = load(case_path)
    lines = case_path.read_text().splitlines()
    starts = sorted(e.line for e in case.evidence if e.line)
    for d in case.warnings:
        # the comment may stand anywhere in the item the warning points into
        start = max((s for s in starts if s <= d.line), default=1)
        end = min((s for s in starts if s > d.line), default=len(lines) + 1)
        while start > 1 and lines[start - 2].lstrip().startswith("#"):  # and the comments just above it
            start -= 1
        block = [line.split("#", 1)[1].lower() for line in lines[start - 1 : end - 1] if "#" in line]
        assert any("warn" in c for c in block), (
            f"{case_path.name}:{d.line}: warning not explained in a comment: {d.message}"
        )


def test_every_quote_from_a_seed_report_is_verbatim(case_path, seeds):
    doc = YAML(typ="safe").load(case_path.read_text())
    cited = 0
    for item in doc["evidence"]:
        citation = item.get("citation") or {}
        seed = seeds / str(citation.get("report", ""))
        if not seed.is_file():
            continue
        report = " ".join(seed.read_text(encoding="utf-8").split())
        quote = " ".join(str(citation.get("quote", "")).split())
        assert quote and quote in report, f"{case_path.name} {item['id']}: quote not found in {seed.name}"
        cited += 1
    if case_path.stem != "warmup":  # the warm-up is invented; every other case is built from the seeds
        assert cited == len(doc["evidence"])


def test_every_likelihood_has_a_rationale_comment(case_path):
    doc = YAML(typ="rt").load(case_path.read_text())
    lines = case_path.read_text().splitlines()
    for entry in [*doc["evidence"], *doc.get("collection", [])]:
        for hypothesis in entry["likelihood"]:
            row = lines[entry["likelihood"].lc.key(hypothesis)[0]]
            assert "#" in row and row.split("#", 1)[1].strip(), f"{case_path.name} {entry['id']} {hypothesis}: {row!r}"


def test_every_case_has_a_committed_report(case_path):
    """The Markdown and every figure it shows are committed (report.html, which inlines the figures
    a second time, is made by ach report and not kept)."""
    import subprocess

    folder = ROOT / "reports" / case_path.stem
    tracked = subprocess.run(
        ["git", "ls-files", str(folder)], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    if not tracked:  # not a git checkout (an unpacked archive): the files must at least be there
        assert (folder / "report.md").is_file()
        return
    names = {Path(p).relative_to(folder.relative_to(ROOT)).as_posix() for p in tracked}
    shown = set(re.findall(r"\]\((figures/[^)]+\.png)\)", (folder / "report.md").read_text(encoding="utf-8")))
    assert "report.md" in names and shown and shown <= names, shown - names
    assert "report.html" not in names
