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

# name -> (axis label with units, which direction is better)
METRICS = {
    "fd": ("FD in classifier features (features²)", LOWER),
    "w2": ("exact W2 (data units)", LOWER),
    "sliced_w2": ("sliced W2 (data units)", LOWER),
    "mmd2": ("MMD² (RBF mix, unitless)", LOWER),
    "energy": ("energy distance (data units)", LOWER),
    "nll": ("model NLL of held-out data (nats)", LOWER),
    "velocity_error": ("velocity error E‖v − u_t‖² (data units²)", LOWER),
    "target_nll": ("−log q of samples (nats)", LOWER),
    "precision": ("precision, k = 3 (fraction)", HIGHER),
    "recall": ("recall, k = 3 (fraction)", HIGHER),
    "density": ("density, k = 5 (ratio; 1 for matching sets)", NEITHER),
    "coverage": ("coverage, k = 5 (fraction)", HIGHER),
    "vendi": ("Vendi score (effective samples)", NEITHER),
    "mean_pairwise_distance": ("mean pairwise distance (data units)", NEITHER),
    "path_length": ("path length (data units)", LOWER),
    "kinetic_energy": ("kinetic energy ∫‖v‖² dt (data units²)", LOWER),
    "straightness": ("straightness ∫‖X1 − X0 − v‖² dt (data units²)", LOWER),
    "path_ratio": ("path length / displacement (ratio)", LOWER),
    "adaptive_nfe": ("adaptive-solver NFE (evaluations)", LOWER),
    "loss_variance_last": ("final trailing loss variance (loss²)", LOWER),
    "quality_variance_last": ("final trailing quality variance (metric²)", LOWER),
    "quality_spearman": ("Spearman(step, quality) (−1 = monotone)", NEITHER),
    "grad_spike_count": ("gradient-norm spikes (count)", LOWER),
    "wall_seconds": ("wall time (s)", LOWER),
}

QUALITY = ["fd", "w2", "sliced_w2", "mmd2", "energy", "nll", "velocity_error", "target_nll"]
DIVERSITY = ["precision", "recall", "density", "coverage", "vendi", "mean_pairwise_distance"]
PATHS = ["path_length", "straightness", "path_ratio", "adaptive_nfe"]
STABILITY = ["loss_variance_last", "quality_variance_last", "quality_spearman", "grad_spike_count"]


def label(metric):
    if metric.startswith("w2_euler_"):
        return f"W2 after {metric[9:]} Euler steps (data units)"
    if metric.startswith("fd_euler_"):
        return f"FD after {metric[9:]} Euler steps (features²)"
    return METRICS.get(metric, (metric, NEITHER))[0]


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
