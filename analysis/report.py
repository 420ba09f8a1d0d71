#!/usr/bin/python3
"""Figures (PNG and PDF) and report.md for one collected sweep.

usage: report.py SWEEP_DIR      (results/<experiment>/<profile>, holding summary.h5)
Normally run by `gftlab report EXP.yaml --profile P`, which collects the sweep first.
"""
import math
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from style import DIVERSITY, HIGHER, LOWER, PATHS, QUALITY, STABILITY, direction  # noqa: E402
from sweep_data import Sweep, mean_ci, paired, training_cost  # noqa: E402
import sweep_figures as figs  # noqa: E402

TABLE_METRICS = QUALITY + ["recall", "coverage", "vendi", "path_length", "adaptive_nfe", "quality_spearman",
                           "loss_variance_last", "grad_spike_count"]


def fmt(x):
    if not math.isfinite(x):
        return "–"
    return f"{x:.4g}"


def cell(values):
    mean, lo, hi, n = mean_ci(values)
    if n == 0:
        return "–"
    return f"{fmt(mean)} [{fmt(lo)}, {fmt(hi)}]" if n > 1 else fmt(mean)


def arms_with_coupling(sweep, arm):
    couplings = {r.coupling for r in sweep.select(arm)}
    return f"{arm} ({couplings.pop()})" if len(couplings) == 1 else arm


def draw_figures(sweep, out):
    """[(title, png, what it answers)] for every figure the data allows."""
    quality = [m for m in QUALITY if sweep.has_final(m)]
    primary = [m for m in dict.fromkeys(r.quality_metric for r in sweep.runs) if sweep.has_final(m)] or quality[:1]
    drawn = [
        ("Stability", figs.stability_figure(sweep, out),
         "Does training stay stable? Training loss and the quality metric against step (mean and 95% t-band "
         "over seeds), and the temperature β of each GFT arm."),
        ("Diversity during fine-tuning", figs.series_figure(sweep, out, "diversity_steps", ["recall", "coverage", "vendi"]),
         "Does fine-tuning lose modes on the way? Recall, coverage and Vendi score against step (mean and 95% "
         "t-band over seeds)."),
        ("Final quality", figs.finals_figure(sweep, out, "final_quality", QUALITY),
         "Which arm ends closest to the target? Mean over seeds with 95% bootstrap intervals; dots are seeds."),
        ("Final diversity", figs.finals_figure(sweep, out, "final_diversity", DIVERSITY),
         "Is quality bought with collapse? Precision/recall (k = 3), density/coverage (k = 5), Vendi score and "
         "mean pairwise distance of the generated samples."),
        ("Paths and inference cost", figs.finals_figure(sweep, out, "paths", PATHS, arms_with_coupling),
         "How straight and cheap are the learned flows? Path length, straightness, length/displacement and the "
         "adaptive solver's network evaluations, per arm (its coupling in brackets, or per grid point)."),
        ("Few-step quality", figs.euler_ladder_figure(sweep, out),
         "How much quality survives with few Euler steps? FD (images) or exact W2 against the number of steps."),
        ("Samples", figs.samples_figure(sweep, out),
         "What do the fine-tuned models generate? The final evaluation's images from fixed noise, first seed."),
        ("Quality at equal cost", figs.cost_figure(sweep, out),
         "What does each arm's quality cost? The quality metric at each evaluation against the network "
         "evaluations (top) and the time (bottom) spent in fine-tuning steps so far (log scales; one line per "
         "seed, the pretrained model at the left end). Reward-based methods pay for trajectories and adjoints at "
         "every step."),
        ("Stability summary", figs.finals_figure(sweep, out, "stability_summary", STABILITY),
         "Final trailing variances, the Spearman correlation of quality with step (−1: monotone improvement) "
         "and the count of gradient-norm spikes."),
        ("Against the grid parameter", figs.param_figure(sweep, out, primary[:1] + ["coverage", "path_length"]),
         "How do the arms respond to the swept parameter?"),
    ]
    return [(title, png, caption) for title, png, caption in drawn if png]


def problems_section(sweep):
    bad = [r for r in sweep.runs if r.status != "complete"]
    if not bad:
        return ["Every planned run is complete.", ""]
    lines = ["| run_id | arm | seed | point | status | detail |", "|---|---|---|---|---|---|"]
    for r in bad:
        detail = r.error if r.status == "failed" else (
            f"non-finite loss at step {fmt(r.finals.get('diverged_step', math.nan))}" if r.status == "diverged"
            else "no run file yet")
        lines.append(f"| `{r.run_id}` | {r.arm} | {r.seed} | {r.point or '–'} | **{r.status}** | {detail} |")
    return lines + ["", "Diverged and failed runs are left out of the means below and counted in `n`."]


def metrics_section(sweep):
    metrics = [m for m in TABLE_METRICS if sweep.has_final(m)]
    lines = []
    for point in sweep.points:
        if point:
            lines += [f"### {point}", ""]
        lines.append("| arm | method | n | " + " | ".join(metrics) + " |")
        lines.append("|---|---|---|" + "---|" * len(metrics))
        for arm in sweep.arms:
            runs = sweep.complete(arm, point)
            planned = len(sweep.select(arm, point))
            row = [arm, sweep.describe_arm(arm), f"{len(runs)}/{planned}"]
            row += [cell([r.finals.get(m, math.nan) for r in runs]) for m in metrics]
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
    return lines


def cost_section(sweep):
    lines = ["Per run, mean [95% bootstrap interval] over complete seeds: network evaluations and "
             "vector-Jacobian products of the fine-tuning loss (all steps), the time spent in fine-tuning steps "
             "and the run's wall time (pretraining and evaluations included). Times depend on the machine and "
             "on concurrent runs.", "",
             "| arm | method | network evaluations | VJPs | fine-tuning time (s) | wall time (s) |",
             "|---|---|---|---|---|---|"]
    for arm in sweep.arms:
        runs = [r for point in sweep.points for r in sweep.complete(arm, point)]
        totals = {s: [c[1][-1] for c in map(lambda r: training_cost(r, s), runs) if c is not None]
                  for s in ("train/nfe", "train/vjp")}
        wall = [r.finals.get("wall_seconds", math.nan) for r in runs]
        tuning = [r.series("eval/train_seconds")[-1] for r in runs if r.series("eval/train_seconds") is not None]
        lines.append(f"| {arm} | {sweep.describe_arm(arm)} | {cell(totals['train/nfe'])} | {cell(totals['train/vjp'])} "
                     f"| {cell(tuning)} | {cell(wall)} |")
    return lines + [""]


def baseline_of(sweep, arm):
    coupling = sweep.select(arm)[0].coupling
    standards = [a for a in sweep.arms if sweep.select(a)[0].method == "standard"]
    same = [a for a in standards if sweep.select(a)[0].coupling == coupling]
    return (same or standards or [None])[0]


def comparison_section(sweep):
    gft_arms = [a for a in sweep.arms if sweep.select(a)[0].method.startswith("gft")]
    pairs = [(a, baseline_of(sweep, a)) for a in gft_arms]
    pairs = [(a, b) for a, b in pairs if b]
    if not pairs:
        return ["No GFT arm with a standard fine-tuning arm to compare against in this sweep.", ""]
    metrics = [m for m in TABLE_METRICS if sweep.has_final(m)]
    lines = ["Differences GFT − standard over seeds run by both (same seed: same pretrained model, target "
             "samples and evaluation noise). Interval: 95% bootstrap of the mean difference; wins: seeds where "
             "GFT is better (– where neither direction is better, e.g. Vendi, which should match the data's); "
             "p: two-sided Wilcoxon signed-rank (n ≥ 6 is needed for p < 0.05).", ""]
    for a, b in pairs:
        for point in sweep.points:
            lines += [f"### {a} vs {b}" + (f" — {point}" if point else ""), "",
                      "| metric | better | mean difference | 95% interval | wins | p |", "|---|---|---|---|---|---|"]
            for m in metrics:
                c = paired(sweep.complete(a, point), sweep.complete(b, point), m, direction(m))
                if c["n"] == 0:
                    continue
                better = {LOWER: "lower", HIGHER: "higher"}.get(direction(m), "–")
                wins = f"{c['wins']}/{c['n']}" if c["wins"] is not None else f"–/{c['n']}"
                lines.append(f"| {m} | {better} | {fmt(c['mean'])} | [{fmt(c['lo'])}, {fmt(c['hi'])}] | {wins} | "
                             f"{fmt(c['p'])} |")
            lines.append("")
    return lines


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    sweep = Sweep(sys.argv[1])
    out = sweep.directory / "figures"
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("*.png"), *out.glob("*.pdf")]:  # figures of an earlier report of another grid
        old.unlink()
    figures = draw_figures(sweep, out)
    a = sweep.attrs
    lines = [f"# {sweep.name}", ""]
    if a.get("description"):
        lines += [f"*{a['description']}*", ""]
    lines += [f"Collected {a['collected_at']}: {a['n_runs']} planned runs — {a['n_complete']} complete, "
             f"{a['n_diverged']} diverged, {a['n_failed']} failed, {a['n_pending']} pending.", "",
             "## Runs that are not complete", ""] + problems_section(sweep)
    lines += ["", "## Figures", ""]
    for title, png, caption in figures:
        lines += [f"### {title}", "", caption, "", f"![{title}]({png})", f"([PDF]({png[:-4]}.pdf))", ""]
    lines += ["## Final metrics", "", "Mean [95% bootstrap interval] over complete seeds; n = complete/planned.", ""]
    lines += metrics_section(sweep)
    lines += ["## Cost", ""] + cost_section(sweep)
    lines += ["## GFT against standard fine-tuning (paired by seed)", ""] + comparison_section(sweep)
    (out / "report.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {len(figures)} figures (PNG and PDF) and {out / 'report.md'}")


if __name__ == "__main__":
    main()
