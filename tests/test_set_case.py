"""Building a whole case with the commands alone (issue 10, parts 1-3): priors, the
case's own fields, if_false and candidate observations, and `ach new`'s options."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ach
from ach.editing.ops import fill_priors

from .test_cli_edit import ach_
from .test_editing import COMMENTED, assert_only, hunks
from .test_spreadsheet import content

HYPS = ("KH", "IAM", "ISIS", "OTHER")


@pytest.fixture
def fresh(tmp_path) -> Path:
    """A case made by `ach new` with four hypotheses and no priors."""
    proc = ach_(
        "new",
        "c.yaml",
        "-q",
        "Who fired the rockets?",
        *[a for h in HYPS for a in ("-H", f"{h}: {h.title()}")],
        "--catch-all",
        "OTHER",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.err
    return tmp_path / "c.yaml"


def priors_in(path: Path) -> dict:
    """The prior weights as written in the file (read as YAML, not by the loader under test)."""
    from ruamel.yaml import YAML

    return {h["id"]: h.get("prior") for h in YAML(typ="safe").load(path.read_text())["hypotheses"]}


# -- priors ------------------------------------------------------------------------------


def test_priors_for_some_share_what_is_left_of_100(fresh):
    proc = ach_("set", fresh.name, "--priors", "KH=35,ISIS=20", cwd=fresh.parent)
    assert proc.returncode == 0, proc.err
    assert priors_in(fresh) == {"KH": 35, "IAM": 22.5, "ISIS": 20, "OTHER": 22.5}  # (100 - 55) / 2
    assert "IAM, OTHER were not given" in proc.out and "(100 − 55) / 2 = 22.5" in proc.out
    weights = [h.prior for h in ach.load(fresh).hypotheses]
    assert [w / sum(weights) for w in weights] == pytest.approx([0.35, 0.225, 0.20, 0.225])


def test_priors_below_one_are_probabilities_and_share_the_rest_of_one(fresh):
    proc = ach_("set", fresh.name, "--priors", "KH=0.4", cwd=fresh.parent)
    assert proc.returncode == 0, proc.err
    assert priors_in(fresh) == {"KH": 0.4, "IAM": 0.2, "ISIS": 0.2, "OTHER": 0.2}  # (1 - 0.4) / 3


def test_one_prior_on_a_hypothesis_fills_the_others_and_says_how(fresh):
    proc = ach_("set", fresh.name, "KH", "--prior", "40", cwd=fresh.parent)
    assert proc.returncode == 0, proc.err
    assert priors_in(fresh) == {"KH": 40, "IAM": 20, "ISIS": 20, "OTHER": 20}
    assert "priors are all or none" in proc.out and "(100 − 40) / 3 = 20" in proc.out


def test_a_share_that_does_not_divide_is_rounded_and_the_weights_still_normalise(fresh):
    proc = ach_("set", fresh.name, "--priors", "KH=35", cwd=fresh.parent)
    assert proc.returncode == 0, proc.err
    written = priors_in(fresh)
    assert written["IAM"] == written["ISIS"] == written["OTHER"] == pytest.approx(65 / 3, abs=1e-4)
    weights = [h.prior for h in ach.load(fresh).hypotheses]
    assert sum(weights) == pytest.approx(100, abs=1e-3)


def test_once_every_hypothesis_has_a_prior_one_changes_alone(fresh):
    ach_("set", fresh.name, "--priors", "KH=40,IAM=20,ISIS=20,OTHER=20", cwd=fresh.parent)
    before = fresh.read_text()
    proc = ach_("set", fresh.name, "ISIS", "--prior", "30", cwd=fresh.parent)
    assert proc.returncode == 0, proc.err
    assert "all or none" not in proc.out
    removed, added = hunks(before, fresh.read_text())
    assert [r.strip() for r in removed] == ["prior: 20"] and [a.strip() for a in added] == ["prior: 30"]


@pytest.mark.parametrize("given_, total", [("KH=60,ISIS=40", "100"), ("KH=0.5,ISIS=0.5", "1")])
def test_nothing_left_to_share_is_refused_rather_than_a_prior_of_zero(fresh, given_, total):
    before = fresh.read_text()
    proc = ach_("set", fresh.name, "--priors", given_, cwd=fresh.parent)
    assert proc.returncode == 1
    assert f"leaving nothing of {total} for IAM, OTHER" in proc.err and "--priors" in proc.err
    assert fresh.read_text() == before


def test_an_unknown_hypothesis_in_priors_is_named(fresh):
    proc = ach_("set", fresh.name, "--priors", "KHH=35", cwd=fresh.parent)
    assert proc.returncode == 1 and "'KHH' is not a hypothesis" in proc.err and "KH" in proc.err


def test_a_malformed_pair_is_a_usage_error(fresh):
    proc = ach_("set", fresh.name, "--priors", "KH=35;ISIS=20", cwd=fresh.parent)
    assert proc.returncode == 2 and "separated by commas" in proc.err


@given(
    st.lists(st.integers(2, 30), min_size=1, max_size=3),  # percentages sum to more than 1
    st.integers(1, 4),
    st.booleans(),
)
def test_fill_priors_shares_the_rest_equally_and_never_gives_zero(weights, n_rest, as_fraction):
    given_ = {f"G{i}": (w / 100 if as_fraction else w) for i, w in enumerate(weights)}
    rest = [f"R{i}" for i in range(n_rest)]
    whole = 1 if as_fraction else 100
    filled, rule = fill_priors(given_, rest)
    assert set(filled) == set(rest) and len(set(filled.values())) == 1
    assert all(v > 0 for v in filled.values())
    assert sum(given_.values()) + sum(filled.values()) == pytest.approx(whole, rel=1e-4)
    assert f"what is left of {whole}" in rule


# -- the case's own fields -----------------------------------------------------------------


CASE_FIELDS = [
    ("--question", "Who ate the pie?", "question", "Who ate the pie?"),
    ("--title", "The missing pie", "title", "The missing pie"),
    ("--description", "A pie, a dog, a child.", "description", "A pie, a dog, a child."),
    ("--analyst", "J. Smith", "analyst", "J. Smith"),
    ("--handling", "UNCLASSIFIED // TRAINING", "handling", "UNCLASSIFIED // TRAINING"),
    ("--date", "2024-03-02", "date", "2024-03-02"),
    ("--as-of", "2024-03-01", "as_of", "2024-03-01"),
    ("--default-reliability", "C", "default_reliability", 0.65),
    ("--prior-concentration", "25", "prior_concentration", 25),
]


@pytest.mark.parametrize("flag, text, field, loaded", CASE_FIELDS, ids=[c[0] for c in CASE_FIELDS])
def test_set_a_field_of_the_case_and_keep_every_other_line(tmp_path, flag, text, field, loaded):
    path = tmp_path / "commented.yaml"
    shutil.copyfile(COMMENTED, path)
    before = path.read_text()
    proc = ach_("set", path.name, flag, text, cwd=tmp_path)
    assert proc.returncode == 0, proc.err
    case = ach.load(path)
    value = getattr(case, field)
    value = value.mean if hasattr(value, "mean") else value
    assert (str(value) if field in ("date", "as_of") else value) == loaded
    removed, added = hunks(before, path.read_text())
    assert len(added) == 1 and len(removed) <= 2  # one line written (a folded description: its lines replaced)
    for line in before.splitlines():
        if line.lstrip().startswith("#"):
            assert line in path.read_text()


def test_an_existing_case_field_is_replaced_keeping_its_comment(tmp_path):
    path = tmp_path / "commented.yaml"
    shutil.copyfile(COMMENTED, path)
    before = path.read_text()
    assert ach_("set", path.name, "--title", "The missing pie", cwd=tmp_path).returncode == 0
    assert_only(
        before,
        path.read_text(),
        ["title: The missing cake   # end-of-line comment on a top-level scalar"],
        ["title: The missing pie    # end-of-line comment on a top-level scalar"],  # the comment keeps its column
    )


def test_unset_a_case_field(tmp_path):
    path = tmp_path / "commented.yaml"
    shutil.copyfile(COMMENTED, path)
    assert ach_("set", path.name, "--handling", "SECRET", cwd=tmp_path).returncode == 0
    proc = ach_("set", path.name, "--unset", "handling", cwd=tmp_path)
    assert proc.returncode == 0, proc.err
    assert path.read_text() == COMMENTED.read_text()
    proc = ach_("set", path.name, "--unset", "question", cwd=tmp_path)
    assert proc.returncode == 1 and "'question' is required for the case" in proc.err


def test_an_invalid_case_value_is_refused_with_its_line(tmp_path):
    path = tmp_path / "commented.yaml"
    shutil.copyfile(COMMENTED, path)
    proc = ach_("set", path.name, "--as-of", "2024-02-30", cwd=tmp_path)
    assert proc.returncode == 1 and "as_of" in proc.err
    assert path.read_text() == COMMENTED.read_text()


@pytest.mark.parametrize(
    "args, says",
    [
        (["--reliability", "B"], "--reliability changes an entry: give its ID"),
        (["--prior", "3", "--notes", "x"], "--notes, --prior change an entry"),
        (["KID", "--question", "x"], "--question changes the case itself: leave out the ID"),
        (["KID", "--priors", "KID=3"], "--priors changes the case itself"),
        (["--kind", "source", "--title", "x"], "--kind says what ID names"),
        ([], "nothing to change"),
    ],
)
def test_options_that_do_not_fit_the_target_are_usage_errors(tmp_path, args, says):
    path = tmp_path / "commented.yaml"
    shutil.copyfile(COMMENTED, path)
    proc = ach_("set", path.name, *args, cwd=tmp_path)
    assert proc.returncode == 2 and says in proc.err, proc.err
    assert path.read_text() == COMMENTED.read_text()


# -- if_false and candidate observations ---------------------------------------------------


def test_if_false_one_number_then_one_per_hypothesis(tmp_path):
    path = tmp_path / "commented.yaml"
    shutil.copyfile(COMMENTED, path)
    assert ach_("set", path.name, "E3", "--if-false", "0.3", cwd=tmp_path).returncode == 0
    e3 = next(e for e in ach.load(path).evidence if e.id == "E3")
    assert e3.if_false == pytest.approx(0.3)
    proc = ach_("set", path.name, "E3", "--if-false", "DOG=0.2,KID=0.6,OTHER=0.5", cwd=tmp_path)
    assert proc.returncode == 0, proc.err
    e3 = next(e for e in ach.load(path).evidence if e.id == "E3")
    assert e3.if_false == {"DOG": 0.2, "KID": 0.6, "OTHER": 0.5}


def test_if_false_that_leaves_a_hypothesis_out_is_refused(tmp_path):
    path = tmp_path / "commented.yaml"
    shutil.copyfile(COMMENTED, path)
    proc = ach_("set", path.name, "E3", "--if-false", "DOG=0.2,KID=0.6", cwd=tmp_path)
    assert proc.returncode == 1 and "OTHER" in proc.err
    assert path.read_text() == COMMENTED.read_text()


def test_add_candidate_then_collect_ranks_it(tmp_path):
    path = tmp_path / "commented.yaml"
    shutil.copyfile(COMMENTED, path)
    proc = ach_(
        "add",
        "candidate",
        path.name,
        "--text",
        "Crumbs found in the child's pocket",
        "--rate",
        "DOG=very unlikely",
        "--rate",
        "KID=likely",
        "--rate",
        "OTHER=unlikely",
        "--credibility",
        "high",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.err
    case = ach.load(path)
    new = [c for c in case.collection if c.text == "Crumbs found in the child's pocket"]
    assert len(new) == 1
    proc = ach_("collect", path.name, "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.err
    assert new[0].id in proc.out


def test_a_candidate_must_be_rated_under_every_hypothesis(tmp_path):
    path = tmp_path / "commented.yaml"
    shutil.copyfile(COMMENTED, path)
    proc = ach_("add", "candidate", path.name, "--text", "x", "--rate", "DOG=likely", cwd=tmp_path)
    assert proc.returncode == 1 and "not given: KID, OTHER" in proc.err
    proc = ach_(
        "add",
        "candidate",
        path.name,
        "-t",
        "x",
        "--rate",
        "DOG=NA",
        "--rate",
        "KID=C",
        "--rate",
        "OTHER=C",
        cwd=tmp_path,
    )
    assert proc.returncode == 1 and "NA" in proc.err
    assert path.read_text() == COMMENTED.read_text()


# -- ach new -----------------------------------------------------------------------------


def test_new_takes_the_dates_description_and_handling(tmp_path):
    proc = ach_(
        "new",
        "c.yaml",
        "-q",
        "Who?",
        "--date",
        "2020-02-06",
        "--as-of",
        "2020-02-01",
        "--description",
        "Built from five reports.",
        "--handling",
        "UNCLASSIFIED",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.err
    case = ach.load(tmp_path / "c.yaml")
    assert (str(case.date), str(case.as_of)) == ("2020-02-06", "2020-02-01")
    assert case.description == "Built from five reports." and case.handling == "UNCLASSIFIED"


def test_new_refuses_a_date_that_does_not_exist(tmp_path):
    proc = ach_("new", "c.yaml", "--date", "2020-02-30", cwd=tmp_path)
    assert proc.returncode == 1 and "date" in proc.err
    assert not (tmp_path / "c.yaml").exists()


# -- the whole workflow ----------------------------------------------------------------------


def test_a_case_built_with_commands_only_survives_a_spreadsheet(tmp_path):
    """Priors, case fields, a deceptive item, a candidate and rationales, all by command;
    then export and import: the case, its numbers and every comment come back."""
    from ach.casefile.remarks import remarks

    def run(*args):
        proc = ach_(*args, cwd=tmp_path)
        assert proc.returncode == 0, (args, proc.err)
        return proc

    run(
        "new",
        "c.yaml",
        "-q",
        "Who fired the rockets?",
        "-H",
        "KH: Kataib Hezbollah",
        "-H",
        "ISIS: Islamic State",
        "-H",
        "OTHER: Someone else",
        "--catch-all",
        "OTHER",
        "--date",
        "2020-02-06",
        "--as-of",
        "2020-02-06",
        "--description",
        "A practice case.",
        "--analyst",
        "A. Student",
        "--handling",
        "UNCLASSIFIED // TRAINING",
    )
    run("set", "c.yaml", "source-1", "--title", "US officials", "--reliability", "C")
    run(
        "set",
        "c.yaml",
        "E1",
        "--text",
        "US officials blame KH.",
        "--credibility",
        "3",
        "--if-false",
        "KH=0.3,ISIS=0.7,OTHER=0.5",
    )
    for hyp, rating, why in (
        ("KH", "likely", "what they would say if KH fired"),
        ("ISIS", "unlikely", "they would have no reason to name KH"),
        ("OTHER", "unlikely", "as for ISIS"),
    ):
        run("rate", "c.yaml", "E1", hyp, rating, "--why", why)
    run("add", "source", "c.yaml", "--id", "iraqi", "--reliability", "B", "--title", "Iraqi officers")
    run(
        "add",
        "evidence",
        "c.yaml",
        "-t",
        "Officers say ISIS fired.",
        "-s",
        "iraqi",
        "--rate",
        "KH=0.3",
        "--rate",
        "ISIS=0.7",
        "--rate",
        "OTHER=0.4",
    )
    run("rate", "c.yaml", "E2", "ISIS", "likely", "--why", "first at the launcher")
    run(
        "add",
        "candidate",
        "c.yaml",
        "-t",
        "The intercepts are released",
        "--rate",
        "KH=likely",
        "--rate",
        "ISIS=very unlikely",
        "--rate",
        "OTHER=unlikely",
    )
    run("set", "c.yaml", "--priors", "KH=50,ISIS=30")
    proc = run("validate", "c.yaml")
    assert "warning" not in proc.err, proc.err  # every TODO of the scaffold is done
    original = tmp_path / "c.yaml"
    case = ach.load(original)
    assert [h.prior for h in case.hypotheses] == [50, 30, 20] and case.handling == "UNCLASSIFIED // TRAINING"
    assert case.evidence[0].if_false == {"KH": 0.3, "ISIS": 0.7, "OTHER": 0.5} and len(case.collection) == 1
    for suffix in ("xlsx", "csv"):
        run("export", "c.yaml", "--to", f"c.{suffix}")
        run("import", f"c.{suffix}", "-o", f"back-{suffix}.yaml")
        back = tmp_path / f"back-{suffix}.yaml"
        assert content(ach.load(back)) == content(case)
        before, _ = remarks(original.read_text())
        after, _ = remarks(back.read_text())
        assert sorted(map(repr, after)) == sorted(map(repr, before))
        assert any(r.field == "likelihood.ISIS" and r.text == "first at the launcher" for r in after)
