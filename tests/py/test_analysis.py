#!/usr/bin/python3
"""Unit tests of the report's statistics (analysis/seed_stats.py, comparisons.py, claims.py), fixed seeds."""
import math
import pathlib
import sys
import tempfile
import types
import unittest
from unittest import mock

import h5py
import numpy as np
from scipy import stats

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "analysis"))
import claims  # noqa: E402
import comparisons  # noqa: E402
from comparisons import compare_all  # noqa: E402
from seed_stats import bca_interval, holm, pair_by_seed, t_interval, t_test_p, wilcoxon_p  # noqa: E402
from sweep_data import Sweep  # noqa: E402


class IntervalTests(unittest.TestCase):
    def test_t_interval_covers_95_percent_at_n5(self):
        rng = np.random.default_rng(1)
        hits = 0
        for _ in range(2000):
            _, lo, hi, n = t_interval(rng.normal(3.0, 2.0, 5))
            hits += lo <= 3.0 <= hi
        self.assertEqual(n, 5)
        self.assertLess(abs(hits / 2000 - 0.95), 0.015, hits / 2000)

    def test_t_interval_matches_scipy_and_edge_cases(self):
        x = [1.0, 2.5, 2.0, 4.0, math.nan]
        mean, lo, hi, n = t_interval(x)
        ref = stats.t.interval(0.95, 3, loc=np.mean(x[:4]), scale=stats.sem(x[:4]))
        self.assertEqual(n, 4)
        self.assertAlmostEqual(lo, ref[0], 12)
        self.assertAlmostEqual(hi, ref[1], 12)
        self.assertTrue(math.isnan(t_interval([1.0])[1]))
        self.assertEqual(t_interval([2.0, 2.0, 2.0])[1:3], (2.0, 2.0))
        self.assertAlmostEqual(t_test_p([1.0, 2.5, 2.0, 4.0], 1.0), stats.ttest_1samp([1.0, 2.5, 2.0, 4.0], 1.0).pvalue)
        self.assertTrue(math.isnan(t_test_p([0.0, 0.0, 0.0])))
        self.assertEqual(t_test_p([1.0, 1.0, 1.0]), 0.0)
        self.assertAlmostEqual(wilcoxon_p([1, 2, 3, 4, 5]), 0.0625)

    def test_bca_of_a_ratio(self):
        rng = np.random.default_rng(2)
        a, b = rng.normal(12, 1, 40), rng.normal(10, 1, 40)
        ratio = lambda x, y, axis=-1: np.mean(x, axis=axis) / np.mean(y, axis=axis)  # noqa: E731
        lo, hi = bca_interval((a, b), ratio)
        # The one-call-per-resample evaluation draws the same resamples and gives the same interval.
        slow = stats.bootstrap((a, b), lambda x, y: np.mean(x) / np.mean(y), paired=True, vectorized=False,
                               method="BCa", n_resamples=10_000, random_state=np.random.default_rng(0))
        self.assertAlmostEqual(lo, slow.confidence_interval[0], 12)
        self.assertAlmostEqual(hi, slow.confidence_interval[1], 12)
        self.assertLess(lo, np.mean(a) / np.mean(b))
        self.assertGreater(hi, np.mean(a) / np.mean(b))
        self.assertLess(hi - lo, 0.2)
        self.assertTrue(math.isnan(bca_interval(([1.0, 2.0], [1.0, 2.0]), ratio)[0]))


class HolmAndPairingTests(unittest.TestCase):
    def test_holm_by_hand(self):
        # Sorted 0.01, 0.012, 0.03, 0.04 (m = 4): 0.01 < 0.05/4 and 0.012 < 0.05/3 are rejected; 0.03 >= 0.05/2 stops.
        p = [0.03, 0.01, math.nan, 0.04, 0.012]
        adjusted, levels, rejected = holm(p)
        self.assertEqual(list(rejected), [False, True, False, False, True])
        np.testing.assert_allclose(adjusted[[1, 4, 0, 3]], [0.04, 0.04, 0.06, 0.06])
        self.assertTrue(math.isnan(adjusted[2]) and math.isnan(levels[2]))
        np.testing.assert_allclose(levels[[1, 4, 0, 3]], [0.0125, 0.05 / 3, 0.025, 0.025])

    def test_intervals_at_holm_levels_agree_with_rejections(self):
        rng = np.random.default_rng(3)
        samples = [rng.normal(mu, 1, 8) for mu in (0, 0.3, 1.5, 3, 0, 2)]
        _, levels, rejected = holm([t_test_p(x) for x in samples])
        for x, level, r in zip(samples, levels, rejected):
            _, lo, hi, _ = t_interval(x, alpha=level)
            self.assertEqual(r, lo > 0 or hi < 0)

    def test_pairing_by_seed(self):
        seeds, a, b = pair_by_seed({0: 1.0, 1: 2.0, 2: math.nan, 4: 5.0}, {0: 0.5, 1: 1.0, 2: 3.0, 3: 1.0})
        self.assertEqual(seeds, [0, 1])
        np.testing.assert_array_equal(a - b, [0.5, 1.0])


def write_metric_table(h):
    """The part of gftlab's metric table (summary.h5's /metrics) that the planted sweep's measures use."""
    table = [("w2", -1, "quality"), ("recall", 1, "diversity"), ("coverage", 1, "diversity"), ("vendi", 0, "diversity"),
             ("path_length", -1, "paths"), ("straightness", -1, "paths"), ("adaptive_nfe", -1, "paths"),
             ("loss_variance_last", -1, "stability"), ("quality_variance_last", -1, "stability"),
             ("quality_spearman", 0, "stability"), ("grad_spike_count", -1, "stability"), ("w2_euler_*", -1, "ladder")]
    h.create_dataset("metrics/name", data=[t[0] for t in table], dtype=h5py.string_dtype())
    h["metrics/better"] = [t[1] for t in table]
    h.create_dataset("metrics/family", data=[t[2] for t in table], dtype=h5py.string_dtype())


def write_planted_sweep(directory, rng):
    """A collected sweep of three GFT arms and a baseline over 10 seeds: `better` is 3 SD better than the
    baseline on every claim's measure (paired noise of 1 SD), `same` has no effect, `worse` is 3 SD worse."""
    arms = {"standard": 0.0, "better": -3.0, "same": 0.0, "worse": 3.0}
    # measure -> (baseline mean, SD, sign of "better")
    finals = {"loss_variance_last": (10, 1, -1), "quality_variance_last": (10, 1, -1), "quality_spearman": (-0.2, 0.05, -1),
              "grad_spike_count": (10, 1, -1), "path_length": (10, 1, -1), "straightness": (10, 1, -1),
              "adaptive_nfe": (100, 10, -1), "w2_euler_1": (10, 1, -1), "w2_euler_2": (10, 1, -1),
              "w2_euler_4": (10, 1, -1), "w2": (1.0, 0.2, -1), "recall": (10, 1, 1), "coverage": (10, 1, 1)}
    rows, runs = [], {}
    base = {m: rng.normal(mu, sd, 10) for m, (mu, sd, _) in finals.items()}
    for arm, effect in arms.items():
        for seed in range(10):
            f = {m: base[m][seed] + (0 if arm == "standard" else sd * (effect * -sign + rng.normal()))
                 for m, (mu, sd, sign) in finals.items()}
            vendi_gap = abs(base["w2"][seed]) + (0 if arm == "standard" else 0.2 * (effect + rng.normal()))
            f["reference_vendi"], f["vendi"] = 5.0, 5.0 + vendi_gap
            # Quality approaches its final value; `better` gets there sooner (steps to the margin: fewer).
            tau = {"standard": 300, "better": 30, "same": 300, "worse": 3000}[arm] * math.exp(0.05 * rng.normal())
            steps = np.arange(0, 1001, 50)
            quality = f["w2"] + 2.0 * np.exp(-steps / tau)
            quality[-1] = f["w2"]
            runs[f"{arm}-{seed}"] = {"eval/step": steps, "eval/w2": quality, "train/step": np.arange(1000),
                                     "train/nfe": np.full(1000, 1.0 if arm in ("standard", "same") else 2.0)}
            rows.append((f"{arm}-{seed}", arm, seed, f))
    with h5py.File(directory / "summary.h5", "w") as h:
        for k, v in {"experiment": "planted", "profile": "test", "collected_at": "now", "description": "",
                     "report_baseline": "standard", "report_noninferiority_margin": 0.05, "n_runs": len(rows),
                     "n_complete": len(rows), "n_diverged": 0, "n_failed": 0, "n_pending": 0}.items():
            h.attrs[k] = v
        text = {"run_id": [r[0] for r in rows], "arm": [r[1] for r in rows], "status": ["complete"] * len(rows),
                "point": [""] * len(rows), "method": ["standard" if r[1] == "standard" else "gft" for r in rows],
                "schedule": ["cosine"] * len(rows), "coupling": ["independent"] * len(rows),
                "quality_metric": ["w2"] * len(rows), "error": [""] * len(rows), "run_file": [""] * len(rows)}
        for k, v in text.items():
            h.create_dataset(f"table/{k}", data=v, dtype=h5py.string_dtype())
        h["table/seed"] = [r[2] for r in rows]
        write_metric_table(h)
        h["table/beta0"] = [1.0] * len(rows)
        for m in rows[0][3]:
            h[f"table/final/{m}"] = [r[3][m] for r in rows]
        for run_id, series in runs.items():
            for name, values in series.items():
                h[f"runs/{run_id}/{name}"] = values


class PlantedClaimsTest(unittest.TestCase):
    def test_directions_and_families_come_from_the_metric_table(self):
        with tempfile.TemporaryDirectory() as tmp:
            write_planted_sweep(pathlib.Path(tmp), np.random.default_rng(4))
            sweep = Sweep(tmp)
            self.assertEqual(sweep.direction("w2"), -1)
            self.assertEqual(sweep.direction("recall"), 1)
            self.assertEqual(sweep.direction("w2_euler_16"), -1)  # the ladder's pattern
            self.assertEqual(sweep.direction("not_a_metric"), 0)
            self.assertEqual(sweep.family("diversity"), ["recall", "coverage", "vendi"])

    def test_planted_effects_come_out_supported_inconclusive_contradicted(self):
        with tempfile.TemporaryDirectory() as tmp:
            write_planted_sweep(pathlib.Path(tmp), np.random.default_rng(4))
            sweep = Sweep(tmp)
            comparisons = compare_all(sweep, claims.all_measures(sweep))
            claim_rows = claims.rows(sweep, comparisons)
            expected = {"better": "supported", "same": "inconclusive", "worse": "contradicted"}
            self.assertEqual({r["claim"] for r in claim_rows}, {k for k, _, _ in claims.CLAIMS})
            for r in claim_rows:
                with self.subTest(arm=r["arm"], claim=r["claim"]):
                    self.assertEqual(r["verdict"], expected[r["arm"]],
                                     [(c.measure.name, c.verdict, c.lo, c.hi) for c in r["measures"]])
            lines = claims.markdown(sweep, claim_rows, comparisons)
            self.assertTrue(any("| better |" in line and "**supported**" in line for line in lines))
            claims.write_json(pathlib.Path(tmp) / "claims.json", sweep, claim_rows, comparisons)

    def test_too_few_pairs(self):
        self.assertTrue(claims.aggregate(["too few pairs", "too few pairs"]).startswith("too few pairs"))
        self.assertEqual(claims.aggregate(["supported", "contradicted"]), "mixed")
        self.assertEqual(claims.aggregate(["supported", "inconclusive", "too few pairs"]), "supported")


class BaselinePointTest(unittest.TestCase):
    def test_arms_at_the_baseline_point_are_not_compared(self):
        """temperature's design: baseline gft-cosine at beta0 = 0, where gft-constant is the same method."""
        sweep = types.SimpleNamespace(
            baseline="gft-cosine", baseline_point={"beta0": "0"}, arms=["gft-cosine", "gft-constant"],
            points=["beta0=0", "beta0=2"], params_of=lambda p: {"beta0": p.split("=")[1]}, select=lambda a, p: True)
        measure = types.SimpleNamespace(name="w2")

        def fake_compare(sweep, arm, point, m):
            return types.SimpleNamespace(arm=arm, point=point, p=0.5, a=np.array([1.0, 2.0, 3.0]), b=np.array([1.0, 2.0, 2.5]))

        with mock.patch.object(comparisons, "compare", fake_compare), \
                mock.patch.object(comparisons, "verdict", lambda c: "inconclusive"):
            compared = {(c.arm, c.point) for c in compare_all(sweep, [measure])}
        self.assertEqual(compared, {("gft-cosine", "beta0=2"), ("gft-constant", "beta0=2")})


if __name__ == "__main__":
    unittest.main(verbosity=1)
