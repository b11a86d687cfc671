"""Practice cases that come with the truth, drawn from a stated world.

The world (:data:`WORLD`, printed at the top of every key) is the model of
docs/MODEL.md §2 made into a story, so the generator's own posteriors are
calibrated by construction and a calibration test on many of its cases
checks the engine end to end:

* 3 to 5 suspects, prior weights 1, 2 or 3; the truth is drawn from the prior;
* 2 to 4 sources, each rated B, C, D or E; a source is reliable with the
  probability its letter means (0.80, 0.65, 0.40, 0.15), and an unreliable
  one deceives: all its reports are made up as if its decoy suspect were
  guilty;
* 4 to 8 clues, each from one source; under each suspect a clue would show
  with one of the classic ratings' probabilities (0.05, 0.2, 0.5, 0.7, 0.9),
  not the same under every suspect.
  A reliable source reports what is there (the clue shows, with the guilty
  suspect's probability); a deceiving one reports what the decoy would
  leave. Each clue is written as the case item "... was found" or "... was
  not found", with that probability (or its complement) as its likelihood
  and the decoy's as its ``if_false``.

The case files are ordinary cases with no outcome; the truth and which
sources deceived are in a separate key file, so a student can judge first
and score after (``ach score DIR --key DIR/key/answers.yaml``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .. import exact
from ..inputs import Inputs
from ..scales import ADMIRALTY_RELIABILITY

__all__ = ["KEY_PATH", "WORLD", "PracticeCase", "draw", "draw_many", "key_data"]

KEY_PATH = "key/answers.yaml"  # under the practice folder: apart from the cases, not read as one
START = dt.date(2025, 3, 3)  # the first clue's date; one every other day after it
LEVELS = (0.05, 0.2, 0.5, 0.7, 0.9)
LETTERS = ("B", "C", "D", "E")
WORLD = (
    "3-5 suspects with prior weights 1-3, the culprit drawn from the prior; 2-4 sources rated B-E, each reliable "
    "with its letter's probability, else deceiving for a decoy suspect; 4-8 clues, each from one source, showing "
    "under each suspect with probability 0.05, 0.2, 0.5, 0.7 or 0.9, not the same under all (docs/MODEL.md §2 "
    "as a story)"
)
SUSPECTS = (
    "The night guard",
    "The accountant",
    "An outside crew",
    "The branch manager",
    "The cleaning contractor",
    "A former employee",
)
SOURCES = (
    ("cctv", "The CCTV log"),
    ("neighbour", "A neighbour across the street"),
    ("tip", "An anonymous tip line caller"),
    ("bank", "The bank's transaction records"),
    ("staff", "Office gossip, via a junior clerk"),
    ("police", "The first police officer on the scene"),
)
CLUES = (
    "the alarm disarmed with a valid code",
    "a van at the loading dock after midnight",
    "gloves left in the stairwell",
    "a large cash deposit two days later",
    "the back door forced from outside",
    "the safe opened without damage",
    "muddy boot prints in the corridor",
    "the camera feed cut at 01:10",
    "a call to an unknown number at 00:55",
    "the spare keys missing from the drawer",
    "a rental car on the street all night",
    "the ledger altered the week before",
)


@dataclass(frozen=True)
class PracticeCase:
    name: str  # case-01
    data: dict  # the case file's contents
    truth: str
    reliable: dict[str, bool]  # source id -> whether it told the truth
    decoy: dict[str, str]  # source id -> the suspect it would frame
    inputs: Inputs  # the case's numbers, as the loader would make them

    def posterior(self) -> np.ndarray:
        return exact.posterior(self.inputs)


def draw(rng: np.random.Generator, name: str = "case") -> PracticeCase:
    """One practice case from :data:`WORLD`."""
    n = int(rng.integers(3, 6))
    ids = [f"H{j + 1}" for j in range(n)]
    titles = list(rng.choice(SUSPECTS, n - 1, replace=False)) + ["Someone else"]
    weights = rng.integers(1, 4, n)
    prior = weights / weights.sum()
    truth = int(rng.choice(n, p=prior))
    n_sources = int(rng.integers(2, 5))
    picked = rng.choice(len(SOURCES), n_sources, replace=False)
    sources = [SOURCES[s] for s in picked]
    letters = [LETTERS[i] for i in rng.integers(0, len(LETTERS), n_sources)]
    r = np.array([ADMIRALTY_RELIABILITY[x][0] for x in letters])
    reliable = rng.random(n_sources) < r
    decoy = rng.integers(0, n, n_sources)
    n_items = int(rng.integers(4, 9))
    source_index = rng.integers(0, n_sources, n_items)
    source_index[:n_sources] = np.arange(n_sources)[: min(n_sources, n_items)]  # every source reports
    m_true = np.array(LEVELS)[rng.integers(0, len(LEVELS), (n_items, n))]
    while (flat := np.all(m_true == m_true[:, :1], axis=1)).any():  # a clue tells the suspects apart
        m_true[flat] = np.array(LEVELS)[rng.integers(0, len(LEVELS), (int(flat.sum()), n))]
    b_true = m_true[np.arange(n_items), decoy[source_index]]
    shown_p = np.where(reliable[source_index], m_true[:, truth], b_true)
    found = rng.random(n_items) < shown_p
    m = np.where(found[:, None], m_true, 1 - m_true)
    b = np.where(found, b_true, 1 - b_true)
    clues = rng.choice(len(CLUES), n_items, replace=False)
    evidence = []
    for i in range(n_items):
        sid = sources[source_index[i]][0]
        evidence.append(
            {
                "id": f"E{i + 1}",
                "text": f"{CLUES[clues[i]].capitalize()}: {'found' if found[i] else 'looked for, not found'}.",
                "source": sid,
                "date": (START + dt.timedelta(days=2 * i)).isoformat(),
                "likelihood": {h: _round(m[i, j]) for j, h in enumerate(ids)},
                "if_false": _round(b[i]),
            }
        )
    data = {
        "title": f"Practice {name}: the payroll theft",
        "question": "Who took the payroll from the branch safe?",
        "description": f"A practice case drawn from a stated world: {WORLD}. The truth is in the key file.",
        "hypotheses": [
            {"id": h, "title": str(titles[j]), "prior": int(weights[j]), **({"catch_all": True} if j == n - 1 else {})}
            for j, h in enumerate(ids)
        ],
        "sources": [{"id": sid, "title": title, "reliability": letters[s]} for s, (sid, title) in enumerate(sources)],
        "evidence": evidence,
    }
    inputs = Inputs(
        hypotheses=ids,
        items=[e["id"] for e in evidence],
        sources=[s[0] for s in sources],
        prior=prior,
        prior_concentration=None,
        m=np.round(m, 2),
        kappa=np.full((n_items, n), np.nan),
        b=np.tile(np.round(b, 2)[:, None], (1, n)),
        k=np.ones(n_items),
        k_kappa=np.full(n_items, np.nan),
        r=r,
        r_kappa=np.full(n_sources, np.nan),
        source_index=source_index,
    )
    return PracticeCase(
        name,
        data,
        ids[truth],
        {s[0]: bool(ok) for s, ok in zip(sources, reliable)},
        {s[0]: ids[d] for s, d in zip(sources, decoy)},
        inputs,
    )


def draw_many(seed: int, count: int) -> list[PracticeCase]:
    """``count`` practice cases from one seed (the same seed gives the same cases)."""
    rng = np.random.default_rng(seed)
    width = max(2, len(str(count)))
    return [draw(rng, f"case-{k + 1:0{width}d}") for k in range(count)]


def key_data(cases: list[PracticeCase], seed: int) -> dict:
    """The key: each case's truth, and which of its sources told the truth."""
    return {
        "world": WORLD,
        "seed": seed,
        "cases": {
            f"{c.name}.yaml": {
                "truth": c.truth,
                "sources": {
                    sid: "reliable" if ok else f"deceiving, for {c.decoy[sid]}" for sid, ok in c.reliable.items()
                },
            }
            for c in cases
        },
    }


def _round(x: float) -> float:
    return float(round(float(x), 2))
