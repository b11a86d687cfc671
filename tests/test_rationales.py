"""The analyst's comments travel through a spreadsheet (issue 10, part 7): every comment of
a case file is tied to its field, written to a Rationales sheet, and hung back on the same
field on import; a comment that cannot travel is warned about, never dropped silently."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ach
from ach import editing
from ach.casefile import write_case
from ach.casefile.remarks import remarks
from ach.io.tabular import export_csv, export_xlsx, read_csv, read_xlsx

from .test_cli_edit import ach_
from .test_spreadsheet import content

ROOT = Path(__file__).resolve().parents[1]
COMMENTED = ROOT / "tests" / "data" / "edit" / "commented.yaml"  # a comment in every position
CASES = [*sorted((ROOT / "cases").glob("*.yaml")), COMMENTED]
MINI = ROOT / "tests" / "data" / "mini.yaml"


def comment_lines(text: str) -> list[str]:
    """Every comment's text, found by reading lines (not by the code under test), less the
    opening block, which travels as the Case sheet's comment."""
    lines = text.splitlines()
    first_key = next(i for i, ln in enumerate(lines) if ln and not ln.startswith("#"))
    out = []
    for ln in lines[first_key:]:
        if ln.lstrip().startswith("#"):
            out.append(ln.strip()[1:].strip())
        else:
            for m in re.finditer(r"\s#(?= |$)", ln):  # the first ' #' outside quotes starts a comment
                before = ln[: m.start()]
                if before.count('"') % 2 == 0 and before.count("'") % 2 == 0:
                    out.append(ln[m.end() :].strip())
                    break
    return sorted(out)


def through(path: Path, kind: str, folder: Path, trailing: bool = False) -> Path:
    """Export, import, write: the case file back; ``trailing``: its last line is a comment (warned about)."""
    case = ach.load(path)
    warnings: list = []
    if kind == "xlsx":
        export_xlsx(case, folder / "x.xlsx", overwrite=True, warnings=warnings)
        data, header = read_xlsx(folder / "x.xlsx")
    else:
        export_csv(case, folder / "x.csv", overwrite=True, warnings=warnings)
        data, header = read_csv(folder / "x.csv")
    last = [len(path.read_text().splitlines())] if trailing or path == COMMENTED else []  # tied to nothing
    assert [(w.code, w.line) for w in warnings] == [("comment-not-carried", n) for n in last]
    return write_case(data, folder / "back.yaml", header=header, overwrite=True)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_every_comment_of_the_example_cases_survives_the_round_trip(path, kind, tmp_path):
    back = through(path, kind, tmp_path)
    lost = ["the last line is a comment"] if path == COMMENTED else []  # warned about on export (above)
    assert comment_lines(back.read_text()) == sorted(set(comment_lines(path.read_text())) - set(lost)) or (
        comment_lines(back.read_text()) == sorted(c for c in comment_lines(path.read_text()) if c not in lost)
    )
    before, _ = remarks(path.read_text())
    after, _ = remarks(back.read_text())
    assert sorted(map(repr, after)) == sorted(map(repr, before))  # each on the same field, in the same place
    assert content(ach.load(back)) == content(ach.load(path))


def test_k1_keeps_its_316_comment_lines(tmp_path):
    back = through(ROOT / "cases" / "k1.yaml", "xlsx", tmp_path)
    assert len(comment_lines(back.read_text())) == len(comment_lines((ROOT / "cases" / "k1.yaml").read_text()))
    assert len(comment_lines(back.read_text())) > 240  # the header's 74 lines travel besides, as the Case comment


def test_the_rationales_sheet_names_the_cell(tmp_path):
    export_xlsx(ach.load(ROOT / "cases" / "k1.yaml"), tmp_path / "k1.xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "k1.xlsx")["Rationales"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["sheet", "id", "field", "place", "comment"]
    assert [
        "Evidence",
        "E01",
        "likelihood.KH",
        "end",
        "an honest assessment built on real intelligence would say this if KH fired",
    ] in rows


TEXT = (
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=40)
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(why=TEXT, above=TEXT, kind=st.sampled_from(["xlsx", "csv"]))
def test_any_comment_text_comes_back_on_its_cell(tmp_path, why, above, kind):
    path = tmp_path / "m.yaml"
    shutil.copyfile(COMMENTED, path)
    editing.rate(path, "E1", "KID", 0.3, why=why)
    path.write_text(path.read_text().replace("  - id: E2\n", f"  # {above}\n  - id: E2\n", 1))
    before, untied = remarks(path.read_text())
    assert untied == [len(path.read_text().splitlines())] and any(r.field == "likelihood.KID" for r in before)
    assert any(r.id == "E2" and r.field == "" and r.place == "above" for r in before)
    after, _ = remarks(through(path, kind, tmp_path, trailing=True).read_text())
    assert sorted(map(repr, after)) == sorted(map(repr, before))


def test_a_comment_no_sheet_can_hold_is_warned_about_with_its_line(tmp_path):
    path = tmp_path / "m.yaml"
    text = MINI.read_text()
    assert "hypotheses:\n" in text
    path.write_text(text + "# a last word after every entry\n")
    warnings: list = []
    export_xlsx(ach.load(path), tmp_path / "m.xlsx", warnings=warnings)
    assert [(w.code, w.line) for w in warnings] == [("comment-not-carried", len(text.splitlines()) + 1)]
    proc = ach_("export", path.name, "--to", "m2.xlsx", cwd=tmp_path)
    assert proc.returncode == 0 and f"m.yaml:{len(text.splitlines()) + 1}: warning" in proc.err


def test_a_rationale_for_a_row_that_is_not_there_is_warned_about(tmp_path):
    export_csv(ach.load(ROOT / "cases" / "k1.yaml"), tmp_path / "k1.csv")
    rationales = tmp_path / "k1.rationales.csv"
    rationales.write_text(
        rationales.read_text() + "Evidence,E99,likelihood.KH,end,a reason for an item since removed\n"
        "Evidence,E01,likelihood.KH,beside,a place that does not exist\n"
    )
    warnings: list = []
    read_csv(tmp_path / "k1.csv", warnings)
    said = [w.message for w in warnings]
    assert any("Evidence has no E99 › likelihood.KH" in m for m in said)
    assert any("'beside' is not a place of a comment" in m for m in said)


def test_a_case_without_comments_gets_no_rationales_sheet(tmp_path):
    plain = tmp_path / "p.yaml"
    lines = [ln.split("  #")[0].split(" # ")[0] for ln in MINI.read_text().splitlines() if not ln.startswith("#")]
    plain.write_text("\n".join(lines) + "\n")
    export_csv(ach.load(plain), tmp_path / "p.csv")
    assert not (tmp_path / "p.rationales.csv").exists()
    export_xlsx(ach.load(plain), tmp_path / "p.xlsx")
    from openpyxl import load_workbook

    assert "Rationales" not in load_workbook(tmp_path / "p.xlsx").sheetnames
