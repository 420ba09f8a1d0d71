"""One look for every gftlab figure: palette, rc settings, directions (metric labels come with summary.h5)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

# Okabe-Ito: distinguishable under the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]

plt.rcParams.update({
    "figure.dpi": 110, "savefig.dpi": 150, "font.size": 9, "axes.titlesize": 9, "axes.labelsize": 9,
    "legend.fontsize": 8, "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
    "axes.spines.right": False,
})

# Which way a metric gets better, as summary.h5's /metrics/better says it (gftlab's metric table).
LOWER, HIGHER, NEITHER = -1, 1, 0

def better_text(better):
    """A panel's title: which way the metric improves (it is labelled on the axis)."""
    return {LOWER: "lower is better", HIGHER: "higher is better"}.get(better, "")


def smooth(y, window):
    """Trailing moving average; the first window - 1 points average what exists so far."""
    y = np.asarray(y, dtype=float)
    if window <= 1 or len(y) == 0:
        return y
    c = np.concatenate([[0.0], np.cumsum(y)])
    end = np.arange(1, len(y) + 1)
    start = np.maximum(end - window, 0)
    return (c[end] - c[start]) / (end - start)


def save(fig, out, name):
    """Writes name.png and name.pdf; returns the PNG's file name."""
    for ext in ("png", "pdf"):
        fig.savefig(out / f"{name}.{ext}", bbox_inches="tight")
    plt.close(fig)
    return f"{name}.png"
