"""One look for every gftlab figure: palette, rc settings, metric labels with units."""
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

# name -> short axis label with units; definitions go in the figure captions, directions come from summary.h5.
LABELS = {
    "fd": "FD (features²)",
    "w2": "W2 (data units)",
    "sliced_w2": "sliced W2 (data units)",
    "mmd2": "MMD², U-statistic",
    "energy": "energy distance, U-stat.",
    "nll": "held-out NLL (nats)",
    "velocity_error": "E‖v − u_t‖² (units²)",
    "target_nll": "−log q of samples (nats)",
    "precision": "precision, k = 3",
    "recall": "recall, k = 3",
    "density": "density, k = 5",
    "coverage": "coverage, k = 5",
    "vendi": "Vendi score",
    "mean_pairwise_distance": "mean pairwise dist. (units)",
    "path_length": "path length (units)",
    "kinetic_energy": "kinetic energy (units²)",
    "straightness": "straightness (units²)",
    "path_ratio": "length / displacement",
    "adaptive_nfe": "adaptive-solver NFE",
    "loss_variance_last": "fm_loss trailing var. (loss²)",
    "quality_variance_last": "quality trailing var.",
    "quality_spearman": "Spearman(step, quality)",
    "grad_spikes_per_1000": "grad-norm spikes per 1000 steps",
    "wall_seconds": "wall time (s)",
}


def label(metric):
    if metric.startswith("w2_euler_"):
        return f"W2, {metric[9:]} Euler steps (units)"
    if metric.startswith("fd_euler_"):
        return f"FD, {metric[9:]} Euler steps"
    return LABELS.get(metric, metric)


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
