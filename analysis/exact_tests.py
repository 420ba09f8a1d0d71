"""Exact small-sample tests of a treatment arm against a baseline arm paired by seed (docs/method.md,
"Measurements"), on the per-seed differences d_i (often log ratios) of n pairs, typically 5-20.

At such n the normal approximations behind the usual tests are far off in the tails (SciPy's Wilcoxon
approximation gives 0.0455 for [1, 1, 1, 1, 0] where the exact value is 0.125), so every p-value here comes
from an enumerated null distribution. Plain sequences in, plain floats out; NaN (and infinite) inputs are
dropped first. Tested in tests/py/test_exact_tests.py."""
import functools
import math

import numpy as np
from scipy import stats

ALPHA = 0.05
ALTERNATIVES = ("two-sided", "greater", "less")
EXACT_MAX_N = 20                # the sign-flip test enumerates all 2^n patterns up to this n ...
RANDOM_PATTERNS = 1 << 16       # ... and draws this many random ones beyond it
RANDOM_SEED = 0
CHUNK_ELEMENTS = 1 << 21        # sign-pattern entries held at once: 16 MB of float64
TIE_TOLERANCE = 1e-9            # relative to sum |d - null|: sums equal up to rounding count as ties
POWER_SIMULATIONS = 4000
POWER_SEED = 0
POWER_EXACT_MAX_N = 12          # the power simulation enumerates sign patterns up to this n ...
POWER_RANDOM_PATTERNS = 4096    # ... and uses this many fixed random ones beyond it
POWER_MIN_EXCEEDANCES = 8       # more random patterns when level * patterns would fall below this
POWER_TOLERANCE = 1e-3
POWER_MAX_EFFECT = 1e3
POWER_CHUNK_ENTRIES = 1 << 22   # pattern x simulation sums held at once: 32 MB of float64


def _finite(values):
    v = np.asarray(values, dtype=float).ravel()
    return v[np.isfinite(v)]


def _check_alternative(alternative):
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {ALTERNATIVES}, not {alternative!r}")


def _extreme(sums, observed, tolerance, alternative):
    """Which permuted sums are at least as extreme as the observed one; the tolerance makes a permuted sum
    that equals the observed one up to rounding (the observed pattern itself, ties) count, as it must."""
    if alternative == "greater":
        return sums >= observed - tolerance
    if alternative == "less":
        return sums <= observed + tolerance
    return np.abs(sums) >= np.abs(observed) - tolerance


def _sign_patterns(n, start, stop):
    """Rows of +/-1 for pattern indices [start, stop): bit i of the index flips element i, so consecutive
    chunks of range(2^n) give every pattern exactly once without holding all 2^n rows."""
    index = np.arange(start, stop, dtype=np.int64)
    return 1.0 - 2.0 * ((index[:, None] >> np.arange(n)) & 1)


def _pattern_chunks(n):
    """All 2^n sign patterns in chunks for n <= EXACT_MAX_N; beyond, RANDOM_PATTERNS random ones from a fixed
    seed (so a report is reproducible), also in chunks so memory stays bounded whatever n."""
    rows = max(1, CHUNK_ELEMENTS // n)
    if n <= EXACT_MAX_N:
        for start in range(0, 1 << n, rows):
            yield _sign_patterns(n, start, min(start + rows, 1 << n))
        return
    rng = np.random.default_rng(RANDOM_SEED)
    for start in range(0, RANDOM_PATTERNS, rows):
        yield 1.0 - 2.0 * rng.integers(0, 2, size=(min(rows, RANDOM_PATTERNS - start), n))


def sign_flip_p(d, null=0.0, alternative="two-sided"):
    """Exact paired sign-flip permutation p-value of mean(d) = null, on S = sum(d_i - null). Under the null
    each difference is as likely negated, so all 2^n sign patterns are equally likely and p is the fraction of
    them at least as extreme as the observed S: with 5 pairs it can't go below 0.0625, never 0. For n > 20 it
    is a Monte Carlo estimate on 2^16 random patterns plus the observed one, p = (count + 1) / (2^16 + 1),
    which is never 0 and is valid (not anti-conservative). NaN when no finite difference remains."""
    _check_alternative(alternative)
    x = _finite(d) - null
    n = len(x)
    if n == 0:
        return math.nan
    observed, tolerance = x.sum(), TIE_TOLERANCE * np.abs(x).sum()
    # An elementwise product and row sums, not `chunk @ x`: a BLAS matrix-vector product of this size costs more
    # in OpenBLAS's thread start-up than in arithmetic (measured 50x slower on 2 busy cores).
    count = sum(int(np.count_nonzero(_extreme((chunk * x).sum(axis=1), observed, tolerance, alternative)))
                for chunk in _pattern_chunks(n))
    return count / 2 ** n if n <= EXACT_MAX_N else (count + 1) / (RANDOM_PATTERNS + 1)


@functools.lru_cache(maxsize=256)
def _subset_sum_pmf(weights):
    """Null distribution of the sum of the (non-negative integer) weights of the elements given a positive
    sign, each with probability 1/2 independently: the exact distribution of the signed-rank statistic,
    by convolution instead of 2^n enumeration. Probabilities are multiples of 2^-n, exact in float64."""
    pmf = np.ones(1)
    for w in weights:
        longer = np.zeros(len(pmf) + w)
        longer[:len(pmf)] += pmf
        longer[w:] += pmf
        pmf = longer / 2
    return pmf


def signed_rank_p(d, alternative="two-sided"):
    """Exact Wilcoxon signed-rank p-value: zero differences are dropped, tied |d| get midranks, and the null
    distribution of T+ (the sum of the ranks of the positive d) is the exact one over all sign patterns of
    those midranks (doubled to integers), whatever the ties. "greater" means the d tend to be positive, as in
    scipy.stats.wilcoxon, which this equals when there are no ties or zeros. NaN when no non-zero d remains."""
    _check_alternative(alternative)
    x = _finite(d)
    x = x[x != 0]
    if len(x) == 0:
        return math.nan
    twice = np.rint(2 * stats.rankdata(np.abs(x))).astype(np.int64)
    pmf = _subset_sum_pmf(tuple(int(w) for w in twice))
    observed, total = int(twice[x > 0].sum()), int(twice.sum())
    values = np.arange(len(pmf))
    if alternative == "greater":
        mask = values >= observed
    elif alternative == "less":
        mask = values <= observed
    else:  # the null distribution is symmetric about total / 2: as extreme means as far from the centre
        mask = np.abs(2 * values - total) >= abs(2 * observed - total)
    return float(min(1.0, pmf[mask].sum()))


@functools.lru_cache(maxsize=256)
def _walsh_rank(n, alpha):
    """k of the exact interval: the largest k with P(T+ <= k - 1) <= alpha / 2 under the null, 0 if none."""
    cdf = np.cumsum(_subset_sum_pmf(tuple(range(1, n + 1))))
    return int(np.count_nonzero(cdf <= alpha / 2))


def hodges_lehmann(d, alpha=ALPHA):
    """(estimate, lo, hi): the Hodges-Lehmann shift, the median of the Walsh averages (d_i + d_j) / 2, i <= j,
    with the exact interval that inverts the two-sided signed-rank test, lo = W_(k), hi = W_(M+1-k) (order
    statistics, M = n(n+1)/2). Coverage is exact for continuous symmetric differences, and at least 1 - alpha.
    Conventions: all finite d count (a zero difference is data about the shift), and k comes from the untied
    null distribution even when d has ties. When k < 1 (2^-n > alpha/2, e.g. n <= 5 at alpha = 0.05) no
    finite interval reaches the level; this returns (min d, max d), whose level is only 1 - 2^(1-n).
    (nan, nan, nan) when no finite difference remains."""
    x = _finite(d)
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan
    i, j = np.triu_indices(n)
    walsh = np.sort((x[i] + x[j]) / 2)
    estimate, k = float(np.median(walsh)), _walsh_rank(n, float(alpha))
    if k < 1:
        return estimate, float(walsh[0]), float(walsh[-1])
    return estimate, float(walsh[k - 1]), float(walsh[len(walsh) - k])


def mcnemar_exact_p(a, b):
    """Exact two-sided McNemar p-value for paired 0/1 outcomes: only discordant pairs carry information, and
    under the null each is equally likely either way, so p = min(1, 2 P(Bin(b01 + b10, 1/2) <= min)).
    Pairs with a NaN side are dropped; 1.0 when no discordant pair remains."""
    a, b = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    if a.shape != b.shape:
        raise ValueError(f"paired outcomes differ in length: {len(a)} and {len(b)}")
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    if not np.isin(a, (0, 1)).all() or not np.isin(b, (0, 1)).all():
        raise ValueError("outcomes must be 0 or 1")
    b01, b10 = int(np.count_nonzero((a == 0) & (b == 1))), int(np.count_nonzero((a == 1) & (b == 0)))
    if b01 + b10 == 0:
        return 1.0
    return float(min(1.0, 2 * stats.binom.cdf(min(b01, b10), b01 + b10, 0.5)))


def clopper_pearson(x, n, alpha=ALPHA):
    """(lo, hi): the exact (Clopper-Pearson) interval of a binomial proportion x / n from beta quantiles; it
    never covers less than 1 - alpha, unlike the Wald interval, which collapses to a point at x = 0 or n."""
    if not 0 <= x <= n:
        raise ValueError(f"need 0 <= x <= n, got x={x}, n={n}")
    if n == 0:
        return math.nan, math.nan
    lo = 0.0 if x == 0 else float(stats.beta.ppf(alpha / 2, x, n - x + 1))
    hi = 1.0 if x == n else float(stats.beta.ppf(1 - alpha / 2, x + 1, n - x))
    return lo, hi


def smallest_two_sided_p(n):
    """The smallest exact two-sided sign-flip (or signed-rank) p with n pairs: only the observed pattern and
    its negation are as extreme. A comparison at a level below it can never reach a verdict."""
    return 2.0 ** (1 - n)


def decision_power_effect(n, level, power=0.8):
    """Minimal detectable effect delta*, in SDs of the paired differences, of the report's decision rule: a
    favourable verdict needs both the exact two-sided sign-flip p <= level and the two-sided Student-t interval
    at 1 - level wholly above 0. Found by bisection (to 1e-3) on simulated differences N(delta, 1), the same
    POWER_SIMULATIONS standard-normal draws shifted for every delta, so the power curve is monotone in the
    t part and nearly so overall. Sign patterns are enumerated for n <= 12; beyond, a fixed set of 4096 random
    ones (more when level is small) approximates the sign-flip p, for this power simulation only. Memoised.
    NaN when even a huge effect cannot reach the verdict (smallest_two_sided_p(n) > level)."""
    if not 0 < power < 1:
        raise ValueError(f"power must be in (0, 1), got {power}")
    return _decision_power_effect(int(n), round(float(level), 12), float(power))


def _power_patterns(n, level):
    """(patterns, exact): half of the 2^n patterns (first sign fixed at +1; |S| is the same for a pattern and
    its negation, so counts double) when exact, else fixed random ones, enough that a p <= level is resolved."""
    if n <= POWER_EXACT_MAX_N:
        half = _sign_patterns(n - 1, 0, 1 << (n - 1))
        return np.hstack([np.ones((len(half), 1)), half]), True
    count = max(POWER_RANDOM_PATTERNS, math.ceil(POWER_MIN_EXCEEDANCES / level))
    return 1.0 - 2.0 * np.random.default_rng(POWER_SEED + 1).integers(0, 2, size=(count, n)), False


def _verdicts(z, delta, patterns, exact, level, t_margin):
    """Which simulated comparisons (rows of z + delta) reach the favourable verdict. The t interval is above 0
    iff delta > t_margin (the SD does not change with the shift); only those rows need the sign-flip p."""
    passed = delta > t_margin
    rows = np.flatnonzero(passed)
    step = max(1, POWER_CHUNK_ENTRIES // len(patterns))
    for start in range(0, len(rows), step):
        chosen = rows[start:start + step]
        x = z[chosen] + delta
        extreme = _extreme(patterns @ x.T, x.sum(axis=1), TIE_TOLERANCE * np.abs(x).sum(axis=1), "two-sided")
        count = np.count_nonzero(extreme, axis=0)
        p = 2 * count / 2 ** patterns.shape[1] if exact else (count + 1) / (len(patterns) + 1)
        passed[chosen] = p <= level
    return passed


@functools.lru_cache(maxsize=None)
def _decision_power_effect(n, level, power):
    if n < 2 or smallest_two_sided_p(n) > level:
        return math.nan
    z = np.random.default_rng(POWER_SEED).standard_normal((POWER_SIMULATIONS, n))
    t_margin = stats.t.ppf(1 - level / 2, n - 1) * z.std(axis=1, ddof=1) / math.sqrt(n) - z.mean(axis=1)
    patterns, exact = _power_patterns(n, level)

    def reached(delta):
        return np.mean(_verdicts(z, delta, patterns, exact, level, t_margin)) >= power

    lo, hi = 0.0, 1.0
    while not reached(hi):
        lo, hi = hi, 2 * hi
        if hi > POWER_MAX_EFFECT:
            return math.nan
    while hi - lo > POWER_TOLERANCE:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if reached(mid) else (mid, hi)
    return hi
