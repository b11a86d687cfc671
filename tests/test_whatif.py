"""What-if edits against re-running the exact engine on an edited case file."""

from __future__ import annotations

import numpy as np
import pytest

import ach
from ach.analysis import whatif

from .conftest import K1


@pytest.fixture(scope="module")
def k1_text():
    return K1.read_text()


def test_whatif_equals_the_edited_file(k1_text, tmp_path):
    case = ach.load(K1)
    w = whatif(case, drop=["E02"], set={"E03.KH": "unlikely"}, reliability={"us-gov": 0.3})
    # the same edits made by hand to a copy of the file
    edited = k1_text
    start = edited.index("  - id: E02\n")
    end = edited.index("  - id: E03\n")
    edited = edited[:start] + edited[end:]
    e03 = edited.index("  - id: E03\n")
    kh = edited.index("      KH: likely", e03)
    edited = edited[:kh] + "      KH: unlikely" + edited[kh + len("      KH: likely") :]
    src = edited.index("  - id: us-gov\n")
    rel = edited.index("    reliability: C\n", src)
    edited = edited[:rel] + "    reliability: 0.3\n" + edited[rel + len("    reliability: C\n") :]
    path = tmp_path / "k1-edited.yaml"
    path.write_text(edited)
    np.testing.assert_allclose(w.after.posterior, ach.analyze(path, sample=False).posterior, atol=1e-12)
    np.testing.assert_allclose(w.before.posterior, ach.analyze(K1, sample=False).posterior)
    assert len(w.changes) == 3


def test_whatif_never_touches_the_file(k1_text):
    whatif(ach.load(K1), drop=["us-gov"], prior={"ISIS": 50})
    assert K1.read_text() == k1_text


def test_dropping_a_source_drops_its_items():
    case = ach.load(K1)
    w = whatif(case, drop=["us-gov"])
    assert w.changes and all(c.startswith("dropped") for c in w.changes)
    headline = case.headline().evidence  # the result is as of the case's date
    assert len(w.after.case.evidence) == len(headline) - sum(e.source == "us-gov" for e in headline)


def test_bad_edits_are_all_reported_with_suggestions():
    with pytest.raises(ach.CaseError) as err:
        whatif(ach.load(K1), drop=["E77"], set={"E03.KHH": "likely", "E04.KH": "CCC"}, reliability={"us-gov": "Z"})
    text = str(err.value)
    assert len(err.value.diagnostics) == 4
    assert "did you mean 'KH'" in text and "did you mean 'CC'" in text and "E77" in text


def test_public_api_whatif_is_the_function():
    w = ach.whatif(ach.load(K1), drop=["E02"])
    assert w.changes == ["dropped E02"]
