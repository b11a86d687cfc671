"""The team report's figures, drawn from the JSON data: posteriors side by side, the disagreement
heat map beside the classic SD bands, and the analysts' biases with their intervals."""

from __future__ import annotations

import numpy as np

__all__ = ["FIGURES", "bias", "disagreement", "posteriors"]

FONT = 9


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def posteriors(data: dict):
    """Each analyst's posterior, the two pools and the team model (with its 90 % interval)."""
    plt = _plt()
    hyps = data["hypotheses"]
    rows = [(n, data["each"][n]["posterior"]) for n in data["analysts"]]
    rows += [("linear pool", data["pools"]["linear"]), ("log pool", data["pools"]["logarithmic"])]
    rows += [("team model", data["pooled"]["posterior"])]
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.12 * len(hyps) * len(rows)), layout="constrained")
    width = 0.8 / len(rows)
    palette = [c for k, c in enumerate(plt.get_cmap("tab10").colors) if k != 7]  # grey is for the pools
    palette += list(plt.get_cmap("tab20b").colors)
    colours = {"linear pool": "0.55", "log pool": "0.78", "team model": "black"}
    for r, (name, post) in enumerate(rows):
        y = np.arange(len(hyps)) + (r - (len(rows) - 1) / 2) * width
        values = [post[h] for h in hyps]
        ax.barh(y, values, height=width * 0.95, label=name, color=colours.get(name, palette[r % len(palette)]))
        if name == "team model":
            lo = [values[j] - data["pooled"]["hdi90"][h][0] for j, h in enumerate(hyps)]
            hi = [data["pooled"]["hdi90"][h][1] - values[j] for j, h in enumerate(hyps)]
            ax.errorbar(values, y, xerr=[lo, hi], fmt="none", ecolor="tab:red", capsize=2, lw=1)
    ax.set_yticks(np.arange(len(hyps)), hyps, fontsize=FONT)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("posterior probability (team model: 90 % interval in red)", fontsize=FONT)
    ax.tick_params(labelsize=FONT)
    ax.legend(fontsize=FONT - 1, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_title("Each analyst's posterior, the pools and the team model", fontsize=FONT + 1)
    return fig


def disagreement(data: dict):
    """Impact of each cell's disagreement (heat map) beside Open Source ACH's SD bands of the same cells."""
    plt = _plt()
    from matplotlib.colors import ListedColormap

    hyps = data["hypotheses"]
    cells = data["disagreement"]
    items = sorted({d["item"] for d in cells}, key=lambda e: (len(e), e))
    impact = np.full((len(items), len(hyps)), np.nan)
    bands = np.full((len(items), len(hyps)), np.nan)
    order = {"consensus": 0, "mild": 1, "strong": 2, "extreme": 3}
    for d in cells:
        i, j = items.index(d["item"]), hyps.index(d["hypothesis"])
        impact[i, j] = 100 * d["impact"]
        bands[i, j] = order[d["band"]]
    height = max(3.0, 0.9 + 0.2 * len(items))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, height), layout="constrained")
    im = ax1.imshow(impact, aspect="auto", cmap="Reds", vmin=0)
    fig.colorbar(im, ax=ax1, label="impact (pp of the leader)", shrink=0.8).ax.tick_params(labelsize=FONT)
    colours = ListedColormap(["#f0f0f0", "#fdd49e", "#fc8d59", "#b30000"])
    ax2.imshow(bands, aspect="auto", cmap=colours, vmin=-0.5, vmax=3.5)
    for ax, title in ((ax1, "Impact of the disagreement"), (ax2, "Classic SD bands")):
        ax.set_xticks(range(len(hyps)), hyps, fontsize=FONT, rotation=45, ha="right")
        ax.set_yticks(range(len(items)), items, fontsize=FONT if len(items) <= 40 else 7)
        ax.set_title(title, fontsize=FONT + 1)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours(k)) for k in range(4)]
    ax2.legend(handles, list(order), fontsize=FONT - 1, loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False)
    return fig


def bias(data: dict):
    """Each analyst's bias on the logit scale with its 90 % interval."""
    plt = _plt()
    names = data["analysts"]
    fig, ax = plt.subplots(figsize=(7, 1.2 + 0.4 * len(names)), layout="constrained")
    for k, name in enumerate(names):
        b = data["analyst_bias"][name]
        ax.plot(b["hdi90"], [k, k], color="tab:blue", lw=2)
        ax.plot([b["mean"]], [k], "o", color="black")
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(range(len(names)), names, fontsize=FONT)
    ax.invert_yaxis()
    ax.tick_params(labelsize=FONT)
    ax.set_xlabel("bias in log-odds (+: rates consistency high), 90 % interval", fontsize=FONT)
    ax.set_title("Analysts' tendencies", fontsize=FONT + 1)
    return fig


FIGURES = {"posteriors": posteriors, "disagreement": disagreement, "bias": bias}
