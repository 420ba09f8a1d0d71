"""The claims of the GFT paper (arXiv 2601.22495) as computed verdicts: one row per claim, treatment arm and grid
point, each decided by the claim's pre-declared primary measure alone (the experiment's `report:` block, stored
in summary.h5). Every other measure is secondary: its effect and unadjusted 95% interval, no verdict. The rules
are in docs/reports.md ("Claims"); nothing here is written by hand."""
import json
import math

import numpy as np

from comparisons import Measure, compare_all, divergence, primary_quality
from seed_stats import ALPHA
from style import HIGHER, LOWER, NEITHER
import run_layout as layout

# (key, the paper's claim, the report figure that shows it)
CLAIMS = [
    ("stability", "improved convergence stability", "stability_summary"),
    ("paths", "shorter probability paths and faster inference, including few-step sampling", "paths"),
    ("quality", "generation quality comparable to standard fine-tuning", "final_quality"),
    ("diversity", "generation diversity maintained or improved", "final_diversity"),
    ("speed", "training speed maintained or improved", "cost"),
]
RATIO_MARGINS = ("quality", "speed")


def few_step_name(sweep):
    return "fd_euler_2" if any(m.startswith("fd_euler_") for m in sweep.final_names) else "w2_euler_2"


def catalogue(sweep):
    """Every measure a claim may use, by name (the primary ones of sweep/report_block.cpp and the secondary ones)."""
    q = primary_quality(sweep)
    q_scale = "log" if q in ("w2", "fd", "fid", "velocity_error", "sliced_w2") else "difference"
    few = few_step_name(sweep)
    return {
        "function_noise": Measure("function_noise", "oscillation of v on probe inputs (SD)", LOWER, "log",
                                  kind="function_noise"),
        "grad_spikes_per_1000": Measure("grad_spikes_per_1000", "gradient-norm spikes per 1000 steps", LOWER,
                                        "difference", source="grad_spikes_per_1000"),
        "loss_variance_last": Measure("loss_variance_last", "fm_loss trailing variance", LOWER, "log",
                                      source="loss_variance_last"),
        "quality_spearman": Measure("quality_spearman", f"Spearman(step, {q}) (descriptive)", NEITHER, "difference",
                                    source="quality_spearman"),
        "path_length": Measure("path_length", "path length", LOWER, "log", source="path_length"),
        "straightness": Measure("straightness", "straightness", LOWER, "log", source="straightness"),
        "adaptive_nfe": Measure("adaptive_nfe", "adaptive solver NFE", LOWER, "log", source="adaptive_nfe"),
        "few_step_quality": Measure("few_step_quality", f"{few.replace('_euler_2', '')} after 2 Euler steps", LOWER,
                                    "log", source=few),
        "quality": Measure("quality", f"final {q}", sweep.direction(q) or LOWER, q_scale, source=q),
        "coverage": Measure("coverage", "coverage", HIGHER, "difference", source="coverage"),
        "recall": Measure("recall", "recall", HIGHER, "difference", source="recall"),
        "steps_to_quality": Measure("steps_to_quality", f"steps until {q} reaches q*", LOWER, "log", kind="steps_to"),
        "nfe_to_quality": Measure("nfe_to_quality", "network evaluations until then", LOWER, "log", kind="nfe_to"),
    }


def available(sweep, m):
    if m.kind == "function_noise":
        return any(r.series(layout.STABILITY_PROBE_STEP) is not None for r in sweep.runs if r.group is not None)
    if m.kind in ("steps_to", "nfe_to"):
        return sweep.has_final(primary_quality(sweep))
    return sweep.has_final(m.source)


def claim_measures(sweep):
    """(primary measure per claim, secondary measures), as the experiment declared them (sweep/report_block.cpp
    holds the defaults and the choices; collect writes them into summary.h5)."""
    cat = catalogue(sweep)
    primary = []
    for claim, _, _ in CLAIMS:
        m = cat[sweep.primary[claim]]
        margin = sweep.margins.get(claim, math.nan)
        if claim in RATIO_MARGINS:  # a ratio margin needs a ratio scale
            margin = math.log(margin) if m.scale == "log" else math.nan
        primary.append(Measure(**{**m.__dict__, "claim": claim, "margin": margin}))
    names = {m.name for m in primary}
    secondary = [m for name, m in cat.items() if name not in names and available(sweep, m)]
    return [m for m in primary if available(sweep, m)], secondary


def analyse(sweep):
    """(the confirmatory family's comparisons with verdicts, the secondary comparisons)."""
    return compare_all(sweep, *claim_measures(sweep))


def decidable(sweep, members):
    """Whether the family was declared confirmatory and can reach a verdict at its pairs: 2^(1-n) m <= alpha."""
    n = min((c.n_pairs for c in members), default=0)
    return sweep.confirmatory and n > 0 and 2.0 ** (1 - n) * len(members) <= ALPHA


def effect_text(c, d=None):
    """A ratio for log-scale measures ('x0.82 [x0.70, x0.95]'), a difference otherwise."""
    values = (c.effect, c.lo, c.hi) if d is None else d
    if c.measure.scale == "log":
        return "×{} [×{}, ×{}]".format(*(number(math.exp(x)) if math.isfinite(x) else "–" for x in values))
    return "{} [{}, {}]".format(*(signed(x) for x in values))


def number(x):
    return "–" if not math.isfinite(x) else f"{x:.3g}"


def signed(x):
    return "–" if not math.isfinite(x) else f"{x:+.3g}"


def margin_text(m):
    if not m.noninferiority:
        return "superiority"
    return f"non-inferiority, margin ×{math.exp(m.margin):.3g}" if m.scale == "log" else \
        f"non-inferiority, margin {m.margin:+.3g}"


def mde_text(c):
    if not math.isfinite(c.mde):
        return "–"
    return f"×{math.exp(-c.mde):.3g} / ×{math.exp(c.mde):.3g}" if c.measure.scale == "log" else f"±{c.mde:.3g}"


def noise_floor(sweep, c):
    """(mean noise floor, the baseline's mean final) of the quality metric over the comparison's baseline runs: the
    smallest difference the metric resolves, shown beside the quality margin (NaN when not written)."""
    runs = sweep.complete(sweep.baseline, c.baseline_point) if c.baseline_point is not None else []
    floors = [r.finals.get("quality_noise_floor", math.nan) for r in runs]
    finals = [r.finals.get(c.measure.source, math.nan) for r in runs]
    mean = lambda v: float(np.nanmean(v)) if np.isfinite(v).any() else math.nan  # noqa: E731
    return mean(floors), mean(finals)


def floor_text(sweep, c):
    if c.measure.claim != "quality":
        return ""
    floor, final = noise_floor(sweep, c)
    return f"; noise floor {number(floor)} against the baseline's {number(final)}" if math.isfinite(floor) else ""


def row_json(sweep, c, label):
    finite = lambda x: x if isinstance(x, (int, float)) and math.isfinite(x) else None  # noqa: E731
    div = divergence(sweep, c.arm, c.point)
    return {
        "claim": c.measure.claim, "statement": dict((k, s) for k, s, _ in CLAIMS).get(c.measure.claim, ""),
        "arm": c.arm, "point": c.point, "baseline": sweep.baseline, "baseline_point": c.baseline_point,
        "measure": c.measure.name, "label": c.measure.label, "scale": c.measure.scale,
        "better": {LOWER: "lower", HIGHER: "higher"}.get(c.measure.better, "neither"),
        "test": margin_text(c.measure), "margin": finite(c.measure.margin),
        "effect": finite(c.effect), "interval": [finite(c.lo), finite(c.hi)], "interval_level": 1 - c.level,
        "effect_as_ratio": [finite(math.exp(x)) if math.isfinite(x) else None for x in (c.effect, c.lo, c.hi)]
        if c.measure.scale == "log" else None,
        "p_exact": finite(c.p_exact), "p_one_sided": [finite(x) for x in c.p_side], "p_t": finite(c.p_t),
        "p_holm": finite(c.p_holm), "n_pairs": c.n_pairs, "seeds_lost": c.lost,
        "diverged": {"arm": div["arm"], "baseline": div["baseline"], "arm_interval": div["arm_interval"],
                     "baseline_interval": div["baseline_interval"], "mcnemar_p": finite(div["mcnemar_p"])},
        "worst_rank_pairs": c.worst_rank, "below_floor": list(c.below_floor),
        "minimal_detectable_effect": finite(c.mde), "window": c.window, "note": c.note,
        "quality_noise_floor": finite(noise_floor(sweep, c)[0]) if c.measure.claim == "quality" else None,
        "verdict": c.verdict, "analysis": label}


def secondary_json(c):
    finite = lambda x: x if math.isfinite(x) else None  # noqa: E731
    return {"arm": c.arm, "point": c.point, "measure": c.measure.name, "scale": c.measure.scale,
            "effect": finite(c.effect), "interval_95": [finite(c.lo), finite(c.hi)], "p_exact": finite(c.p_exact),
            "n_pairs": c.n_pairs, "seeds_lost": c.lost, "worst_rank_pairs": c.worst_rank, "note": c.note}


def write_json(path, sweep, members, others):
    label = "confirmatory" if decidable(sweep, members) else "exploratory"
    doc = {"experiment": sweep.attrs.get("experiment"), "profile": sweep.attrs.get("profile"),
           "collected_at": sweep.attrs.get("collected_at"), "baseline": sweep.baseline,
           "baseline_point": sweep.baseline_point, "treatments": sweep.treatments, "alpha": ALPHA,
           "family": {"size": len(members), "alpha": ALPHA, "analysis": label, "declared": sweep.family_line,
                      "correction": "Holm on the exact sign-flip p-values",
                      "members": [f"{c.arm} | {c.point or '-'} | {c.measure.claim}" for c in members]},
           "claims": [row_json(sweep, c, label) for c in members],
           "secondary": [secondary_json(c) for c in others]}
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")


def markdown(sweep, members, others):
    if not sweep.baseline:
        return ["No baseline is declared (`report.baseline` in the experiment file), so no claim is tested.", ""]
    if not members:
        return [f"No treatment arm to test against the baseline `{sweep.baseline}` in this sweep "
                "(`report.treatments`; by default the `gft` arms with an annealing schedule).", ""]
    label = "confirmatory" if decidable(sweep, members) else "exploratory"
    n = min(c.n_pairs for c in members)
    lines = [f"Treatment arms ({', '.join(sweep.treatments)}) against **{sweep.baseline}**, paired by seed; each "
             "claim decided by its pre-declared primary measure alone. Effect: per-seed log ratio shown as a ratio "
             "(×), or a difference; interval: Student-t at the Holm level (a Hodges–Lehmann interval where a run "
             f"diverged). p: exact sign-flip (signed-rank under worst rank). Family: {len(members)} tests "
             f"(treatments × claims × grid points), Holm at α = {ALPHA}, **{label}** (smallest exact p at "
             f"{n} pairs: {2.0 ** (1 - n):.3g}). MDE: the effect this rule detects with 80% power at the row's "
             "level, simulated with the observed SD. Rules: docs/reports.md, \"Claims\".", "",
             "| claim | arm | point | primary measure (test) | effect [interval] | p exact | n (lost, diverged) "
             "| MDE | verdict |", "|---|---|---|---|---|---|---|---|---|"]
    for c in members:
        flags = [f"lost {c.lost}" if c.lost else "", f"diverged {c.diverged[0]}/{c.diverged[1]}" if any(c.diverged)
                 else "", f"worst rank {c.worst_rank}" if c.worst_rank else ""]
        extra = ", ".join(f for f in flags if f)
        verdict = c.verdict + (f" ({c.note})" if c.note else "")
        lines.append(f"| {c.measure.claim} | {c.arm} | {c.point or '–'} | {c.measure.label} ({margin_text(c.measure)}"
                     f"{floor_text(sweep, c)}) "
                     f"| {effect_text(c)} | {number(c.p_exact)} | {c.n_pairs}{f' ({extra})' if extra else ''} "
                     f"| {mde_text(c)} | **{verdict}**{'' if label == 'confirmatory' else ' (exploratory)'} |")
    return lines + ["", f"Secondary measures ({len(others)} comparisons, unadjusted 95% intervals, no verdicts) "
                        "and every number above: `claims.json`."]
