"""The figures of a sweep report; each function returns the PNG's name, or None when the data is absent."""
import math

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from style import HIGHER, LOWER, MARKERS, PALETTE, better_text, plt, save, smooth
import run_layout as layout
from sweep_data import mean_ci, seed_band, training_cost


def arm_colours(sweep):
    return {arm: PALETTE[i % len(PALETTE)] for i, arm in enumerate(sweep.arms)}


def with_files(sweep, arm, point):
    return sweep.select(arm, point, ("complete", "diverged"))


def arm_label(sweep, arm, point):
    diverged = len(sweep.select(arm, point, ("diverged",)))
    return f"{arm} ({diverged} diverged)" if diverged else arm


def draw_band(ax, x, curves, colour, name):
    mean, lo, hi = seed_band(curves)
    n = min(len(x), len(mean))
    ax.plot(x[:n], mean[:n], color=colour, lw=1.3, label=name)
    ax.fill_between(x[:n], lo[:n], hi[:n], color=colour, alpha=0.2, lw=0)


def log_if_positive(ax, curves):
    values = np.concatenate([np.asarray(c, float) for c in curves]) if curves else np.array([])
    values = values[np.isfinite(values)]
    if len(values) and values.min() > 0 and values.max() / values.min() > 20:
        ax.set_yscale("log")


def stability_figure(sweep, out):
    """Per grid point: fm_loss per step, the probe loss and the quality metric per evaluation, and beta."""
    if not sweep.select(status=("complete", "diverged")):
        return None
    colours = arm_colours(sweep)
    rows = sweep.points
    fig, axes = plt.subplots(len(rows), 4, figsize=(14, 2.9 * len(rows)), squeeze=False, constrained_layout=True)
    for (ax_loss, ax_probe, ax_q, ax_beta), point in zip(axes, rows):
        all_loss, all_probe = [], []
        for arm in sweep.arms:
            runs = with_files(sweep, arm, point)
            if not runs:
                continue
            steps = max((r.series(layout.TRAIN_STEP) for r in runs), key=len)
            window = max(1, len(steps) // 50)
            fm_loss = [r.series(layout.TRAIN_FM_LOSS) for r in runs]
            loss = [smooth(series, window) for series in fm_loss if series is not None]
            if loss:
                all_loss += loss
                draw_band(ax_loss, steps, loss, colours[arm], arm_label(sweep, arm, point))
            eval_steps = max((r.series(layout.EVAL_STEP) for r in runs), key=len)
            probe = [s for s in (r.series(layout.EVAL_PROBE_FM_LOSS) for r in runs) if s is not None]
            if probe:
                all_probe += probe
                draw_band(ax_probe, eval_steps, probe, colours[arm], arm_label(sweep, arm, point))
            qm = runs[0].quality_metric
            quality = [r.series(layout.EVAL + qm) for r in runs if r.series(layout.EVAL + qm) is not None]
            if quality:
                draw_band(ax_q, eval_steps, quality, colours[arm], arm_label(sweep, arm, point))
                ax_q.set_ylabel(sweep.label(qm))
            beta = runs[0].series(layout.TRAIN + "beta")
            if beta is not None:
                ax_beta.plot(steps[:len(beta)], beta, color=colours[arm], lw=1.3, label=arm)
        log_if_positive(ax_loss, all_loss)
        log_if_positive(ax_probe, all_probe)
        where = f"\n{point}" if point else ""
        ax_loss.set(xlabel="fine-tuning step", ylabel="fm_loss (trailing mean)", title="training fm_loss" + where)
        ax_probe.set(xlabel="fine-tuning step", ylabel="probe fm_loss", title="probe loss (held-out)" + where)
        ax_q.set(xlabel="fine-tuning step", title="quality, mean and 95% t-band" + where)
        ax_beta.set(xlabel="fine-tuning step", ylabel="temperature β", title="cooling schedule β(step)" + where)
        if not ax_beta.lines:
            ax_beta.text(0.5, 0.5, "no GFT arm", ha="center", va="center", transform=ax_beta.transAxes)
    shared_legend(fig, axes[0][1])
    return save(fig, out, "stability")


def shared_legend(fig, ax):
    """One legend for the whole figure, below it, so that it hides no data."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=min(len(labels), 7),
                   frameon=False)


def forest_figure(sweep, out, comparisons):
    """One panel per measure: each arm's paired effect against the baseline at every grid point (a ratio on a log
    axis, or a difference), with its interval; no-effect and margin lines."""
    measures = list(dict.fromkeys(c.measure.name for c in comparisons))
    if not measures:
        return None
    colours = arm_colours(sweep)
    cells = list(dict.fromkeys((c.arm, c.point) for c in comparisons))
    cols = min(3, len(measures))
    rows = math.ceil(len(measures) / cols)
    height = max(2.2, 0.22 * len(cells) + 1.0)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, height * rows), squeeze=False, constrained_layout=True)
    points = sweep.points
    for ax, name in zip(axes.flat, measures):
        cs = {(c.arm, c.point): c for c in comparisons if c.measure.name == name}
        measure = next(iter(cs.values())).measure
        ratio = measure.scale == "log"
        shown = lambda x: math.exp(x) if ratio else x  # noqa: E731
        for y, cell in enumerate(cells):
            c = cs.get(cell)
            if c is None or c.n_pairs == 0 or not math.isfinite(c.effect):
                ax.text(0.5, y, "not measured", transform=ax.get_yaxis_transform(), ha="center", va="center",
                        fontsize=6, color="0.5")
                continue
            centre, lo, hi = shown(c.effect), shown(c.lo), shown(c.hi)
            err = [[centre - lo], [hi - centre]] if math.isfinite(lo) and math.isfinite(hi) else None
            decided = c.verdict not in ("", "inconclusive", "too few pairs", "not measurable")
            ax.errorbar(centre, y, xerr=err, fmt=MARKERS[points.index(cell[1]) % len(MARKERS)], color=colours[cell[0]],
                        ms=4, capsize=2, lw=1.1, mfc=colours[cell[0]] if decided else "white")
            if measure.noninferiority:
                ax.plot([shown(measure.margin)] * 2, [y - 0.4, y + 0.4], color="0.3", ls="--", lw=0.9)
        ax.axvline(1.0 if ratio else 0.0, color="0.55", lw=1)
        if ratio:  # plain ratios as tick labels; unlabelled minor ticks, which overlap on narrow ranges
            ax.set_xscale("log")
            ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_yticks(range(len(cells)))
        ax.set_yticklabels([f"{arm}" + (f" · {point}" if point and len(points) > 1 else "") for arm, point in cells],
                           fontsize=7)
        ax.set_ylim(len(cells) - 0.5, -0.5)
        better = {LOWER: "lower", HIGHER: "higher"}.get(measure.better, "no direction")
        ax.set(title=f"{measure.label} ({better})", xlabel="arm / baseline" if ratio else "arm − baseline")
        ax.title.set_fontsize(8)
    for ax in axes.flat[len(measures):]:
        ax.set_visible(False)
    return save(fig, out, "forest")


def cost_figure(sweep, out):
    """The quality metric against what training has cost so far, one column per grid point: cumulative network
    evaluations (top) and time in fine-tuning steps (bottom), the comparison at equal cost. Drawn when some
    arm's cost per step differs from another's."""
    runs = sweep.select(status=("complete", "diverged"))
    costs = {r.run_id: training_cost(r) for r in runs}
    per_step = {float(c[1][-1] / c[0][-1]) for c in costs.values() if c is not None}
    if len(per_step) < 2:
        return None
    colours = arm_colours(sweep)
    fig, axes = plt.subplots(2, len(sweep.points), figsize=(4.2 * len(sweep.points), 6.0), squeeze=False,
                             constrained_layout=True)
    for column, point in enumerate(sweep.points):
        ax_nfe, ax_time = axes[0][column], axes[1][column]
        for arm in sweep.arms:
            for i, r in enumerate(with_files(sweep, arm, point)):
                quality, cost = r.series(layout.EVAL + r.quality_metric), costs[r.run_id]
                if quality is None or cost is None:
                    continue
                style = dict(color=colours[arm], lw=1.0, alpha=0.8, marker=".", ms=3, label=arm if i == 0 else None)
                # Step 0 is the pretrained model, at no cost: drawn at the axis' left end.
                spent = np.interp(r.series(layout.EVAL_STEP)[:len(quality)], *cost)
                ax_nfe.plot(np.maximum(spent, 1.0), quality, **style)
                seconds = r.series(layout.EVAL_TRAIN_SECONDS)
                if seconds is not None:
                    ax_time.plot(np.maximum(seconds[:len(quality)], 1e-2), quality, **style)
                for ax in (ax_nfe, ax_time):
                    ax.set_ylabel(sweep.label(r.quality_metric))
        title = "quality at equal cost" + (f" — {point}" if point else "")
        ax_nfe.set(xscale="log", xlabel="network evaluations in training (cumulative)", title=title)
        ax_time.set(xscale="log", xlabel="time in fine-tuning steps (s)", title=title)
    handles = {}
    for ax in axes[0]:
        handles.update({name: h for h, name in zip(*ax.get_legend_handles_labels())})
    fig.legend(handles.values(), handles.keys(), loc="upper center", bbox_to_anchor=(0.5, 0.0),
               ncol=min(len(handles), 7), frameon=False)
    return save(fig, out, "cost")


def series_figure(sweep, out, name, metrics):
    """Evaluated metrics against step (mean and 95% band over seeds), one row per grid point."""
    runs = sweep.select(status=("complete", "diverged"))
    metrics = [m for m in metrics if any(r.series(layout.EVAL + m) is not None for r in runs)]
    if not metrics:
        return None
    colours = arm_colours(sweep)
    fig, axes = plt.subplots(len(sweep.points), len(metrics), figsize=(3.6 * len(metrics), 2.8 * len(sweep.points)),
                             squeeze=False, constrained_layout=True)
    for row, point in zip(axes, sweep.points):
        for ax, metric in zip(row, metrics):
            for arm in sweep.arms:
                with_series = [r for r in with_files(sweep, arm, point) if r.series(layout.EVAL + metric) is not None]
                if with_series:
                    steps = max((r.series(layout.EVAL_STEP) for r in with_series), key=len)
                    draw_band(ax, steps, [r.series(layout.EVAL + metric) for r in with_series], colours[arm], arm)
            title = metric + (f" — {point}" if point else "")
            ax.set(xlabel="fine-tuning step", ylabel=sweep.label(metric), title=title)
    shared_legend(fig, axes[0][0])
    return save(fig, out, name)


def finals_figure(sweep, out, name, metrics):
    """One panel per metric: each arm's mean over seeds with its Student-t 95% interval, seeds as dots."""
    metrics = [m for m in metrics if sweep.has_final(m)]
    if not metrics:
        return None
    colours = arm_colours(sweep)
    cols = min(4, len(metrics))
    rows = math.ceil(len(metrics) / cols)
    panel = max(3.4, 0.6 * len(sweep.arms))
    fig, axes = plt.subplots(rows, cols, figsize=(panel * cols, 3.2 * rows), squeeze=False, constrained_layout=True)
    width = 0.6 / max(1, len(sweep.points))
    for ax, metric in zip(axes.flat, metrics):
        for i, arm in enumerate(sweep.arms):
            for j, point in enumerate(sweep.points):
                values = [r.finals.get(metric, math.nan) for r in sweep.complete(arm, point)]
                mean, lo, hi, n = mean_ci(values)
                x = i + (j - (len(sweep.points) - 1) / 2) * width
                ax.scatter(np.full(len(values), x), values, s=6, color=colours[arm], alpha=0.35, lw=0)
                if n:
                    err = [[mean - lo], [hi - mean]] if n > 1 else None
                    ax.errorbar(x, mean, yerr=err, fmt=MARKERS[j % len(MARKERS)], color=colours[arm], ms=5,
                                capsize=2, label=point if i == 0 else None)
        reference = [r.finals["reference_" + metric] for r in sweep.runs if "reference_" + metric in r.finals]
        if reference:
            ax.axhline(np.mean(reference), color="0.4", ls="--", lw=1)
            ax.text(0.99, np.mean(reference), "held-out data", transform=ax.get_yaxis_transform(), ha="right",
                    va="bottom", fontsize=7, color="0.4")
        ax.set_xticks(range(len(sweep.arms)))
        ax.set_xticklabels(sweep.arms, rotation=40, ha="right",
                           rotation_mode="anchor", fontsize=7)
        ax.set(ylabel=sweep.label(metric), title=better_text(sweep.direction(metric)))
    for ax in axes.flat[len(metrics):]:
        ax.set_visible(False)
    if len(sweep.points) > 1:
        shared_legend(fig, axes.flat[0])
    return save(fig, out, name)


def euler_ladder_figure(sweep, out):
    """Quality against the number of Euler steps: FD for images (features exist), W2 otherwise."""
    prefix = "fd_euler_" if any(m.startswith("fd_euler_") for m in sweep.final_names) else "w2_euler_"
    ks = sorted(int(m[9:]) for m in sweep.final_names if m.startswith(prefix))
    if not ks:
        return None
    colours = arm_colours(sweep)
    fig, axes = plt.subplots(1, len(sweep.points), figsize=(4.2 * len(sweep.points), 3.3), squeeze=False,
                             sharey=True, constrained_layout=True)
    for ax, point in zip(axes[0], sweep.points):
        for arm in sweep.arms:
            runs = sweep.complete(arm, point)
            if runs:
                curves = [[r.finals.get(f"{prefix}{k}", math.nan) for k in ks] for r in runs]
                draw_band(ax, np.array(ks), curves, colours[arm], arm)
        ax.set_xscale("log", base=2)
        ax.set_xticks(ks, [str(k) for k in ks])
        ax.minorticks_off()
        ax.set(xlabel="Euler steps (network evaluations)", ylabel=sweep.label(prefix[:-7]),
               title="few-step quality" + (f" — {point}" if point else ""))
    shared_legend(fig, axes[0][0])
    return save(fig, out, "euler_ladder")


def param_figure(sweep, out, metrics):
    """Final metrics against the numeric grid key (e.g. beta0 or the dimension), one line per arm."""
    found = sweep.numeric_param()
    metrics = [m for m in metrics if sweep.has_final(m)]
    if not found or not metrics:
        return None
    key, values = found
    colours = arm_colours(sweep)
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.0 * len(metrics), 3.2), squeeze=False,
                             constrained_layout=True)
    order = sorted(sweep.points, key=values.get)
    xs = np.array([values[p] for p in order])
    for ax, metric in zip(axes[0], metrics):
        for arm in sweep.arms:
            stats = [mean_ci([r.finals.get(metric, math.nan) for r in sweep.complete(arm, p)]) for p in order]
            mean = np.array([s[0] for s in stats])
            lo = np.array([s[1] if s[3] > 1 else s[0] for s in stats])
            hi = np.array([s[2] if s[3] > 1 else s[0] for s in stats])
            ax.errorbar(xs, mean, yerr=[mean - lo, hi - mean], fmt="o-", color=colours[arm], ms=4, capsize=2,
                        label=arm)
        positive = xs[xs > 0]
        if len(positive) and positive.max() / positive.min() >= 8:  # e.g. beta0 in {0, 0.5, ..., 8}
            ax.set_xscale("log", base=2) if xs.min() > 0 else ax.set_xscale("symlog", base=2, linthresh=positive.min())
            ax.set_xticks(xs, [f"{x:g}" for x in xs])
            ax.minorticks_off()
        ax.set(xlabel=key, ylabel=sweep.label(metric), title=f"{metric} against {key}")
    shared_legend(fig, axes[0][0])
    return save(fig, out, "by_" + key.replace(".", "_"))


def samples_figure(sweep, out):
    """Image sweeps: the final evaluation's generated images (fixed noise) per arm and grid point, first seed."""
    cells = {}
    for arm in sweep.arms:
        for point in sweep.points:
            runs = sorted(sweep.complete(arm, point), key=lambda r: r.seed)
            grid = runs[0].series(layout.EVAL_SAMPLES) if runs else None
            if grid is not None and len(grid):
                cells[arm, point] = (grid[-1], runs[0].seed)
    if not cells:
        return None
    fig, axes = plt.subplots(len(sweep.arms), len(sweep.points), figsize=(2.2 * len(sweep.points), 2.3 * len(sweep.arms)),
                             squeeze=False, constrained_layout=True)
    for i, arm in enumerate(sweep.arms):
        for j, point in enumerate(sweep.points):
            ax = axes[i][j]
            ax.axis("off")
            if (arm, point) not in cells:
                continue
            images, seed = cells[arm, point]
            side = int(math.ceil(math.sqrt(len(images))))
            h, w = images.shape[1:]
            mosaic = np.zeros((side * h, side * w), dtype=images.dtype)
            for k, image in enumerate(images):
                mosaic[(k // side) * h:(k // side + 1) * h, (k % side) * w:(k % side + 1) * w] = image
            ax.imshow(mosaic, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
            where = point.replace(", ", "\n") + "\n" if point else ""
            ax.set_title(f"{arm}\n{where}seed {seed}", fontsize=7)
    return save(fig, out, "samples")
