"""ach.casediff: what changed between two case files and how each change moved the posterior."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import ach
from ach.analysis import whatif
from ach.casediff import ORDER_NOTE, compare, diff
from ach.casefile import loads
from ach.editing import CaseText
from ach.serialize import comparison_to_dict

ROOT = Path(__file__).resolve().parents[1]
K1 = ROOT / "cases" / "k1.yaml"
MINI = ROOT / "tests" / "data" / "mini.yaml"
COMMENTED = ROOT / "tests" / "data" / "edit" / "commented.yaml"


def edited(source: Path, *steps) -> tuple:
    """(old case, new case) where new is ``source`` after ``steps`` (functions of CaseText)."""
    text = source.read_text()
    doc = CaseText(text, str(source))
    for step in steps:
        step(doc)
    return loads(text, "old.yaml"), loads(doc.full_text, "new.yaml")


def exact(case) -> dict:
    result = ach.analyze(case, sample=False)
    return dict(zip(result.hypotheses, map(float, result.posterior)))


@pytest.mark.parametrize("source", [K1, MINI, COMMENTED])
def test_a_file_diffed_with_itself_has_no_changes(source):
    case = ach.load(source)
    c = compare(case, ach.load(source))
    assert c.changes == [] and diff(case, case) == []
    assert all(v == 0 for v in c.total.values()) and not c.renormalised


def test_one_re_rated_cell_is_exactly_that_change_and_moves_as_the_engine_says(tmp_path):
    copy = tmp_path / "k1.yaml"
    shutil.copyfile(K1, copy)
    text = copy.read_text()
    start = text.index("  - id: E07\n")
    cell = text.index("      KH: 0.4 ", start)
    copy.write_text(text[:cell] + "      KH: likely" + text[cell + len("      KH: 0.4   ") :])
    old, new = ach.load(K1), ach.load(copy)
    [change] = diff(old, new)
    assert (change.kind, change.id, change.field, change.old, change.new) == (
        "item re-rated",
        "E07",
        "likelihood.KH",
        "0.4",
        "likely",
    )
    before, after = exact(old), exact(new)
    for h in old.hypothesis_ids:
        assert change.move[h] == pytest.approx(after[h] - before[h], abs=1e-12)
        assert change.after[h] == pytest.approx(after[h], abs=1e-12)
    assert change.describe() == "E07 under KH: 0.4 → likely"


def test_the_sequential_moves_add_up_to_the_total():
    old, new = edited(
        K1,
        lambda d: d.set_fields("us-gov", reliability=0.5),
        lambda d: d.rate("E07", "KH", "likely"),
        lambda d: d.rate("E21", "ISIS", "likely"),
        lambda d: d.remove("E06"),
        lambda d: d.set_fields("E03", credibility=2, relevance="low", text="Changed wording"),
        lambda d: d.set_fields("KH", prior=30),
        lambda d: d.add_evidence(
            "A new item",
            {"KH": "unlikely", "IAM": "unlikely", "ISIS": "likely", "SUNNI": "N", "OTHER": "N"},
            source="nyt",
        ),
    )
    c = compare(old, new)
    kinds = [ch.kind for ch in c.changes]
    assert kinds == [
        "priors",
        "reliability",
        "item removed",
        "credibility",
        "relevance",
        "edited",
        "item re-rated",
        "item re-rated",
        "item added",
    ]
    before, after = exact(old), exact(new)
    for h in old.hypothesis_ids:
        assert sum(ch.move[h] for ch in c.changes) == pytest.approx(after[h] - before[h], abs=1e-12)
        assert c.total[h] == pytest.approx(after[h] - before[h], abs=1e-12)
    for ch in c.changes:
        if ch.kind in ("relevance", "edited"):  # cannot move the exact posterior
            assert all(v == 0 for v in ch.move.values())
    # each step is the engine run on the old case with the changes so far: check the first two
    first = c.changes[0].after
    np.testing.assert_allclose(
        [first[h] for h in old.hypothesis_ids], whatif(old, prior=_priors(new)).after.posterior, atol=1e-12
    )
    second = whatif(old, prior=_priors(new), reliability={"us-gov": 0.5}).after.posterior
    np.testing.assert_allclose([c.changes[1].after[h] for h in old.hypothesis_ids], second, atol=1e-12)


def _priors(case) -> dict:
    return {h.id: h.prior for h in case.hypotheses}


def test_added_and_removed_hypotheses_are_compared_on_the_shared_ones_renormalised():
    old, new = edited(
        COMMENTED,
        lambda d: d.add_hypothesis("CAT", "The cat", prior=1, default_rating="N"),
        lambda d: d.rate("E1", "CAT", "likely"),
        lambda d: d.remove("KID"),
    )
    c = compare(old, new)
    assert c.renormalised and c.added == ["CAT"] and c.removed == ["KID"] and c.compared == ["DOG", "OTHER"]
    assert [ch.kind for ch in c.changes][:2] == ["hypothesis removed", "hypothesis added"]
    old_p, new_p = exact(old), exact(new)
    shared_old = {h: old_p[h] / (old_p["DOG"] + old_p["OTHER"]) for h in ("DOG", "OTHER")}
    shared_new = {h: new_p[h] / (new_p["DOG"] + new_p["OTHER"]) for h in ("DOG", "OTHER")}
    for h in ("DOG", "OTHER"):
        assert c.compared_old[h] == pytest.approx(shared_old[h], abs=1e-12)
        assert c.compared_new[h] == pytest.approx(shared_new[h], abs=1e-12)
        assert sum(ch.move[h] for ch in c.changes) == pytest.approx(shared_new[h] - shared_old[h], abs=1e-12)
    assert set(c.new_posterior) == {"DOG", "OTHER", "CAT"} and set(c.old_posterior) == {"DOG", "KID", "OTHER"}


def test_sources_if_false_and_item_source_changes():
    old, new = edited(
        MINI,
        lambda d: d.add_source("cctv", "B"),
        lambda d: d.set_fields("E3", source="cctv"),
        lambda d: d.set_fields("kid", reliability="E"),
    )
    c = compare(old, new)  # sources in the new file's order, then the items
    assert [(ch.kind, ch.id) for ch in c.changes] == [
        ("reliability", "kid"),
        ("source added", "cctv"),
        ("source", "E3"),
    ]
    assert c.changes[1].move == dict.fromkeys(old.hypothesis_ids, 0)  # a source with no items yet weighs nothing
    # an if_false change is its own step
    old2 = ach.load(MINI)
    new2 = loads(MINI.read_text().replace("if_false: {DOG: 0.9, KID: 0.9, OTHER: 0.5}", "if_false: 0.5"))
    [change] = diff(old2, new2)
    assert change.kind == "if_false" and change.old == {"DOG": 0.9, "KID": 0.9, "OTHER": 0.5} and change.new == 0.5


def test_the_order_is_stated_and_the_json_is_plain():
    old, new = edited(K1, lambda d: d.rate("E07", "KH", "likely"), lambda d: d.remove("E30"))
    d = comparison_to_dict(compare(old, new))
    assert d["attribution"] == ORDER_NOTE and "order" in ORDER_NOTE
    json.dumps(d)  # serialisable
    assert [x["kind"] for x in d["changes"]] == ["item removed", "item re-rated"]
    assert d["compared"]["renormalised"] is False


def test_the_order_matters_but_the_sum_does_not():
    """Re-rating an item of a source counts for less once that source is distrusted; the diff's
    fixed order puts the reliability first, and the two steps still add up to the total."""
    old, new = edited(
        K1, lambda d: d.rate("E03", "KH", "almost certain"), lambda d: d.set_fields("us-gov", reliability=0.1)
    )
    c = compare(old, new)
    assert [ch.kind for ch in c.changes] == ["reliability", "item re-rated"]
    alone = whatif(old, set={"E03.KH": "almost certain"})
    rating_alone = alone.after.posterior[0] - alone.before.posterior[0]
    assert c.changes[1].move["KH"] < rating_alone  # smaller after the source lost its credit
    assert sum(ch.move["KH"] for ch in c.changes) == pytest.approx(c.total["KH"], abs=1e-12)
