"""Paired comparisons of every arm with the experiment's declared baseline (report.baseline), by seed, on the
measures of the paper's claims, Holm-Bonferroni-corrected over the report's whole family (docs/method.md,
"Measurements").

A seed pairs the two runs that share the pretrained model, the target samples and the evaluation noise. A
seed whose run failed or never ran on either side is lost and counted. A diverged run is counted as worse
for quality (its value is the worst of the comparison's completed runs, and a quality threshold it never
reached counts as one evaluation past the end); for the other measures its seed is lost and counted."""
import math
from dataclasses import dataclass

import numpy as np

from seed_stats import ALPHA, bca_interval, holm, pair_by_seed, t_interval, t_test_p, wilcoxon_p
from style import LOWER
from sweep_data import training_cost

MIN_PAIRS = 3


@dataclass(frozen=True)
class Measure:
    name: str
    label: str       # short, for tables and panels
    better: int      # LOWER or HIGHER
    kind: str = "final"  # final, quality (diverged counts as worse), diverged, vendi_gap, steps_to, nfe_to
    noninferiority: bool = False


@dataclass
class Comparison:
    arm: str
    point: str
    baseline_point: str
    measure: Measure
    seeds: list
    a: np.ndarray
    b: np.ndarray
    lost: int
    imputed: int           # arm-side values that stand for a diverged run or a threshold never reached
    null: float = 0.0      # 0, or the non-inferiority margin in the measure's units
    p: float = math.nan    # two-sided t-test of mean difference = null
    p_wilcoxon: float = math.nan
    p_holm: float = math.nan
    level: float = ALPHA   # the Holm level at which `lo`, `hi` are drawn
    mean: float = math.nan
    lo: float = math.nan
    hi: float = math.nan
    ci95: tuple = (math.nan, math.nan)  # unadjusted t-interval, for the tables
    relative_bca: tuple = (math.nan, math.nan)
    verdict: str = ""

    @property
    def n_pairs(self):
        return len(self.seeds)

    @property
    def baseline_mean(self):
        return float(np.mean(self.b)) if len(self.b) else math.nan

    def relative(self, x):
        """x in units of the baseline's mean (NaN when that is 0)."""
        scale = abs(self.baseline_mean)
        return x / scale if scale > 0 else math.nan


def quality_prefix(sweep):
    return "fd_euler_" if any(m.startswith("fd_euler_") for m in sweep.final_names) else "w2_euler_"


def primary_quality(sweep):
    names = [r.quality_metric for r in sweep.runs]
    return max(dict.fromkeys(names), key=names.count) if names else "w2"


def baseline_cell(sweep, point):
    """The baseline's grid point for an arm at `point`: the same values except those report.baseline_point fixes."""
    if not sweep.baseline_point:
        return point
    wanted = {**sweep.params_of(point), **sweep.baseline_point}
    return next((p for p in sweep.points if sweep.params_of(p) == wanted), None)


def worst(values, better):
    v = [x for x in values if math.isfinite(x)]
    return (max(v) if better == LOWER else min(v)) if v else math.nan


def final_value(run, measure):
    if run.status == "diverged":
        return math.nan
    if measure.kind == "vendi_gap":
        return abs(run.finals.get("vendi", math.nan) - run.finals.get("reference_vendi", math.nan))
    return run.finals.get(measure.name, math.nan)


def steps_and_cost_to(run, threshold, better, end_step):
    """(fine-tuning steps, cumulative training network evaluations) when run's quality first comes within the
    threshold; a run that never does counts one evaluation past end_step. Returns (steps, nfe, imputed)."""
    steps, q = run.series("eval/step"), run.series("eval/" + run.quality_metric)
    if steps is None or q is None or len(steps) == 0:
        return math.nan, math.nan, False
    n = min(len(steps), len(q))
    reached = np.flatnonzero(np.isfinite(q[:n]) & (better * (q[:n] - threshold) >= 0))
    every = float(steps[1] - steps[0]) if len(steps) > 1 else float(max(end_step, 1))
    step, imputed = (float(steps[reached[0]]), False) if len(reached) else (end_step + every, True)
    cost = training_cost(run)
    if cost is None:
        return step, math.nan, imputed
    x, cumulative = cost
    nfe = float(np.interp(step, x, cumulative)) if step <= x[-1] else float(cumulative[-1] * step / x[-1])
    return step, nfe, imputed


def pair_values(sweep, measure, a_runs, b_runs, margin):
    """The paired seeds with both sides' values, the seeds lost, and how many arm-side values were imputed."""
    a_by, b_by = {r.seed: r for r in a_runs}, {r.seed: r for r in b_runs}
    planned = sorted(set(a_by) & set(b_by))
    usable = lambda r: r.status in ("complete", "diverged")  # noqa: E731
    a, b, imputed = {}, {}, 0
    if measure.kind == "quality":
        bad = worst([final_value(r, measure) for r in a_runs + b_runs], measure.better)
    for s in planned:
        ra, rb = a_by[s], b_by[s]
        if not (usable(ra) and usable(rb)):
            continue
        if measure.kind == "diverged":
            a[s], b[s] = float(ra.status == "diverged"), float(rb.status == "diverged")
        elif measure.kind == "quality":
            a[s], b[s] = (final_value(r, measure) if r.status == "complete" else bad for r in (ra, rb))
            imputed += ra.status == "diverged"
        elif measure.kind in ("steps_to", "nfe_to"):
            if rb.status != "complete" or not math.isfinite(rb.finals.get(rb.quality_metric, math.nan)):
                continue
            final, better = rb.finals[rb.quality_metric], sweep.direction(rb.quality_metric)
            threshold = final - better * margin * abs(final)
            end = max([float(r.series("eval/step")[-1]) for r in a_runs if r.status == "complete"
                       and r.series("eval/step") is not None] or [float(ra.series("eval/step")[-1])])
            sa, na, was_imputed = steps_and_cost_to(ra, threshold, better, end)
            sb, nb, _ = steps_and_cost_to(rb, threshold, better, end)
            a[s], b[s] = (sa, sb) if measure.kind == "steps_to" else (na, nb)
            imputed += was_imputed
        else:
            if ra.status != "complete" or rb.status != "complete":
                continue
            a[s], b[s] = final_value(ra, measure), final_value(rb, measure)
    seeds, a_values, b_values = pair_by_seed(a, b)
    return seeds, a_values, b_values, len(planned) - len(seeds), imputed


def relative_difference(a, b, axis=-1):
    """(mean a - mean b) / |mean b| along `axis`: the effect relative to the baseline."""
    mean_b = np.mean(b, axis=axis)
    return (np.mean(a, axis=axis) - mean_b) / np.abs(mean_b)


def compare(sweep, arm, point, measure):
    base_point = baseline_cell(sweep, point)
    b_runs = sweep.select(sweep.baseline, base_point) if base_point is not None else []
    seeds, a, b, lost, imputed = pair_values(sweep, measure, sweep.select(arm, point), b_runs, sweep.margin)
    c = Comparison(arm, point, base_point, measure, seeds, a, b, lost, imputed)
    d = c.a - c.b
    if measure.noninferiority:
        c.null = -measure.better * sweep.margin * abs(c.baseline_mean) if len(d) else math.nan
    c.mean, lo, hi, _ = t_interval(d)
    c.ci95 = (lo, hi)
    c.p = t_test_p(d, c.null) if c.n_pairs >= MIN_PAIRS else math.nan
    c.p_wilcoxon = wilcoxon_p(d - c.null)
    if c.n_pairs >= MIN_PAIRS and abs(c.baseline_mean) > 0:
        c.relative_bca = bca_interval((c.a, c.b), relative_difference)
    return c


def verdict(c):
    """The rule (docs/reports.md, "Claims"): supported when the Holm-adjusted interval excludes no effect (for
    non-inferiority: the margin) on the claimed side, contradicted when it excludes it on the other side."""
    if c.n_pairs < MIN_PAIRS:
        return "too few pairs"
    if not (math.isfinite(c.lo) and math.isfinite(c.hi)):
        return "inconclusive"
    if c.measure.better == LOWER:
        return "supported" if c.hi < c.null else "contradicted" if c.lo > c.null else "inconclusive"
    return "supported" if c.lo > c.null else "contradicted" if c.hi < c.null else "inconclusive"


def at_baseline_point(sweep, point):
    """Whether `point` has report.baseline_point's values: there every arm is, by that declaration, the baseline."""
    params = sweep.params_of(point)
    return bool(sweep.baseline_point) and all(params.get(k) == v for k, v in sweep.baseline_point.items())


def compare_all(sweep, measures):
    """Every arm but the baseline, at every grid point but the baseline's, on every measure, as one Holm family."""
    if not sweep.baseline:
        return []
    out = [compare(sweep, arm, point, m) for arm in sweep.arms for point in sweep.points for m in measures
           if (arm, point) != (sweep.baseline, baseline_cell(sweep, point)) and not at_baseline_point(sweep, point)
           and sweep.select(arm, point)]
    adjusted, levels, _ = holm([c.p for c in out])
    for c, p_holm, level in zip(out, adjusted, levels):
        c.p_holm = p_holm
        c.level = level if math.isfinite(level) else ALPHA
        c.mean, c.lo, c.hi, _ = t_interval(c.a - c.b, alpha=c.level)
        c.verdict = verdict(c)
    return out
