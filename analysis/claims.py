"""The claims of the GFT paper (arXiv 2601.22495) as computed verdicts: one row per claim, GFT arm and grid
point, from the paired comparisons with the baseline (comparisons.py). The rules are in docs/reports.md
("Claims"); nothing here is written by hand."""
import json
import math

from comparisons import MIN_PAIRS, Measure, primary_quality, quality_prefix
from seed_stats import ALPHA
from style import HIGHER, LOWER

# (key, the paper's claim, the report figure that shows it)
CLAIMS = [
    ("stability", "improved convergence stability", "stability_summary"),
    ("paths", "shorter probability paths and faster inference, including few-step sampling", "paths"),
    ("quality", "generation quality comparable to standard fine-tuning", "final_quality"),
    ("diversity", "generation diversity maintained or improved", "final_diversity"),
    ("speed", "training speed maintained or improved", "cost"),
]


def claim_measures(sweep):
    """{claim key: [Measure]} for the measures this sweep has."""
    q = primary_quality(sweep)
    prefix = quality_prefix(sweep)
    has = sweep.has_final
    out = {
        "stability": [Measure("loss_variance_last", "fm_loss trailing variance", LOWER),
                      Measure("quality_variance_last", f"{q} variance over evaluations", LOWER),
                      Measure("quality_spearman", f"Spearman(step, {q})", LOWER),
                      Measure("grad_spike_count", "gradient-norm spikes", LOWER),
                      Measure("diverged", "diverged seeds", LOWER, kind="diverged")],
        "paths": [Measure(m, m.replace("_", " "), LOWER) for m in ("path_length", "straightness", "adaptive_nfe")]
                 + [Measure(f"{prefix}{k}", f"{q if prefix == 'w2_euler_' else 'fd'} after {k} Euler step{'s' * (k > 1)}",
                            LOWER, kind="quality") for k in (1, 2, 4)],
        "quality": [Measure(q, f"final {q} (non-inferiority)", LOWER, kind="quality", noninferiority=True)],
        "diversity": [Measure("recall", "recall", HIGHER), Measure("coverage", "coverage", HIGHER),
                      Measure("vendi_gap", "Vendi gap to held-out data", LOWER, kind="vendi_gap")],
        "speed": [Measure("steps_to_quality", f"steps until {q} within the margin", LOWER, kind="steps_to"),
                  Measure("nfe_to_quality", "network evaluations until then", LOWER, kind="nfe_to")],
    }
    available = {
        "vendi_gap": has("vendi") and has("reference_vendi"), "diverged": True,
        "steps_to_quality": has(q), "nfe_to_quality": has(q),
    }
    return {k: [m for m in ms if available.get(m.name, has(m.name))] for k, ms in out.items()}


def all_measures(sweep):
    return [m for ms in claim_measures(sweep).values() for m in ms]


def is_gft(sweep, arm):
    return sweep.select(arm)[0].method.startswith("gft")


def aggregate(verdicts):
    """A claim's verdict from its measures' (docs/reports.md): supported when at least one measure supports it and none
    contradicts it, contradicted in the mirror case, mixed when both happen, inconclusive when neither."""
    measured = [v for v in verdicts if v != "too few pairs"]
    if not measured:
        return f"too few pairs (< {MIN_PAIRS})"
    up, down = "supported" in measured, "contradicted" in measured
    return "mixed" if up and down else "supported" if up else "contradicted" if down else "inconclusive"


def percent(x):
    return "–" if not math.isfinite(x) else f"{100 * x:+.1f}%"


def number(x):
    return "–" if not math.isfinite(x) else f"{x:.3g}"


def effect_text(c):
    """'−32.1% [−61.0%, −3.2%]' relative to the baseline's mean, or the absolute difference when that is 0."""
    if math.isfinite(c.relative(c.mean)):
        return f"{percent(c.relative(c.mean))} [{percent(c.relative(c.lo))}, {percent(c.relative(c.hi))}]"
    return f"{number(c.mean)} [{number(c.lo)}, {number(c.hi)}]"


def rows(sweep, comparisons):
    """One row per claim, GFT arm and grid point."""
    by_cell = {}
    for c in comparisons:
        by_cell.setdefault((c.arm, c.point), []).append(c)
    keyed = claim_measures(sweep)
    out = []
    for key, claim, figure in CLAIMS:
        names = {m.name for m in keyed[key]}
        for arm in sweep.arms:
            if not is_gft(sweep, arm):
                continue
            for point in sweep.points:
                cs = [c for c in by_cell.get((arm, point), []) if c.measure.name in names]
                if not cs:
                    continue
                out.append({"claim": key, "statement": claim, "figure": f"{figure}.png", "arm": arm, "point": point,
                            "baseline": sweep.baseline, "baseline_point": cs[0].baseline_point,
                            "verdict": aggregate([c.verdict for c in cs]), "measures": [c for c in cs]})
    return out


def measure_json(c):
    finite = lambda x: x if math.isfinite(x) else None  # noqa: E731
    return {"measure": c.measure.name, "label": c.measure.label, "better": "lower" if c.measure.better == LOWER else "higher",
            "noninferiority_margin": finite(c.null) if c.measure.noninferiority else None,
            "n_pairs": c.n_pairs, "seeds_lost": c.lost, "arm_values_imputed": c.imputed,
            "mean_difference": finite(c.mean), "interval": [finite(c.lo), finite(c.hi)], "interval_level": 1 - c.level,
            "baseline_mean": finite(c.baseline_mean), "relative_difference": finite(c.relative(c.mean)),
            "relative_interval": [finite(c.relative(c.lo)), finite(c.relative(c.hi))],
            "p_t": finite(c.p), "p_holm": finite(c.p_holm), "p_wilcoxon": finite(c.p_wilcoxon), "verdict": c.verdict}


def family_statement(comparisons):
    m = sum(math.isfinite(c.p) for c in comparisons)
    return (f"Holm–Bonferroni over the report's family of {m} tested comparisons (every arm against the baseline at "
            f"every grid point on every measure below, α = {ALPHA})")


def write_json(path, sweep, claim_rows, comparisons):
    doc = {"experiment": sweep.attrs.get("experiment"), "profile": sweep.attrs.get("profile"),
           "collected_at": sweep.attrs.get("collected_at"), "baseline": sweep.baseline,
           "baseline_point": sweep.baseline_point, "noninferiority_margin": sweep.margin, "alpha": ALPHA,
           "family": family_statement(comparisons), "family_size": sum(math.isfinite(c.p) for c in comparisons),
           "claims": [{**{k: v for k, v in r.items() if k != "measures"},
                       "measures": [measure_json(c) for c in r["measures"]]} for r in claim_rows]}
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")


def markdown(sweep, claim_rows, comparisons):
    if not sweep.baseline:
        return ["No baseline is declared (`report.baseline` in the experiment file), so no claim is tested.", ""]
    if not claim_rows:
        return [f"No GFT arm to compare with the baseline `{sweep.baseline}` in this sweep.", ""]
    lines = [f"Each GFT arm against the baseline **{sweep.baseline}**"
             + (" at " + ", ".join(f"{k}={v}" for k, v in sweep.baseline_point.items()) if sweep.baseline_point else
                " at the same grid point")
             + f", paired by seed. Effects: mean paired difference relative to the baseline's mean, with its "
             f"Holm-adjusted Student-t interval; {family_statement(comparisons)}. Comparable quality is "
             f"non-inferiority within {100 * sweep.margin:g}% of the baseline's mean (`report.noninferiority_margin`). "
             "Verdict rules: docs/reports.md, \"Claims\". n = pairs; lost = seeds without a pair.", "",
             "| claim | arm | point | verdict | evidence (measure: effect [interval], n, verdict) |", "|---|---|---|---|---|"]
    for r in claim_rows:
        evidence = "<br>".join(
            f"{c.measure.label}: {effect_text(c)}, n={c.n_pairs}{f', lost {c.lost}' if c.lost else ''}"
            f"{f', {c.imputed} imputed' if c.imputed else ''}, {c.verdict}" for c in r["measures"])
        lines.append(f"| [{r['claim']}]({r['figure']}) | {r['arm']} | {r['point'] or '–'} | **{r['verdict']}** | {evidence} |")
    return lines + ["", "The same, with every number, in `claims.json`."]

