#!/usr/bin/python3
"""Unit tests of the report's interval and family statistics (analysis/seed_stats.py), fixed seeds; the claims' verdicts
are tested through planted sweeps in test_claims.py."""
import math
import pathlib
import sys
import unittest

import numpy as np
from scipy import stats

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "analysis"))
from seed_stats import bca_interval, holm, pair_by_seed, t_interval, t_test_p, wilcoxon_p  # noqa: E402


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


if __name__ == "__main__":
    unittest.main(verbosity=1)
