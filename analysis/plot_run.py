#!/usr/bin/python3
"""Figures for individual run files: training loss and evaluation metrics against step (PNG and PDF).

usage: plot_run.py RUNS_DIR_OR_FILES... --out FIGURES_DIR
"""
import argparse
import pathlib
import sys

import h5py

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from style import PALETTE, plt, save, smooth  # noqa: E402
import run_layout as layout  # noqa: E402

PANELS = [("w2", "exact W2 (data units)"), ("mmd2", "MMD² (RBF mix)"), ("nll", "held-out NLL (nats)"),
          ("path_length", "path length (data units)"), ("adaptive_nfe", "adaptive-solver NFE")]


def run_files(paths):
    for p in map(pathlib.Path, paths):
        yield from sorted(p.glob("*.h5")) if p.is_dir() else [p]


def label_of(f):
    cfg = f.attrs["config_yaml"]
    method = next((line.split(":")[1].strip().strip('"') for line in cfg.splitlines() if line.startswith("  name:")), "?")
    return f"{method} seed {f.attrs['seed']} ({f.attrs['run_id'][:8]}, {f.attrs['status']})"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    files = list(run_files(args.runs))
    if not files:
        raise SystemExit(f"no run files under {args.runs}")

    fig, axes = plt.subplots(1, 1 + len(PANELS), figsize=(4 * (1 + len(PANELS)), 3.4), constrained_layout=True)
    for k, path in enumerate(files):
        with h5py.File(path, "r") as f:
            colour = PALETTE[k % len(PALETTE)]
            loss = f[layout.TRAIN_LOSS][:]
            steps = f[layout.TRAIN_STEP][:]
            axes[0].plot(steps, smooth(loss, 25), color=colour, label=label_of(f))
            for ax, (name, _) in zip(axes[1:], PANELS):
                if layout.EVAL + name in f:
                    ax.plot(f[layout.EVAL_STEP][:], f[layout.EVAL + name][:], "o-", color=colour, ms=3)
    axes[0].set(xlabel="fine-tuning step", ylabel="flow-matching loss (25-step mean)", title="training loss")
    for ax, (name, label) in zip(axes[1:], PANELS):
        ax.set(xlabel="fine-tuning step", ylabel=label, title=name)
    axes[0].legend(fontsize=7, loc="upper right")
    save(fig, out, "runs")
    print(f"wrote {out / 'runs.png'} and {out / 'runs.pdf'} ({len(files)} runs)")


if __name__ == "__main__":
    main()
