#!/usr/bin/python3
"""Unit tests of the exact small-sample tests (analysis/exact_tests.py), fixed seeds; each result is checked
against SciPy, a brute-force enumeration with itertools, or a closed form."""
import itertools
import math
import pathlib
import statistics
import sys
import unittest
from fractions import Fraction

import numpy as np
from scipy import optimize, stats

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "analysis"))
import exact_tests  # noqa: E402
from exact_tests import (clopper_pearson, decision_power_effect, hodges_lehmann, mcnemar_exact_p,  # noqa: E402
                         sign_flip_p, signed_rank_p, smallest_two_sided_p)

ALTERNATIVES = ("two-sided", "greater", "less")


def brute_sign_flip(values, alternative):
    """Fraction of the 2^n sign patterns at least as extreme, in exact rational arithmetic (no tolerance)."""
    x = [Fraction(v) for v in values]
    observed = sum(x)
    sums = [sum(s * v for s, v in zip(signs, x)) for signs in itertools.product((1, -1), repeat=len(x))]
    extreme = {"greater": lambda s: s >= observed, "less": lambda s: s <= observed,
               "two-sided": lambda s: abs(s) >= abs(observed)}[alternative]
    return Fraction(sum(map(extreme, sums)), len(sums))


class SignFlipTests(unittest.TestCase):
    def test_required_values(self):
        self.assertEqual(sign_flip_p([0.3] * 5), 0.0625)
        self.assertEqual(sign_flip_p([0.0] * 6), 1.0)
        self.assertEqual(sign_flip_p(np.arange(1.0, 11.0)), 2 / 1024)
        self.assertEqual(sign_flip_p(-np.arange(1.0, 11.0)), 2 / 1024)
        self.assertEqual(sign_flip_p(np.arange(1.0, 11.0), alternative="greater"), 1 / 1024)
        self.assertTrue(math.isnan(sign_flip_p([math.nan])))
        self.assertEqual(sign_flip_p([1.0, math.nan, -0.5, 2.0]), sign_flip_p([1.0, -0.5, 2.0]))
        for n in range(1, 13):
            self.assertEqual(sign_flip_p(np.full(n, 0.7)), smallest_two_sided_p(n))
        with self.assertRaises(ValueError):
            sign_flip_p([1.0, 2.0], alternative="two_sided")

    def test_matches_exact_enumeration(self):
        rng = np.random.default_rng(10)
        cases = [(rng.normal(0.3, 1.0, 8), 0.0), (rng.normal(1.0, 1.0, 7), 0.5),
                 (rng.integers(-3, 4, 9).astype(float), 0.0)]
        exact_cases = [[Fraction(v) - Fraction(null) for v in d] for d, null in cases]
        # Decimal data whose sign patterns tie exactly, but only up to rounding in binary floating point.
        decimals = ["0.1", "0.2", "0.3", "-0.6", "0.1", "0.4"]
        cases.append((np.array([float(v) for v in decimals]), 0.0))
        exact_cases.append([Fraction(v) for v in decimals])
        for (d, null), exact in zip(cases, exact_cases):
            for alternative in ALTERNATIVES:
                expected = brute_sign_flip(exact, alternative)
                self.assertEqual(Fraction(sign_flip_p(d, null, alternative)), expected, (d, null, alternative))

    def test_monte_carlo_beyond_20_pairs(self):
        rng = np.random.default_rng(11)
        d = rng.integers(1, 10, 24) * rng.choice([-1, 1], 24, p=[0.3, 0.7])
        # Exact p by the distribution of 2 * (sum of the positively signed |d|) - sum |d|, a subset sum.
        pmf = np.ones(1)
        for w in np.abs(d):
            pmf = (np.concatenate([pmf, np.zeros(w)]) + np.concatenate([np.zeros(w), pmf])) / 2
        sums = 2 * np.arange(len(pmf)) - np.abs(d).sum()
        exact = pmf[np.abs(sums) >= abs(d.sum())].sum()
        p = sign_flip_p(d)
        n_random = exact_tests.RANDOM_PATTERNS
        self.assertAlmostEqual(p * (n_random + 1), round(p * (n_random + 1)), 6)  # (count + 1) / (N + 1)
        self.assertLess(abs(p - exact), 4 * math.sqrt(exact * (1 - exact) / n_random) + 1 / n_random, (p, exact))
        self.assertEqual(sign_flip_p(np.ones(30)), 1 / (n_random + 1))


class SignedRankTests(unittest.TestCase):
    def test_required_values(self):
        self.assertEqual(signed_rank_p([1, 1, 1, 1, 0]), 0.125)
        self.assertEqual(signed_rank_p([1, 1, 1, 1, 0], "greater"), 0.0625)
        self.assertTrue(math.isnan(signed_rank_p([0.0, 0.0, math.nan])))
        self.assertEqual(signed_rank_p([1.0, -1.0]), 1.0)

    def test_matches_scipy_exact_without_ties(self):
        rng = np.random.default_rng(12)
        for n in range(5, 13):
            for shift in (0.0, 0.8):
                d = rng.normal(shift, 1.0, n)
                for alternative in ALTERNATIVES:
                    expected = stats.wilcoxon(d, method="exact", alternative=alternative).pvalue
                    self.assertAlmostEqual(signed_rank_p(d, alternative), expected, 12, (d, alternative))

    def test_ties_and_zeros_match_enumeration(self):
        d = [1.0, -1.0, 2.0, 2.0, 3.0, -3.0, 0.0, 4.0, 2.0]
        nonzero = [v for v in d if v != 0]
        ranks = stats.rankdata(np.abs(nonzero))
        signed = [r if v > 0 else -r for r, v in zip(ranks, nonzero)]
        for alternative in ALTERNATIVES:
            self.assertAlmostEqual(signed_rank_p(d, alternative), float(brute_sign_flip(signed, alternative)), 12)


class HodgesLehmannTests(unittest.TestCase):
    def test_estimate_is_the_median_of_walsh_averages(self):
        d = np.random.default_rng(13).normal(0.4, 1.0, 9)
        walsh = [(a + b) / 2 for a, b in itertools.combinations_with_replacement(d, 2)]
        self.assertAlmostEqual(hodges_lehmann(d)[0], statistics.median(walsh), 14)
        self.assertTrue(all(math.isnan(v) for v in hodges_lehmann([math.nan])))

    def test_critical_values_match_the_published_table(self):
        # Two-sided 0.05 critical values of T (reject when T <= c): n = 6: 0, 10: 8, 15: 25, 20: 52; k = c + 1.
        for n, c in ((6, 0), (10, 8), (15, 25), (20, 52)):
            self.assertEqual(exact_tests._walsh_rank(n, 0.05), c + 1)

    def test_interval_inverts_the_signed_rank_test(self):
        rng = np.random.default_rng(14)
        for n, alpha in ((5, 0.05), (6, 0.05), (8, 0.1), (10, 0.05), (12, 0.01)):
            d = rng.normal(0.5, 1.0, n)
            _, lo, hi = hodges_lehmann(d, alpha)
            step = 1e-3
            grid = np.arange(d.min() - 0.5, d.max() + 0.5, step)
            accepted = grid[[signed_rank_p(d - delta) > alpha for delta in grid]]
            if n == 5:  # no shift is rejected at 0.05: the documented fallback is (min d, max d)
                self.assertEqual(len(accepted), len(grid))
                self.assertEqual((lo, hi), (d.min(), d.max()))
                continue
            self.assertTrue(lo <= accepted[0] < lo + step, (n, alpha, lo, accepted[0]))
            self.assertTrue(hi - step < accepted[-1] < hi, (n, alpha, hi, accepted[-1]))

    def test_coverage_at_n10(self):
        rng = np.random.default_rng(15)
        hits = 0
        for _ in range(2000):
            _, lo, hi = hodges_lehmann(rng.normal(1.5, 2.0, 10))
            hits += lo <= 1.5 <= hi
        k = exact_tests._walsh_rank(10, 0.05)
        # Exact coverage 1 - 2 P(T+ <= k - 1) for continuous symmetric differences, by enumerating 2^10 subsets.
        nominal = 1 - 2 * sum(1 for s in itertools.product((0, 1), repeat=10)
                              if np.dot(s, np.arange(1, 11)) <= k - 1) / 1024
        self.assertGreaterEqual(nominal, 0.95)
        self.assertLess(abs(hits / 2000 - nominal), 3 * math.sqrt(nominal * (1 - nominal) / 2000), hits / 2000)


class BinaryTests(unittest.TestCase):
    def test_mcnemar(self):
        self.assertEqual(mcnemar_exact_p([1, 1, 1, 1, 0], [0, 0, 0, 0, 0]), 0.125)
        self.assertEqual(mcnemar_exact_p([1, 0, 1], [1, 0, 1]), 1.0)
        self.assertEqual(mcnemar_exact_p([1, 1, math.nan], [0, 0, 1]), mcnemar_exact_p([1, 1], [0, 0]))
        rng = np.random.default_rng(16)
        for _ in range(20):
            a, b = rng.integers(0, 2, 15), rng.integers(0, 2, 15)
            b01, b10 = int(np.sum((a == 0) & (b == 1))), int(np.sum((a == 1) & (b == 0)))
            expected = stats.binomtest(b01, b01 + b10, 0.5).pvalue if b01 + b10 else 1.0
            self.assertAlmostEqual(mcnemar_exact_p(a, b), expected, 12)
        with self.assertRaises(ValueError):
            mcnemar_exact_p([1, 2], [0, 0])

    def test_clopper_pearson(self):
        np.testing.assert_allclose(clopper_pearson(4, 5), (0.284, 0.995), atol=5e-4)
        self.assertEqual(clopper_pearson(0, 5)[0], 0.0)
        self.assertAlmostEqual(clopper_pearson(0, 5)[1], 0.522, 3)
        self.assertAlmostEqual(clopper_pearson(0, 5)[1], 1 - 0.025 ** (1 / 5), 12)  # closed form at x = 0
        for n in (1, 5, 12, 30):
            for x in range(n + 1):
                ci = stats.binomtest(x, n).proportion_ci(0.95, method="exact")
                np.testing.assert_allclose(clopper_pearson(x, n), (ci.low, ci.high), atol=1e-12)
        with self.assertRaises(ValueError):
            clopper_pearson(6, 5)


class DecisionPowerTests(unittest.TestCase):
    def test_independent_simulation_reaches_80_percent(self):
        n, level = 10, 0.05 / 10
        delta = decision_power_effect(n, level)
        d = np.random.default_rng(17).normal(delta, 1.0, (4000, n))
        t_lo = d.mean(axis=1) - stats.t.ppf(1 - level / 2, n - 1) * stats.sem(d, axis=1)
        self.assertAlmostEqual(t_lo[0], stats.t.interval(1 - level, n - 1, d[0].mean(), stats.sem(d[0]))[0], 12)
        verdicts = sum(sign_flip_p(row) <= level for row in d[t_lo > 0])
        self.assertLess(abs(verdicts / 4000 - 0.8), 0.03, (delta, verdicts / 4000))

    def test_vectorised_verdicts_match_the_public_functions(self):
        # At n = 7, level 0.05 both conditions bind (the t interval alone decides about 1% of delta*).
        n, level, delta = 7, 0.05, 1.3
        z = np.random.default_rng(18).standard_normal((1000, n))
        t_margin = stats.t.ppf(1 - level / 2, n - 1) * z.std(axis=1, ddof=1) / math.sqrt(n) - z.mean(axis=1)
        patterns, exact = exact_tests._power_patterns(n, level)
        fast = exact_tests._verdicts(z, delta, patterns, exact, level, t_margin)
        slow = [stats.t.interval(1 - level, n - 1, row.mean(), stats.sem(row))[0] > 0 and sign_flip_p(row) <= level
                for row in z + delta]
        self.assertTrue(exact)
        self.assertEqual(fast.tolist(), slow)
        self.assertGreater(np.mean(slow), 0.3)  # the case is not trivial either way
        self.assertLess(np.mean(slow), 0.9)

    def test_no_verdict_possible(self):
        self.assertTrue(math.isnan(decision_power_effect(5, 0.05)))  # 0.0625 > 0.05
        self.assertTrue(math.isnan(decision_power_effect(1, 0.5)))
        self.assertEqual(smallest_two_sided_p(5), 0.0625)
        self.assertFalse(math.isnan(decision_power_effect(6, 0.05)))  # 0.03125 <= 0.05

    def test_monotone_in_n_and_level(self):
        by_n = [decision_power_effect(n, 0.05) for n in (6, 8, 10, 14, 20)]
        self.assertTrue(all(a > b for a, b in zip(by_n, by_n[1:])), by_n)
        by_level = [decision_power_effect(10, level) for level in (0.05, 0.01, 0.005)]
        self.assertTrue(all(a < b for a, b in zip(by_level, by_level[1:])), by_level)

    def test_not_below_the_t_test_alone(self):
        # The rule also needs the t interval, so delta* is at least the one-sample t-test's (noncentral t).
        n, level = 20, 0.05
        crit = stats.t.ppf(1 - level / 2, n - 1)
        t_only = optimize.brentq(lambda e: stats.nct.sf(crit, n - 1, e * math.sqrt(n)) - 0.8, 0.1, 3.0)
        delta = decision_power_effect(n, level)
        self.assertGreater(delta, t_only - 0.03)
        self.assertLess(delta, t_only + 0.1)

    def test_memoised(self):
        exact_tests._decision_power_effect.cache_clear()
        first = decision_power_effect(8, 0.05)
        self.assertEqual(decision_power_effect(8, 0.05 + 1e-15), first)
        self.assertEqual(exact_tests._decision_power_effect.cache_info().hits, 1)


if __name__ == "__main__":
    unittest.main(verbosity=1)
