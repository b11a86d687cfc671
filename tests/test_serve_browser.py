"""The workbench end to end, in a real headless Chromium: K-1 opened, a cell re-rated by keyboard, the
posterior `ach whatif` gives shown, the file changed in that line only; transpose, undo, a refused
edit, a change on disk, what-if. ACH_SCREENSHOTS=DIR saves the README's screenshots there."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import ach

from .browser import browser_page, missing, serving
from .conftest import K1, ROOT

WHY_NOT = missing()
if WHY_NOT and os.environ.get("ACH_REQUIRE_BROWSER"):
    pytest.fail(f"ACH_REQUIRE_BROWSER is set, but {WHY_NOT}", pytrace=False)
pytestmark = pytest.mark.skipif(WHY_NOT is not None, reason=WHY_NOT or "")


def pct(p: float) -> str:
    return f"{100 * p:.1f}%"


def shown(page, hypothesis: str) -> str:
    return page.locator(f'[data-posterior="{hypothesis}"]').inner_text()


def wait_shown(page, hypothesis: str, text: str) -> None:
    page.wait_for_function(
        '([h, t]) => { const n = document.querySelector(`[data-posterior="${h}"]`); return n && n.textContent === t; }',
        arg=[hypothesis, text],
        timeout=15_000,
    )


def screenshot(page, name: str) -> None:
    folder = os.environ.get("ACH_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name))


@pytest.fixture
def k1(tmp_path):
    shutil.copy(K1, tmp_path / "k1.yaml")
    return tmp_path / "k1.yaml"


@pytest.fixture
def page(k1):
    with serving(k1.parent, k1.name) as url, browser_page() as page:
        page.goto(url)
        page.wait_for_selector('[data-posterior="KH"]')
        yield page
        assert page.errors == []


def rate_by_keyboard(page, item: str, left_of: str, value: str) -> None:
    """Click the cell left of the target, leave its editor, move right, open, type, commit: keys only."""
    page.locator(f'[data-item="{item}"][data-hypothesis="{left_of}"]').click()
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    editor = page.locator(".cell input")
    assert editor.count() == 1  # activating a cell shows an input inside it
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.keyboard.press("Enter")


def test_a_cell_rerated_by_keyboard_shows_the_whatif_posterior_and_changes_one_line(page, k1):
    assert shown(page, "KH") == "42.0%"  # the K-1 bottom line
    page.locator("#sampler").filter(has_text="exact draws").wait_for(timeout=30_000)  # the intervals follow
    assert "90% interval" in page.locator("#posterior").inner_text()
    page.locator('[data-item="E02"][data-hypothesis="KH"]').click()
    page.keyboard.press("Escape")
    assert "Two US officials" in page.locator("#detail-body").inner_text()  # the item one click away
    screenshot(page, "workbench.png")
    before = k1.read_text(encoding="utf-8").splitlines()
    expected = ach.whatif(ach.load(K1), set={"E07.IAM": "likely"}).after
    rate_by_keyboard(page, "E07", "KH", "likely")
    for h, p in zip(expected.case.hypothesis_ids, expected.posterior):
        wait_shown(page, h, pct(p))
    page.wait_for_function(
        "() => document.querySelector('[data-item=\"E07\"][data-hypothesis=\"IAM\"]').dataset.value === 'likely'"
    )
    after = k1.read_text(encoding="utf-8").splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    assert len(after) == len(before) and len(changed) == 1
    old, new = before[changed[0]], after[changed[0]]
    assert new.split("#")[0].split() == ["IAM:", "likely"] and new.split("#", 1)[1] == old.split("#", 1)[1]
    assert page.locator('[data-item="E07"][data-hypothesis="IAM"]').inner_text().startswith("likely")


def test_transpose_puts_hypotheses_in_rows_and_undo_puts_the_file_back(page, k1):
    original = k1.read_bytes()
    page.click("#transpose")
    first_row = page.locator("tbody tr").first
    assert first_row.locator("th").first.get_attribute("data-entry") == "KH"
    hyps = set(first_row.locator("[data-item]").evaluate_all("ns => ns.map(n => n.dataset.hypothesis)"))
    assert hyps == {"KH"} and first_row.locator("[data-item]").count() == len(ach.load(K1).evidence)
    screenshot(page, "workbench-transposed.png")
    # In rows of hypotheses, moving right goes along the items: E01 -> E02 under KH.
    page.locator('[data-item="E01"][data-hypothesis="KH"]').click()
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+A")
    page.keyboard.type("CC")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('[data-item=\"E02\"][data-hypothesis=\"KH\"]').dataset.value === 'CC'"
    )
    assert k1.read_bytes() != original
    page.keyboard.press("Control+z")
    wait_shown(page, "KH", "42.0%")
    page.wait_for_function(
        "() => document.querySelector('[data-item=\"E02\"][data-hypothesis=\"KH\"]').dataset.value === 'likely'"
    )
    assert k1.read_bytes() == original


def test_a_refused_rating_is_said_beside_the_cell_and_the_file_is_unchanged(page, k1):
    original = k1.read_bytes()
    rate_by_keyboard(page, "E07", "KH", "purple")
    message = page.locator('[data-item="E07"][data-hypothesis="IAM"] .cell-error')
    message.wait_for()
    said = message.inner_text()
    assert "rating 'purple'" in said and "(k1.yaml:" in said  # named from the served folder,
    assert str(k1.parent) not in said  # not by where the server happens to keep it
    assert shown(page, "KH") == "42.0%" and k1.read_bytes() == original
    screenshot(page, "workbench-refused.png")


def test_a_change_on_disk_is_said_and_reloaded(page, k1):
    text = k1.read_text(encoding="utf-8").replace("reliability: C", "reliability: E", 1)  # us-gov, as an editor would
    k1.write_text(text, encoding="utf-8")
    page.locator("#banner").filter(has_text="changed on disk").wait_for(timeout=10_000)
    expected = ach.analyze(ach.load(k1), sample=False).posterior
    wait_shown(page, "KH", pct(expected[0]))


def test_whatif_shows_old_against_new_and_drop_leaves_the_file(page, k1):
    original = k1.read_bytes()
    page.click("#whatif")
    page.locator("#whatif-bar").wait_for()
    rate_by_keyboard(page, "E02", "KH", "very unlikely")
    page.locator("#posterior").filter(has_text="was 42.0%").wait_for()
    expected = ach.whatif(ach.load(K1), set={"E02.IAM": "very unlikely"}).after
    wait_shown(page, "IAM", pct(expected.posterior[expected.case.hypothesis_ids.index("IAM")]))
    page.wait_for_function(
        "() => document.querySelector('[data-item=\"E02\"][data-hypothesis=\"IAM\"]').dataset.value === 'very unlikely'"
    )
    assert k1.read_bytes() == original
    screenshot(page, "workbench-whatif.png")
    page.click("#whatif-drop")
    wait_shown(page, "KH", "42.0%")
    assert k1.read_bytes() == original


def test_a_file_broken_on_disk_shows_its_problems_until_it_is_mended(page, k1):
    good = k1.read_text(encoding="utf-8")
    k1.write_text(good.replace("reliability: C", "reliability: Z", 1), encoding="utf-8")
    problems = page.locator("#problems")
    problems.filter(has_text="cannot be analysed").wait_for(timeout=10_000)
    assert "reliability" in problems.inner_text() and "k1.yaml" in problems.inner_text()
    k1.write_text(good, encoding="utf-8")
    wait_shown(page, "KH", "42.0%")
    assert "cannot be analysed" not in problems.inner_text()


def test_an_item_is_added_and_its_text_edited_through_the_forms(page, k1):
    page.click("#add-item")
    page.fill('#form-fields [name="text"]', "A new report from the base.")
    page.select_option('#form-fields [name="source"]', "nyt")
    page.click("#form-ok")
    page.locator('[data-item="E32"][data-hypothesis="KH"]').wait_for()
    assert page.locator('[data-item="E32"][data-hypothesis="KH"]').get_attribute("data-value") == "NA"
    case = ach.load(k1)
    assert case.item("E32").text == "A new report from the base." and case.item("E32").source == "nyt"
    page.locator('[data-item="E32"][data-hypothesis="KH"]').click()
    page.keyboard.press("Escape")
    page.click("text=Edit evidence E32…")
    page.fill('#form-fields [name="text"]', "A new report from the base, corrected.")
    page.click("#form-ok")
    page.wait_for_function("() => document.querySelector('[data-entry=\"E32\"]').textContent.includes('corrected')")
    assert ach.load(k1).item("E32").text == "A new report from the base, corrected."


def test_every_rating_is_shown_whole_and_the_matrix_fits_beside_the_panels(page):
    fits = page.evaluate(
        """() => { const box = document.getElementById('matrix');
                   return [box.scrollWidth, box.clientWidth]; }"""
    )
    assert fits[0] <= fits[1], fits  # no column hidden to the right (OTHER was cut at 1500 px)
    cut = page.locator(".cell").evaluate_all(
        "ns => ns.filter(n => n.scrollWidth > n.clientWidth).map(n => n.dataset.item + '/' + n.dataset.hypothesis)"
    )
    assert cut == []
    e05 = page.locator('[data-item="E05"][data-hypothesis="OTHER"]').inner_text()
    assert "roughly even chance" in " ".join(e05.split())


def test_the_head_rows_stay_apart_when_the_matrix_scrolls(page):
    page.locator("#matrix").evaluate("box => { box.scrollTop = 600; }")
    rows = page.locator("thead tr").evaluate_all("rs => rs.map(r => r.querySelector('th').getBoundingClientRect().top)")
    heads = page.locator("thead tr th.item").evaluate_all(
        "ns => ns.map(n => [n.textContent, n.getBoundingClientRect().top, n.getBoundingClientRect().bottom])"
    )
    assert [h[0] for h in heads] == ["Evidence", "Prior weight"]
    assert heads[1][1] >= heads[0][2] - 1, heads  # the prior row sits under the first, not on it
    top = page.locator("#matrix").evaluate("box => box.getBoundingClientRect().top")
    assert abs(rows[0] - top) <= 2  # and the head is at the top of the scrolled matrix
    hit = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('th') && document.elementFromPoint(x, y).closest('th').textContent",
        [page.locator("thead th.item").first.bounding_box()["x"] + 20, heads[0][1] + 5],
    )
    assert hit == "Evidence"


def test_write_report_writes_it_in_the_served_folder_and_opens_it(tmp_path):
    shutil.copy(ROOT / "cases" / "warmup.yaml", tmp_path / "warmup.yaml")
    with serving(tmp_path, "warmup.yaml") as url, browser_page() as page:
        page.goto(url)
        page.wait_for_selector('[data-posterior="OVER"]')
        with page.context.expect_page(timeout=60_000) as opened:
            page.click("#report")
        report = opened.value
        report.wait_for_url("**/report/warmup/report.html", timeout=60_000)
        written = tmp_path / "reports" / "warmup" / "report.html"
        assert written.is_file() and report.url == url + "report/warmup/report.html"
        bottom = ach.analyze(ach.load(tmp_path / "warmup.yaml"), progress=False).bottom_line()
        assert bottom.split(" (")[0] in " ".join(report.locator("body").inner_text().split())
        page.locator("#banner").filter(has_text="reports/warmup/report.html").wait_for()
        assert page.errors == []
