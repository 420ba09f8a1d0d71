"""Statistics over seeds (docs/method.md, "Measurements"): Student-t intervals of means, BCa bootstrap intervals of
statistics that are not means, paired comparisons by seed, and the Holm-Bonferroni correction of a family.

Every function takes plain sequences and returns plain numbers, so each is tested on its own
(tests/py/test_stats.py)."""
import math
import warnings

import numpy as np
from scipy import stats

ALPHA = 0.05
BOOTSTRAP_RESAMPLES = 10_000


def finite(values):
    v = np.asarray(values, dtype=float)
    return v[np.isfinite(v)]


def t_interval(values, alpha=ALPHA):
    """(mean, lo, hi, n): the mean of the finite values with its Student-t interval at level 1 - alpha (NaN
    bounds for n < 2; a zero-width interval when the values are all equal)."""
    v = finite(values)
    n = len(v)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    mean = float(v.mean())
    if n == 1:
        return mean, math.nan, math.nan, 1
    half = float(stats.t.ppf(1 - alpha / 2, n - 1) * v.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half, n


def t_test_p(values, null=0.0):
    """Two-sided one-sample t-test p-value of mean = null; NaN for n < 2 or when every value equals the null
    (nothing to test), 0 when the values are all equal but differ from it."""
    v = finite(values)
    if len(v) < 2:
        return math.nan
    sd = v.std(ddof=1)
    if sd == 0:
        return math.nan if v[0] == null else 0.0
    t = (v.mean() - null) / (sd / math.sqrt(len(v)))
    return float(2 * stats.t.sf(abs(t), len(v) - 1))


def wilcoxon_p(differences):
    """Two-sided Wilcoxon signed-rank p-value (exact for small n); NaN when fewer than 2 differences are
    non-zero. With 5 pairs the smallest possible value is 0.0625."""
    d = finite(differences)
    if np.count_nonzero(d) < 2:
        return math.nan
    with warnings.catch_warnings():  # zero differences make SciPy switch method, noisily
        warnings.simplefilter("ignore", UserWarning)
        return float(stats.wilcoxon(d).pvalue)


def bca_interval(samples, statistic, alpha=ALPHA, seed=0):
    """BCa bootstrap interval of statistic(*samples) (samples paired by index, resampled together), for
    statistics that are not means (e.g. a ratio of means); (nan, nan) when it is undefined (n < 3, or every
    resample gives the same value). `statistic(*samples, axis)` reduces along `axis`, so that all resamples
    are evaluated in one call (SciPy's `vectorized=True`; one Python call per resample took most of a report)."""
    samples = [np.asarray(s, dtype=float) for s in samples]
    if len(samples[0]) < 3:
        return math.nan, math.nan
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        result = stats.bootstrap(samples, statistic, paired=True, vectorized=True, method="BCa",
                                 confidence_level=1 - alpha, n_resamples=BOOTSTRAP_RESAMPLES,
                                 random_state=np.random.default_rng(seed))
    lo, hi = result.confidence_interval
    return (float(lo), float(hi)) if np.isfinite(lo) and np.isfinite(hi) else (math.nan, math.nan)


def pair_by_seed(a, b):
    """a, b: {seed: value}. Returns (seeds run by both with finite values on both sides, a values, b values)."""
    seeds = sorted(s for s in a if s in b and math.isfinite(a[s]) and math.isfinite(b[s]))
    return seeds, np.array([a[s] for s in seeds], float), np.array([b[s] for s in seeds], float)


def holm(pvalues, alpha=ALPHA):
    """Holm-Bonferroni over a family (NaN p-values are not part of it). Returns (adjusted p-values, the level
    at which each comparison's interval is drawn, rejected flags), each in the input order.

    Sorted ascending, comparison k (1-based) of m is tested at alpha / (m - k + 1) until the first that is not
    rejected; that level is kept for every later one. An interval at confidence 1 - level then excludes the
    null exactly when Holm rejects it (for a two-sided test whose interval matches its p-value)."""
    p = np.asarray(pvalues, dtype=float)
    adjusted = np.full(len(p), math.nan)
    levels = np.full(len(p), math.nan)
    rejected = np.zeros(len(p), dtype=bool)
    tested = np.flatnonzero(np.isfinite(p))
    m = len(tested)
    order = tested[np.argsort(p[tested], kind="stable")]
    running, stopped_level = 0.0, None
    for k, i in enumerate(order):
        running = max(running, min(1.0, (m - k) * p[i]))
        adjusted[i] = running
        level = alpha / (m - k)
        if stopped_level is None and p[i] >= level:
            stopped_level = level
        levels[i] = stopped_level if stopped_level is not None else level
        rejected[i] = stopped_level is None
    return adjusted, levels, rejected

