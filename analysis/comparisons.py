"""Paired comparisons of an arm with the experiment's declared baseline, by seed (docs/reports.md, "Claims").

A seed pairs the two runs that share the pretrained model, the target samples and the evaluation noise. Each
comparison works on per-seed effects on the scale the quantity allows: log ratios for positive quantities
(reported back as ratios), differences for counts, correlations and proportions. It has an exact paired
sign-flip permutation p and a Student-t interval at the level Holm assigns; a verdict needs both. A pair where
exactly one run diverged enters by worst rank: its effect lies beyond every observed one against the diverged
side, and the test becomes the exact signed-rank test with the Hodges-Lehmann effect and its exact interval
(flagged). Failed or missing runs are counted as lost, never dropped silently."""
import math
from dataclasses import dataclass, field

import numpy as np

import measures as ms
from exact_tests import (clopper_pearson, decision_power_effect, hodges_lehmann, mcnemar_exact_p, sign_flip_p,
                         signed_rank_p)
from seed_stats import ALPHA, holm, t_interval, t_test_p
from style import LOWER
from sweep_data import training_cost
import run_layout as layout

MIN_PAIRS = 3


@dataclass(frozen=True)
class Measure:
    name: str
    label: str
    better: int                # LOWER or HIGHER (NEITHER: descriptive, no favourable side)
    scale: str                 # "log" (per-seed log ratio) or "difference"
    kind: str = "final"        # final, function_noise, steps_to, nfe_to
    source: str = ""           # the /final/ value read, for kind "final"
    claim: str = ""            # the claim whose primary measure this is ("" for a secondary measure)
    margin: float = math.nan   # non-inferiority margin on the effect scale; NaN for superiority

    @property
    def noninferiority(self):
        return math.isfinite(self.margin)


@dataclass
class Comparison:
    arm: str
    point: str
    baseline_point: str
    measure: Measure
    seeds: list = field(default_factory=list)
    d: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per-seed effects on the measure's scale
    lost: int = 0
    diverged: tuple = (0, 0)   # (arm, baseline) runs diverged among the planned pairs
    worst_rank: int = 0        # pairs entered by worst rank
    below_floor: tuple = (0, 0)
    window: str = ""
    note: str = ""
    p_exact: float = math.nan  # two-sided (for non-inferiority: of d - margin)
    p_side: tuple = (math.nan, math.nan)  # one-sided (favourable, harmful), non-inferiority
    p_t: float = math.nan
    p_holm: float = math.nan
    level: float = ALPHA
    effect: float = math.nan
    lo: float = math.nan
    hi: float = math.nan
    mde: float = math.nan
    verdict: str = ""

    @property
    def n_pairs(self):
        return len(self.seeds)


def primary_quality(sweep):
    names = [r.quality_metric for r in sweep.runs]
    return max(dict.fromkeys(names), key=names.count) if names else "w2"


def baseline_cell(sweep, point):
    """The baseline's grid point for an arm at `point`: the same values except those report.baseline_point fixes."""
    if not sweep.baseline_point:
        return point
    wanted = {**sweep.params_of(point), **sweep.baseline_point}
    return next((p for p in sweep.points if sweep.params_of(p) == wanted), None)


def at_baseline_point(sweep, point):
    params = sweep.params_of(point)
    return bool(sweep.baseline_point) and all(params.get(k) == v for k, v in sweep.baseline_point.items())


def run_value(run, measure):
    if measure.kind == "function_noise":
        return ms.function_noise(run)[:2]
    return run.finals.get(measure.source, math.nan), False


def pair_effect(sweep, measure, ra, rb):
    """(effect on the measure's scale, why not, below-floor flags) for one seed's pair of complete runs."""
    if measure.kind in ("steps_to", "nfe_to"):
        better = sweep.direction(rb.quality_metric) or LOWER
        floor = rb.finals.get("quality_noise_floor", 0.0)
        sa, sb, _, why = ms.steps_to_quality(ra, rb, better, floor)
        if measure.kind == "nfe_to" and not why:
            sa, sb = (cost_at(r, s) for r, s in ((ra, sa), (rb, sb)))
        a, b, flags = sa, sb, (False, False)
        if why:
            return math.nan, why, flags
    else:
        (a, fa), (b, fb) = run_value(ra, measure), run_value(rb, measure)
        flags = (fa, fb)
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.nan, "no value", flags
    if measure.scale == "log":
        if a <= 0 or b <= 0:
            return math.nan, "a value <= 0 has no log ratio", flags
        return math.log(a) - math.log(b), "", flags
    return a - b, "", flags


def cost_at(run, step):
    cost = training_cost(run)
    if cost is None or not math.isfinite(step):
        return math.nan
    x, cumulative = cost
    return float(np.interp(step, x, cumulative))


def pair_up(sweep, c, a_runs, b_runs):
    """Fills c.seeds, c.d, c.lost, c.diverged, c.worst_rank and the notes from the two arms' runs."""
    a_by, b_by = {r.seed: r for r in a_runs}, {r.seed: r for r in b_runs}
    planned = sorted(set(a_by) & set(b_by))
    effects, worst, reasons, floors = {}, {}, set(), [0, 0]
    for s in planned:
        ra, rb = a_by[s], b_by[s]
        c.diverged = (c.diverged[0] + (ra.status == "diverged"), c.diverged[1] + (rb.status == "diverged"))
        if ra.status == "diverged" or rb.status == "diverged":
            if {ra.status, rb.status} <= {"complete", "diverged"}:
                worst[s] = (rb.status == "diverged") - (ra.status == "diverged")  # +1: the baseline's failure
            continue
        if ra.status != "complete" or rb.status != "complete":
            continue
        d, why, flags = pair_effect(sweep, c.measure, ra, rb)
        floors = [floors[0] + flags[0], floors[1] + flags[1]]
        if why:
            reasons.add(why)
        else:
            effects[s] = d
    c.below_floor = tuple(floors)
    if worst:
        observed = [c.measure.better * (d - (c.measure.margin if c.measure.noninferiority else 0))
                    for d in effects.values()] or [0.0]
        beyond = max(abs(x) for x in observed) + 1.0
        for s, side in worst.items():
            shift = c.measure.margin if c.measure.noninferiority else 0.0
            effects[s] = shift + (c.measure.better or 1) * side * beyond
        c.worst_rank = len(worst)
    c.seeds = sorted(effects)
    c.d = np.array([effects[s] for s in c.seeds], float)
    c.lost = len(planned) - len(c.seeds)
    c.note = "; ".join(sorted(reasons))
    c.window = window_of(sweep, c.measure, [a_by[s] for s in c.seeds])


def window_of(sweep, measure, runs):
    if measure.kind == "function_noise":
        return next((ms.function_noise(r)[2] for r in runs if r.status == "complete"), "")
    if measure.kind in ("steps_to", "nfe_to"):
        return f"until q* = q0 - {ms.SPEED_FRACTION:g} (q0 - worse final); conditional on the schedule (anneal_steps)"
    steps = next((r.series(layout.EVAL_STEP) for r in runs if r.series(layout.EVAL_STEP) is not None), None)
    return f"final (step {int(steps[-1])})" if steps is not None and len(steps) else "final"


def compare(sweep, arm, point, measure):
    base_point = baseline_cell(sweep, point)
    b_runs = sweep.select(sweep.baseline, base_point) if base_point is not None else []
    c = Comparison(arm, point, base_point, measure)
    pair_up(sweep, c, sweep.select(arm, point), b_runs)
    return c


def test(c):
    """The exact p-values of one comparison (they do not depend on the level Holm assigns)."""
    if c.n_pairs < MIN_PAIRS:
        return
    centred = c.d - (c.measure.margin if c.measure.noninferiority else 0.0)
    turned = (c.measure.better or 1) * centred
    p = signed_rank_p if c.worst_rank else sign_flip_p
    c.p_exact = p(centred)
    c.p_side = (p(turned, alternative="greater"), p(turned, alternative="less"))
    if not c.worst_rank:
        c.p_t = t_test_p(centred)


def draw_interval(c, level):
    """The effect, its interval at `level` and the minimal detectable effect at that level."""
    c.level = level
    if c.n_pairs < MIN_PAIRS:
        return
    if c.worst_rank:
        shift = c.measure.margin if c.measure.noninferiority else 0.0
        estimate, lo, hi = hodges_lehmann(c.d - shift, alpha=level)
        c.effect, c.lo, c.hi = estimate + shift, lo + shift, hi + shift
        return
    c.effect, c.lo, c.hi, _ = t_interval(c.d, alpha=level)
    sd = float(np.std(c.d, ddof=1))
    c.mde = sd * decision_power_effect(c.n_pairs, level) if sd > 0 else 0.0


def verdict(c):
    """docs/reports.md, "Verdicts": the exact p and the interval must agree."""
    if c.n_pairs < MIN_PAIRS:
        return "not measurable" if c.note else "too few pairs"
    better = c.measure.better or 1
    lo, hi = sorted((better * (c.lo - (c.measure.margin if c.measure.noninferiority else 0.0)),
                     better * (c.hi - (c.measure.margin if c.measure.noninferiority else 0.0))))
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "inconclusive"
    if not c.measure.noninferiority:
        if c.p_exact <= c.level and lo > 0:
            return "supported"
        return "contradicted" if c.p_exact <= c.level and hi < 0 else "inconclusive"
    if c.p_side[0] <= c.level / 2 and lo > 0:
        favourable_lo = min(better * c.lo, better * c.hi)
        return "superior" if favourable_lo > 0 else "non-inferior"
    return "contradicted" if c.p_side[1] <= c.level / 2 and hi < 0 else "inconclusive"


def divergence(sweep, arm, point):
    """(x, n, y, n, Clopper-Pearson of each, exact McNemar p) of diverged runs among the seeds both arms ran."""
    base_point = baseline_cell(sweep, point)
    a_by = {r.seed: r for r in sweep.select(arm, point)}
    b_by = {r.seed: r for r in sweep.select(sweep.baseline, base_point)} if base_point is not None else {}
    usable = ("complete", "diverged")
    seeds = [s for s in sorted(set(a_by) & set(b_by)) if a_by[s].status in usable and b_by[s].status in usable]
    a = [float(a_by[s].status == "diverged") for s in seeds]
    b = [float(b_by[s].status == "diverged") for s in seeds]
    n = len(seeds)
    return {"arm": [int(sum(a)), n], "baseline": [int(sum(b)), n],
            "arm_interval": list(clopper_pearson(int(sum(a)), n)) if n else [math.nan, math.nan],
            "baseline_interval": list(clopper_pearson(int(sum(b)), n)) if n else [math.nan, math.nan],
            "mcnemar_p": mcnemar_exact_p(a, b) if n else math.nan}


def block_unstable(sweep, c):
    """A stability verdict of "supported" is blocked when the arm diverges more often than the baseline."""
    if c.measure.claim == "stability" and c.verdict == "supported":
        div = divergence(sweep, c.arm, c.point)
        if div["arm"][0] > div["baseline"][0]:
            c.verdict = "inconclusive"
            c.note = f"blocked: diverged {div['arm'][0]}/{div['arm'][1]} against {div['baseline'][0]}/{div['baseline'][1]}"


def family(sweep, primary):
    """The confirmatory family: every treatment arm x claim x grid point (but the baseline's own point)."""
    if not sweep.baseline:
        return []
    return [compare(sweep, arm, point, m) for arm in sweep.treatments for point in sweep.points for m in primary
            if sweep.select(arm, point) and not at_baseline_point(sweep, point)
            and (arm, point) != (sweep.baseline, baseline_cell(sweep, point))]


def compare_all(sweep, primary, secondary):
    """(the family, tested with Holm on the exact p-values; every other comparison at 95%, without a verdict).
    A member without a p (too few pairs) stays in the family with p = 1: a family never shrinks silently."""
    members = family(sweep, primary)
    for c in members:
        test(c)
    adjusted, levels, _ = holm([c.p_exact if math.isfinite(c.p_exact) else 1.0 for c in members])
    for c, p_holm, level in zip(members, adjusted, levels):
        c.p_holm = p_holm
        draw_interval(c, level)
        c.verdict = verdict(c)
        block_unstable(sweep, c)
    others = [] if not sweep.baseline else [
        compare(sweep, arm, point, m) for arm in sweep.arms for point in sweep.points
        for m in (secondary if arm in sweep.treatments else primary + secondary)
        if sweep.select(arm, point) and not at_baseline_point(sweep, point)
        and (arm, point) != (sweep.baseline, baseline_cell(sweep, point))]
    for c in others:
        test(c)
        draw_interval(c, ALPHA)
    return members, others
