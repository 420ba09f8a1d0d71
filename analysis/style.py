"""One look for every gftlab figure: palette, rc settings, metric names with units and direction."""
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

LOWER, HIGHER, NEITHER = -1, 1, 0

# name -> (short axis label with units, which direction is better); definitions go in the figure captions.
METRICS = {
    "fd": ("FD (features²)", LOWER),
    "w2": ("W2 (data units)", LOWER),
    "sliced_w2": ("sliced W2 (data units)", LOWER),
    "mmd2": ("MMD², U-statistic", LOWER),
    "energy": ("energy distance, U-stat.", LOWER),
    "nll": ("held-out NLL (nats)", LOWER),
    "velocity_error": ("E‖v − u_t‖² (units²)", LOWER),
    "target_nll": ("−log q of samples (nats)", LOWER),
    "precision": ("precision, k = 3", HIGHER),
    "recall": ("recall, k = 3", HIGHER),
    "density": ("density, k = 5", NEITHER),
    "coverage": ("coverage, k = 5", HIGHER),
    "vendi": ("Vendi score", NEITHER),
    "mean_pairwise_distance": ("mean pairwise dist. (units)", NEITHER),
    "path_length": ("path length (units)", LOWER),
    "kinetic_energy": ("kinetic energy (units²)", LOWER),
    "straightness": ("straightness (units²)", LOWER),
    "path_ratio": ("length / displacement", LOWER),
    "adaptive_nfe": ("adaptive-solver NFE", LOWER),
    "loss_variance_last": ("fm_loss trailing var. (loss²)", LOWER),
    "quality_variance_last": ("quality trailing var.", LOWER),
    "quality_spearman": ("Spearman(step, quality)", NEITHER),
    "grad_spike_count": ("grad-norm spikes (count)", LOWER),
    "wall_seconds": ("wall time (s)", LOWER),
}

QUALITY = ["fd", "w2", "sliced_w2", "mmd2", "energy", "nll", "velocity_error", "target_nll"]
DIVERSITY = ["precision", "recall", "density", "coverage", "vendi", "mean_pairwise_distance"]
PATHS = ["path_length", "straightness", "path_ratio", "adaptive_nfe"]
STABILITY = ["loss_variance_last", "quality_variance_last", "quality_spearman", "grad_spike_count"]


def label(metric):
    if metric.startswith("w2_euler_"):
        return f"W2, {metric[9:]} Euler steps (units)"
    if metric.startswith("fd_euler_"):
        return f"FD, {metric[9:]} Euler steps"
    return METRICS.get(metric, (metric, NEITHER))[0]


def better(metric):
    """A panel's title: which way the metric improves (it is labelled on the axis)."""
    return {LOWER: "lower is better", HIGHER: "higher is better"}.get(direction(metric), "")


def direction(metric):
    if metric.startswith(("w2_euler_", "fd_euler_")):
        return LOWER
    return METRICS.get(metric, (metric, NEITHER))[1]


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
