#!/usr/bin/python3
"""Planted tests of the claims' verdicts (docs/reports.md, "Claims"), through the report's own code path: a
summary.h5 written as `gftlab sweep collect` writes it (in memory), read by sweep_data.Sweep, compared by
comparisons.compare_all and turned into rows by claims. The planted series are shaped like real runs: a
`toy_shift` quick standard run reaches 90% of its W2 drop in about 90 steps (an exponential with tau = 40 steps),
a gft-cosine run follows its cooling schedule over 700 steps; both oscillate on the probe inputs with SD 0.037."""
import itertools
import math
import pathlib
import sys
import unittest

import h5py
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "analysis"))
import claims  # noqa: E402
import measures as ms  # noqa: E402
from exact_tests import decision_power_effect  # noqa: E402
from seed_stats import ALPHA  # noqa: E402
from sweep_data import Sweep  # noqa: E402

TAU = 40.0          # steps: the fast drop of a toy_shift standard run
ANNEAL = 700        # steps: the cosine approach of gft-cosine (70% of 1000)
SIGMA = 0.037       # the probe outputs' oscillation SD in both arms of a real run
PROBE_STEPS = np.arange(100, 1001, 10)  # after warm-up, stability.probe_every = 10
COORDS = 64
METRICS = [("w2", -1, "quality", "W2 (data units)"), ("coverage", 1, "diversity", "coverage, k = 5"),
           ("recall", 1, "diversity", "recall, k = 3"), ("path_length", -1, "paths", "path length (units)"),
           ("grad_spikes_per_1000", -1, "stability", "grad-norm spikes per 1000 steps"),
           ("w2_euler_*", -1, "ladder", "W2, * Euler steps (units)")]
CLAIM_NAMES = [c for c, _, _ in claims.CLAIMS]
# What `gftlab sweep collect` writes for an experiment without `report.primary` or `report.margins`
# (sweep/report_block.cpp's defaults).
DECLARED_PRIMARY = {"stability": "function_noise", "paths": "path_length", "quality": "quality",
                    "diversity": "coverage", "speed": "steps_to_quality"}
DECLARED_MARGINS = {"quality": 1.05, "diversity": -0.05, "speed": 1.25}
_files = itertools.count()


def fast(steps):
    return 1.0 - np.exp(-np.asarray(steps, float) / TAU)


def gradual(steps):
    s = np.minimum(np.asarray(steps, float), ANNEAL)
    return 0.5 * (1 - np.cos(math.pi * s / ANNEAL))


def probe(shape, sigma, rng, rho=0.0, amplitude=0.5):
    """[records, COORDS] outputs: each coordinate moves by its own amount along `shape`, plus white or AR(1) noise."""
    trend = shape(PROBE_STEPS)[:, None] * rng.normal(0, amplitude, COORDS)[None, :]
    noise = rng.normal(0, sigma, (len(PROBE_STEPS), COORDS))
    for k in range(1, len(PROBE_STEPS)):
        noise[k] = rho * noise[k - 1] + math.sqrt(1 - rho ** 2) * noise[k]
    return trend + noise


def write_sweep(runs, treatments=("gft",), primary=None, confirmatory=True, baseline="standard"):
    """An in-memory summary.h5: runs is a list of dicts (arm, seed, status, finals, series)."""
    f = h5py.File(f"planted-{next(_files)}.h5", "w", driver="core", backing_store=False)
    f.attrs.update({"experiment": "planted", "profile": "test", "collected_at": "now", "description": "",
                    "report_baseline": baseline, "report_confirmatory": int(confirmatory), "n_runs": len(runs)})
    role = lambda arm: "baseline" if arm == baseline else "treatment" if arm in treatments else "reference"  # noqa: E731
    strings = lambda name, values: f.create_dataset(name, data=list(values), dtype=h5py.string_dtype())  # noqa: E731
    ids = [f"{r['arm']}-{r['seed']}-{r.get('point', '')}" for r in runs]
    text = {"run_id": ids, "arm": [r["arm"] for r in runs], "status": [r.get("status", "complete") for r in runs],
            "point": [r.get("point", "") for r in runs], "quality_metric": ["w2"] * len(runs),
            "role": [role(r["arm"]) for r in runs], "error": [""] * len(runs), "run_file": [""] * len(runs)}
    for k, v in text.items():
        strings(f"table/{k}", v)
    f["table/seed"] = [r["seed"] for r in runs]
    for name in sorted({k for r in runs for k in r.get("finals", {})}):
        f[f"table/final/{name}"] = [r.get("finals", {}).get(name, math.nan) for r in runs]
    strings("metrics/name", [m[0] for m in METRICS])
    f["metrics/better"] = [m[1] for m in METRICS]
    strings("metrics/family", [m[2] for m in METRICS])
    strings("metrics/label", [m[3] for m in METRICS])
    strings("report/treatments", treatments)
    arms = list(dict.fromkeys(r["arm"] for r in runs))
    strings("arms/name", arms)
    strings("arms/role", [role(a) for a in arms])
    strings("arms/settings", [f"method.name={a}" for a in arms])
    declared = {**DECLARED_PRIMARY, **(primary or {})}
    strings("report/claims", CLAIM_NAMES)
    strings("report/primary", [declared[c] for c in CLAIM_NAMES])
    f["report/margins"] = [DECLARED_MARGINS.get(c, math.nan) for c in CLAIM_NAMES]
    for run_id, r in zip(ids, runs):
        for name, values in r.get("series", {}).items():
            f[f"runs/{run_id}/{name}"] = values
        f.require_group(f"runs/{run_id}")
    return Sweep(".", file=f)


def stability_runs(gft, standard, seeds=10):
    """gft / standard: functions (seed, rng) -> probe outputs."""
    rng = np.random.default_rng(11)
    runs = []
    for seed in range(seeds):
        for arm, make in (("gft", gft), ("standard", standard)):
            out = make(rng)
            runs.append({"arm": arm, "seed": seed, "finals": {"w2": 1.0},
                         "series": {"stability/probe_step": PROBE_STEPS, "stability/probe_output": out.ravel()}})
    return runs


def row(members, claim, arm="gft"):
    return next(c for c in members if c.measure.claim == claim and c.arm == arm)


class StabilityEstimator(unittest.TestCase):
    def test_white_noise_within_10_percent_on_both_shapes(self):
        rng = np.random.default_rng(1)
        for shape in (fast, gradual):
            for sigma in (SIGMA, 3 * SIGMA):
                sd, _, below = ms.oscillation_sd(probe(shape, sigma, rng))
                self.assertLess(abs(sd / sigma - 1), 0.10, (shape.__name__, sigma, sd))
                self.assertFalse(below)

    def test_ar1_noise_is_scaled_by_the_stated_factor(self):
        rng = np.random.default_rng(2)
        rho = 0.9
        factor = math.sqrt((1 - rho) * (3 - rho) / 3)  # 0.265: docs/reports.md
        for shape in (fast, gradual):
            sd, _, _ = ms.oscillation_sd(probe(shape, SIGMA, rng, rho=rho))
            self.assertLess(abs(sd / (SIGMA * factor) - 1), 0.10, (shape.__name__, sd, factor))

    def test_noiseless_series_are_below_the_floor(self):
        rng = np.random.default_rng(3)
        for shape in (fast, gradual):
            sd, floor, below = ms.oscillation_sd(probe(shape, 0.0, rng))
            self.assertTrue(below, shape.__name__)
            self.assertLess(sd, 0.05 * SIGMA, shape.__name__)


class StabilityVerdicts(unittest.TestCase):
    def verdict(self, gft, standard):
        members, _ = claims.analyse(write_sweep(stability_runs(gft, standard)))
        return row(members, "stability").verdict

    def test_equal_noise_on_either_shape_gives_no_verdict(self):
        self.assertEqual(self.verdict(lambda r: probe(gradual, SIGMA, r), lambda r: probe(fast, SIGMA, r)),
                         "inconclusive")
        self.assertEqual(self.verdict(lambda r: probe(fast, SIGMA, r), lambda r: probe(gradual, SIGMA, r)),
                         "inconclusive")

    def test_three_times_the_noise_is_contradicted_whichever_shape_is_noisy(self):
        self.assertEqual(self.verdict(lambda r: probe(gradual, 3 * SIGMA, r), lambda r: probe(fast, SIGMA, r)),
                         "contradicted")
        self.assertEqual(self.verdict(lambda r: probe(fast, 3 * SIGMA, r), lambda r: probe(gradual, SIGMA, r)),
                         "contradicted")

    def test_a_noiseless_gradual_arm_beats_a_noisy_fast_one(self):
        self.assertEqual(self.verdict(lambda r: probe(gradual, 0.0, r), lambda r: probe(fast, SIGMA, r)), "supported")


class Speed(unittest.TestCase):
    def test_crossings_at_the_profiles_cadence_within_10_percent(self):
        """toy_shift quick: the quality metric every 20 steps to 600, then every 200."""
        steps = np.unique(np.concatenate([np.arange(0, 601, 20), np.arange(0, 1001, 200)]))
        q0, final = 2.34, 0.32
        target = q0 - ms.SPEED_FRACTION * (q0 - final)
        for shape, analytic in ((fast, TAU * math.log(10)), (gradual, ANNEAL * math.acos(1 - 2 * 0.9) / math.pi)):
            values = q0 - (q0 - final) * shape(steps)
            step, before = ms.crossing(steps, values, target, -1)
            self.assertLess(abs(step / analytic - 1), 0.10, (shape.__name__, step, analytic))
            self.assertGreaterEqual(before, ms.MIN_EVALUATIONS_BEFORE_CROSSING)


def final_runs(seeds, arm_value, base_value, status=lambda arm, seed: "complete"):
    """Runs whose only measures are final values: arm_value(seed), base_value(seed) -> {name: value}."""
    return [{"arm": arm, "seed": s, "status": status(arm, s), "finals": value(s)}
            for s in range(seeds) for arm, value in (("gft", arm_value), ("standard", base_value))]


class NonInferiorityDivergenceAndExactP(unittest.TestCase):
    def test_three_percent_worse_within_a_five_percent_margin_is_non_inferior(self):
        rng = np.random.default_rng(5)
        base = rng.uniform(0.9, 1.1, 10)
        noise = rng.normal(0, 0.003, 10)
        sweep = write_sweep(final_runs(10, lambda s: {"w2": base[s] * 1.03 * math.exp(noise[s])},
                                       lambda s: {"w2": base[s]}))
        members, _ = claims.analyse(sweep)
        c = row(members, "quality")
        self.assertEqual(c.verdict, "non-inferior", (c.effect, c.lo, c.hi, c.p_side))
        self.assertAlmostEqual(math.exp(c.measure.margin), 1.05)

    def test_divergence_4_of_5_against_0_of_5_blocks_stability(self):
        runs = stability_runs(lambda r: probe(gradual, 0.0, r), lambda r: probe(fast, SIGMA, r), seeds=5)
        for r in runs:
            if r["arm"] == "gft" and r["seed"] < 4:
                r["status"] = "diverged"
        members, _ = claims.analyse(write_sweep(runs, confirmatory=False))
        c = row(members, "stability")
        self.assertNotEqual(c.verdict, "supported")
        sweep = write_sweep(runs)
        div = claims.divergence(sweep, "gft", "")
        self.assertEqual(div["arm"], [4, 5])
        self.assertEqual(div["baseline"], [0, 5])
        self.assertAlmostEqual(div["mcnemar_p"], 0.125)
        np.testing.assert_allclose(div["arm_interval"], [0.284, 0.995], atol=5e-4)
        np.testing.assert_allclose(div["baseline_interval"], [0.0, 0.522], atol=5e-4)
        self.assertEqual(c.worst_rank, 4)

    def test_five_equal_differences_have_exact_p_one_sixteenth(self):
        sweep = write_sweep(final_runs(5, lambda s: {"coverage": 0.6 + 0.01 * s}, lambda s: {"coverage": 0.5 + 0.01 * s}),
                            primary={"quality": "quality"})
        members, _ = claims.analyse(sweep)
        c = row(members, "diversity")
        np.testing.assert_allclose(c.d, 0.1)
        self.assertAlmostEqual(2 * min(c.p_side), 0.0625)
        self.assertGreater(c.p_exact, 0.0)


def calibration_sweep():
    """Two treatment arms, one point, 10 seeds: a family of m = 10 (2 arms x 5 claims) on final values and quality
    series; the values are replaced per simulated family."""
    runs = [{"arm": arm, "seed": s, "finals": {"w2": 1.0, "coverage": 0.5, "path_length": 1.0,
                                             "grad_spikes_per_1000": 1.0}}
            for s in range(10) for arm in ("gft", "gft2", "standard")]
    return write_sweep(runs, treatments=("gft", "gft2"), primary={"stability": "grad_spikes_per_1000"})


def simulate(sweep, rng, planted_log_path=0.0):
    """Null values for every member (superiority: no effect; non-inferiority: at the margin) and an optional
    planted path-length effect on arm `gft`."""
    steps = np.array([0, 20, 40, 60, 80, 100, 200, 400, 600, 800, 1000], float)
    base = {s: rng.normal(0, 1, 4) for s in range(10)}
    for r in sweep.runs:
        b = base[r.seed]
        treated = r.arm != "standard"
        e = rng.normal(0, 1, 5) if treated else np.zeros(5)
        w2 = math.exp(0.1 * b[0] + (0.1 * e[0] + math.log(1.05) if treated else 0.0))
        tau = 40 * math.exp(0.2 * b[1] + (0.2 * e[1] + math.log(1.25) if treated else 0.0))
        shift = planted_log_path if r.arm == "gft" else 0.0
        r.finals = {"w2": w2, "coverage": 0.5 + 0.05 * b[2] + (0.05 * e[2] - 0.05 if treated else 0.0),
                    "path_length": math.exp(0.1 * b[3] + (0.1 * e[3] + shift if treated else 0.0)),
                    "grad_spikes_per_1000": 1.0 + (0.5 * e[4] if treated else 0.0)}
        # Towards 0 rather than the run's own final, so that both arms of a pair cross q* after the same number of
        # time constants: the crossing ratio is then exactly the planted tau ratio (at the margin, 1.25).
        quality = 23.0 * np.exp(-steps / tau)
        r.group = {"quality/step": steps, "quality/value": quality}


class Labels(unittest.TestCase):
    def test_labels_come_from_the_metric_table_with_the_ladder_step_filled_in(self):
        sweep = write_sweep(final_runs(2, lambda s: {"w2": 1.0}, lambda s: {"w2": 1.0}))
        self.assertEqual(sweep.label("w2"), "W2 (data units)")
        self.assertEqual(sweep.label("w2_euler_16"), "W2, 16 Euler steps (units)")
        self.assertEqual(sweep.label("unlisted"), "unlisted")
        self.assertEqual(sweep.describe_arm("gft"), "method.name=gft")


class Calibration(unittest.TestCase):
    def test_null_families_reach_a_verdict_in_at_most_6_4_percent(self):
        sweep, rng = calibration_sweep(), np.random.default_rng(7)
        hits = 0
        for _ in range(1000):
            simulate(sweep, rng)
            members, _ = claims.analyse(sweep)
            self.assertEqual(len(members), 10)
            hits += any(c.verdict not in ("inconclusive",) for c in members)
        self.assertLessEqual(hits / 1000, 0.064, hits)

    def test_an_effect_at_the_printed_mde_reaches_a_verdict_in_80_percent(self):
        sweep, rng = calibration_sweep(), np.random.default_rng(8)
        # The MDE the report prints for a paired SD of 0.1 on the log scale at the family's first Holm level.
        mde = 0.1 * decision_power_effect(10, ALPHA / 10)
        hits = 0
        for _ in range(1000):
            simulate(sweep, rng, planted_log_path=-mde)
            members, _ = claims.analyse(sweep)
            hits += row(members, "paths").verdict == "supported"
        self.assertLess(abs(hits / 1000 - 0.80), 0.04, (hits, mde))


if __name__ == "__main__":
    unittest.main(verbosity=1)
