"""Per-run and per-pair measures of the paper's claims (docs/reports.md, "Claims"): what a claim's primary
measure reads from a run file, and the estimators that separate what a gradual method is designed to do (approach
the target slowly) from what the claim is about (noise, speed).

Stability: the oscillation of the learned function. The raw model's velocity on fixed probe inputs is recorded
every `stability.probe_every` steps after warm-up (/stability/probe_step, /stability/probe_output); its noise
around its own trend is estimated from second differences, e_k = y_{k+1} - 2 y_k + y_{k-1}, which remove any
locally linear trend: for white noise of SD s, E[e^2] = 6 s^2. The median of |e| (scaled for a normal, 0.6745)
ignores the few points where a fast initial drop curves the trend. For AR(1) noise with lag-one correlation rho
between records, the estimate is s * sqrt((1 - rho)(3 - rho) / 3) (0.265 s at rho = 0.9): it measures the
oscillation at the probe cadence, which is what "stability" means here, not the slow wander of the weights.

Speed: the steps until the quality metric first reaches q* = q0 - 0.9 (q0 - worse final), per seed, where q0 is
the pretrained model's value (step 0, common to both arms) and the worse final is that of the pair's worse run;
both runs reach q* at the latest at their last evaluation, so nothing is imputed. The crossing is interpolated
linearly between the evaluations that bracket it (/quality/*: the full evaluations and the dense ones of
`eval.dense_every`)."""
import math

import numpy as np
import run_layout as layout

MAD_TO_SD = 0.6744897501960817  # the median of |Z| for a standard normal
SECOND_DIFFERENCE_VARIANCE = 6.0
FLOOR_FRACTION = 1e-3           # noise below this fraction of the distance the function travels: "below floor"
SPEED_FRACTION = 0.9
MIN_EVALUATIONS_BEFORE_CROSSING = 3
FLOOR_MULTIPLE = 2.0            # the approach must span this many noise floors for a speed to be measurable


def oscillation_sd(outputs):
    """(noise SD, floor, below_floor) of a [records, coordinates] series: each coordinate's robust second-difference
    estimate, pooled as the root mean square. The floor is FLOOR_FRACTION of the RMS range the coordinates travel;
    an estimate below it is reported as the floor (a log ratio needs a positive value) and flagged."""
    y = np.asarray(outputs, dtype=float)
    if y.ndim != 2 or y.shape[0] < 3 or not np.all(np.isfinite(y)):
        return math.nan, math.nan, False
    e = y[2:] - 2 * y[1:-1] + y[:-2]
    per_coordinate = np.median(np.abs(e), axis=0) / (MAD_TO_SD * math.sqrt(SECOND_DIFFERENCE_VARIANCE))
    sd = float(np.sqrt(np.mean(per_coordinate ** 2)))
    floor = FLOOR_FRACTION * float(np.sqrt(np.mean(np.ptp(y, axis=0) ** 2)))
    if floor > 0 and sd < floor:
        return floor, floor, True
    return sd, floor, False


def probe_series(run):
    """(steps, [records, width] outputs) of a run's function probe, or (None, None)."""
    steps, flat = run.series(layout.STABILITY_PROBE_STEP), run.series(layout.STABILITY_PROBE_OUTPUT)
    if steps is None or flat is None or len(steps) == 0 or len(flat) % len(steps):
        return None, None
    return np.asarray(steps), np.asarray(flat, float).reshape(len(steps), -1)


def function_noise(run):
    """The stability claim's primary measure for one run: (noise SD, below_floor, steps used)."""
    steps, outputs = probe_series(run)
    if steps is None:
        return math.nan, False, ""
    sd, _, below = oscillation_sd(outputs)
    every = int(steps[1] - steps[0]) if len(steps) > 1 else 0
    return sd, below, f"steps {int(steps[0])}-{int(steps[-1])} every {every}"


def quality_series(run):
    """(steps, values) of the run's quality metric at every evaluation that computed it."""
    steps, values = run.series(layout.QUALITY_STEP), run.series(layout.QUALITY_VALUE)
    if steps is None or values is None:
        steps, values = run.series(layout.EVAL_STEP), run.series(layout.EVAL + run.quality_metric)
    if steps is None or values is None:
        return None, None
    n = min(len(steps), len(values))
    return np.asarray(steps[:n], float), np.asarray(values[:n], float)


def crossing(steps, values, target, better):
    """(step at which `values` first reach `target` in the `better` direction, evaluations before it), with linear
    interpolation between the bracketing evaluations; (NaN, 0) when they never do."""
    reached = np.flatnonzero(np.isfinite(values) & (better * (values - target) >= 0))
    if len(reached) == 0:
        return math.nan, 0
    k = int(reached[0])
    if k == 0:
        return float(steps[0]), 0
    v0, v1 = values[k - 1], values[k]
    frac = (target - v0) / (v1 - v0) if v1 != v0 else 1.0
    return float(steps[k - 1] + frac * (steps[k] - steps[k - 1])), k


def steps_to_quality(run_a, run_b, better, floor):
    """(steps of a, steps of b, q*, why not measurable or "") for one seed's pair of complete runs."""
    (sa, qa), (sb, qb) = quality_series(run_a), quality_series(run_b)
    if sa is None or sb is None or sb[0] != 0 or sa[0] != 0:
        return math.nan, math.nan, math.nan, "no evaluation at step 0"
    q0 = qb[0]
    finals = [run_a.finals.get(run_a.quality_metric, qa[-1]), run_b.finals.get(run_b.quality_metric, qb[-1])]
    worse = min(finals) if better > 0 else max(finals)
    if not (math.isfinite(q0) and math.isfinite(worse)) or better * (worse - q0) < FLOOR_MULTIPLE * (floor or 0.0):
        return math.nan, math.nan, math.nan, f"the approach q0 - final is under {FLOOR_MULTIPLE:g} noise floors"
    target = q0 - SPEED_FRACTION * (q0 - worse)
    step_a, _ = crossing(sa, qa, target, better)
    step_b, before_b = crossing(sb, qb, target, better)
    if before_b < MIN_EVALUATIONS_BEFORE_CROSSING:
        return math.nan, math.nan, target, (f"fewer than {MIN_EVALUATIONS_BEFORE_CROSSING} evaluations precede the "
                                            "baseline's crossing (eval.dense_every)")
    return step_a, step_b, target, ""
