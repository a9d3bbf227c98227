"""Confidence bounds for the evaluation reports."""

from __future__ import annotations

from scipy.stats import beta


def miss_rate_upper_bound(misses: int, n: int) -> float:
    """Two-sided 95% Clopper-Pearson upper bound of a proportion misses/n: with 0 misses
    of n it is about 3.7/n, the honest size of "we saw no miss"."""
    return 1.0 if n == 0 else float(beta.ppf(0.975, misses + 1, n - misses))
