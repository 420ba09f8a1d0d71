#!/usr/bin/python3
"""Figures (PNG and PDF), report.md, report.html (one self-contained page) and claims.json for one collected sweep.

usage: report.py SWEEP_DIR      (results/<experiment>/<profile>, holding summary.h5)
Normally run by `gftlab report EXP.yaml --profile P`, which collects the sweep first.
"""
import math
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import claims  # noqa: E402
import report_html  # noqa: E402
import sweep_figures as figs  # noqa: E402
from sweep_data import Sweep, mean_ci, training_cost  # noqa: E402
import run_layout as layout  # noqa: E402

# The final-metrics table: every quality metric, then these.
TABLE_EXTRA = ["recall", "coverage", "vendi", "path_length", "adaptive_nfe", "quality_spearman", "loss_variance_last",
               "grad_spikes_per_1000"]
INTERVAL = "mean [Student-t 95% interval]"


def fmt(x):
    if not math.isfinite(x):
        return "–"
    return f"{x:.4g}"


def cell(values):
    mean, lo, hi, n = mean_ci(values)
    if n == 0:
        return "–"
    return f"{fmt(mean)} [{fmt(lo)}, {fmt(hi)}]" if n > 1 else fmt(mean)


def draw_figures(sweep, out, comparisons):
    """[(title, png, what it answers)] for every figure; png is None where the data does not allow it."""
    primary = [m for m in dict.fromkeys(r.quality_metric for r in sweep.runs) if sweep.has_final(m)] or \
        [m for m in sweep.family("quality") if sweep.has_final(m)][:1]
    drawn = [
        ("Effects against the baseline", figs.forest_figure(sweep, out, comparisons),
         f"How large is each arm's effect on each measure? Paired effect against the baseline ({sweep.baseline}): "
         "the ratio arm / baseline (log axis) for positive quantities, the difference otherwise, with its interval "
         "(the primary measures' at the Holm level, the others' at 95%); the grey line is no effect, the dashed one "
         "the non-inferiority margin. Filled markers: a verdict of the confirmatory family; open: no verdict. "
         "Marker shape: grid point."),
        ("Stability", figs.stability_figure(sweep, out),
         "Does training stay stable? The plain flow-matching loss fm_loss of each step's batch (trailing mean; "
         "comparable across methods, unlike GFT's own scaled loss), the probe loss of the evaluated model on fixed "
         "held-out triples, the quality metric (mean and 95% t-band over seeds) and each GFT arm's temperature β."),
        ("Diversity during fine-tuning", figs.series_figure(sweep, out, "diversity_steps", ["recall", "coverage", "vendi"]),
         "Does fine-tuning lose modes on the way? Recall, coverage and Vendi score against step (mean and 95% "
         "t-band over seeds)."),
        ("Final quality", figs.finals_figure(sweep, out, "final_quality", sweep.family("quality")),
         f"Which arm ends closest to the target? {INTERVAL} over seeds; dots are seeds. MMD² and energy distance "
         "are unbiased U-statistics (they may dip below 0)."),
        ("Final diversity", figs.finals_figure(sweep, out, "final_diversity", sweep.family("diversity")),
         "Is quality bought with collapse? Precision/recall (k = 3), density/coverage (k = 5), Vendi score and "
         "mean pairwise distance of the generated samples; the dashed line is the held-out data's value."),
        ("Paths and inference cost", figs.finals_figure(sweep, out, "paths", sweep.family("paths")),
         "How straight and cheap are the learned flows? Path length E Σ‖x_{k+1} − x_k‖, kinetic energy "
         "E ∫‖v‖² dt, straightness E ∫‖X1 − X0 − v(t, X_t)‖² dt, path length / displacement and the adaptive "
         "solver's network evaluations, "
         "per arm (its coupling in brackets)."),
        ("Few-step quality", figs.euler_ladder_figure(sweep, out),
         "How much quality survives with few Euler steps? FD (images) or exact W2 against the number of steps."),
        ("Samples", figs.samples_figure(sweep, out),
         "What do the fine-tuned models generate? The final evaluation's images from fixed noise, first seed."),
        ("Quality at equal cost", figs.cost_figure(sweep, out),
         "What does each arm's quality cost? The quality metric at each evaluation against the network "
         "evaluations (top) and the time (bottom) spent in fine-tuning steps so far (log scales; one line per "
         "seed, the pretrained model at the left end). Reward-based methods pay for trajectories and adjoints at "
         "every step."),
        ("Stability summary", figs.finals_figure(sweep, out, "stability_summary", sweep.family("stability")),
         "The final trailing variance of fm_loss and of the quality metric, the Spearman correlation of quality "
         "with step (−1: monotone improvement) and the count of gradient-norm spikes (> median + 5 MAD)."),
        ("Against the grid parameter", figs.param_figure(sweep, out, primary[:1] + ["coverage", "path_length"]),
         "How do the arms respond to the swept parameter?"),
    ]
    return drawn


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
    return lines + ["", "Diverged and failed runs are left out of the means of the final metrics and counted in their "
                        "`n`; the comparisons count them as lost seeds, and a diverged run as worse for quality."]


def metrics_section(sweep):
    metrics = [m for m in sweep.family("quality") + TABLE_EXTRA if sweep.has_final(m)]
    lines = []
    for point in sweep.points:
        if point:
            lines += [f"### {point}", ""]
        lines.append("| arm | settings | n (complete/planned) | " + " | ".join(f"{m}: {INTERVAL}" for m in metrics) + " |")
        lines.append("|---|---|---|" + "---|" * len(metrics))
        for arm in sweep.arms:
            runs = sweep.complete(arm, point)
            planned = len(sweep.select(arm, point))
            if not planned:
                continue
            row = [arm, sweep.describe_arm(arm), f"{len(runs)}/{planned}"]
            row += [cell([r.finals.get(m, math.nan) for r in runs]) for m in metrics]
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
    return lines


def cost_section(sweep):
    lines = ["Per run over complete seeds: network evaluations and vector-Jacobian products of the fine-tuning loss "
             "(all steps), the time spent in fine-tuning steps and the run's wall time (pretraining and evaluations "
             "included). Times depend on the machine and on concurrent runs.", "",
             f"| arm | settings | n | network evaluations: {INTERVAL} | VJPs: {INTERVAL} | fine-tuning time (s): "
             f"{INTERVAL} | wall time (s): {INTERVAL} |", "|---|---|---|---|---|---|---|"]
    nfe, vjp = layout.TRAIN + "nfe", layout.TRAIN + "vjp"
    for arm in sweep.arms:
        runs = [r for point in sweep.points for r in sweep.complete(arm, point)]
        totals = {s: [c[1][-1] for c in map(lambda r: training_cost(r, s), runs) if c is not None] for s in (nfe, vjp)}
        wall = [r.finals.get("wall_seconds", math.nan) for r in runs]
        seconds = [r.series(layout.EVAL_TRAIN_SECONDS) for r in runs]
        tuning = [s[-1] for s in seconds if s is not None]
        lines.append(f"| {arm} | {sweep.describe_arm(arm)} | {len(runs)} | {cell(totals[nfe])} | "
                     f"{cell(totals[vjp])} | {cell(tuning)} | {cell(wall)} |")
    return lines + [""]


def comparison_section(sweep, others):
    if not others:
        return ["No comparison: the experiment declares no baseline (`report.baseline`).", ""]
    lines = [f"Every arm against **{sweep.baseline}** on the secondary measures (and the reference arms on the primary "
             "ones too), paired by seed: effect (a ratio × for positive quantities, a difference otherwise) with its "
             "unadjusted Student-t 95% interval and exact sign-flip p; no verdicts (docs/reports.md, \"Claims\"). n: "
             "pairs; lost: planned seeds without a pair; worst rank: pairs where one run diverged.", "",
             "| arm | point | measure | effect [95%] | p exact | n | lost | worst rank | note |",
             "|---|---|---|---|---|---|---|---|---|"]
    for c in others:
        lines.append(f"| {c.arm} | {c.point or '–'} | {c.measure.label} | {claims.effect_text(c)} | "
                     f"{claims.number(c.p_exact)} | {c.n_pairs} | {c.lost} | {c.worst_rank} | {c.note} |")
    return lines + [""]


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    sweep = Sweep(sys.argv[1])
    out = sweep.directory / "figures"
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("*.png"), *out.glob("*.pdf")]:  # figures of an earlier report of another grid
        old.unlink()
    members, others = claims.analyse(sweep)
    figures = draw_figures(sweep, out, members + others)
    a = sweep.attrs
    lines = [f"# {sweep.name}", ""]
    if a.get("description"):
        lines += [f"*{a['description']}*", ""]
    lines += [f"Collected {a['collected_at']}: {a['n_runs']} planned runs — {a['n_complete']} complete, "
              f"{a['n_diverged']} diverged, {a['n_failed']} failed, {a['n_pending']} pending.", ""]
    lines += ["## Claims", ""] + claims.markdown(sweep, members, others)
    lines += ["", "## Runs that are not complete", ""] + problems_section(sweep)
    lines += ["", "## Figures", ""]
    for title, png, caption in figures:
        if png:
            lines += [f"### {title}", "", caption, "", f"![{title}]({png})", f"([PDF]({png[:-4]}.pdf))", ""]
    if missing := [title for title, png, _ in figures if not png]:
        lines += [f"Not drawn, for lack of data in these runs (a metric group not evaluated, or evaluated only at "
                  f"the end by `eval.final_only`; no images; no grid): {', '.join(missing)}.", ""]
    lines += ["## Final metrics", ""] + metrics_section(sweep)
    lines += ["## Cost", ""] + cost_section(sweep)
    lines += ["## Secondary comparisons (paired by seed, no verdicts)", ""] + comparison_section(sweep, others)
    (out / "report.md").write_text("\n".join(lines) + "\n")
    page = report_html.render(lines, out, sweep.name, report_html.provenance(sweep))
    (out / "report.html").write_text(page)
    claims.write_json(out / "claims.json", sweep, members, others)
    print(f"wrote {len(figures)} figures (PNG and PDF), {out / 'report.md'}, {out / 'report.html'} (self-contained) "
          f"and {out / 'claims.json'}")


if __name__ == "__main__":
    main()
