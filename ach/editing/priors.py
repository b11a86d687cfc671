"""How priors left out are filled in: priors are all or none, so the rest share what is left."""

from __future__ import annotations

from ..formatting import plain

__all__ = ["fill_priors"]


def fill_priors(given: dict, rest: list[str]) -> tuple[dict, str]:
    """Priors for the hypotheses ``rest`` that ``given`` leaves out, and the rule, in words.

    Weights that sum to at most 1 are read as probabilities and the rest of 1 is
    shared equally; larger ones as percentages, sharing the rest of 100. Nothing
    left to share is refused: a prior of 0 would rule a hypothesis out unasked.
    """
    for h, v in given.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
            raise ValueError(f"the prior weight of {h} is {plain(v)}: a prior weight is a number of at least 0")
    numbers = list(given.values())
    total = sum(numbers)
    whole = 1 if total <= 1 else 100
    left = whole - total
    names = ", ".join(rest)
    if left <= 0:
        raise ValueError(
            f"the priors given sum to {plain(total)}, leaving nothing of {whole} for {names} "
            "(a prior of 0 would rule them out)"
        )
    share = left / len(rest)
    value = round(share, 6 if whole == 1 else 4)
    value = int(value) if float(value).is_integer() and whole == 100 else value
    rule = (
        f"priors are all or none: {names} {'was' if len(rest) == 1 else 'were'} not given, so "
        f"{'it gets' if len(rest) == 1 else 'each gets an equal share of'} what is left of {whole}: "
        f"({plain(whole)} − {plain(round(total, 10))})"
        + (f" / {len(rest)}" if len(rest) > 1 else "")
        + f" = {plain(value)}"
    )
    return dict.fromkeys(rest, value), rule
