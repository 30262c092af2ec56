"""The interdiction draw: Binomial(n, p) by inverting its CDF at one uniform (docs/ODD.md).

:func:`_binomial_at` also gives where the uniform fell within the step of the CDF it landed on: a
second uniform, independent of the count drawn, for a draw that depends on it (how many of the
convoys struck were targeted, ODD 7.4.1, and then how many of the loads left were seized at
inspection, ODD 7.4.3), so that one uniform per leg, replicate and day serves them all.
"""

from __future__ import annotations

import math

from corridor_sim.kernels.contract import libm_exp

# The binomial draw's weights are taken relative to the mode's, which is set to 2^900: the terms that
# decide a draw at any u down to the smallest double then stay normal numbers (full precision), and a
# total of up to 2^120 modes' worth cannot overflow.
_MODE_WEIGHT = 2.0**900
# A tail term below this fraction of u (or 1 - u) times the mode's weight is lost in the tail's sum.
_NEGLIGIBLE = 1e-17


def _binomial(n, p, u):
    """Binomial(n, p) by inverting the CDF at u: the smallest k whose CDF reaches u (one uniform per draw)."""
    return _binomial_at(n, p, u)[0]


def _binomial_at(n, p, u):
    """Binomial(n, p) at u, and where u fell within k's step of the CDF: (k, (u - F(k - 1)) / P(k)), F(-1) = 0.

    The position is uniform on [0, 1] and independent of k (given k, u is uniform over its step).
    Where P(k = 0) = (1 - p)^n is a normal double and u is not within 1e-6 of 1, the CDF is summed
    from 0 (few terms: the mean is at most about 700). Elsewhere the sum from 0 would underflow or
    take O(n) terms, and the draw starts from the mode (``_binomial_from_mode``).
    """
    if u <= 0.0 or n <= 0.0 or p <= 0.0:
        return 0.0, u
    if u <= 1.0 - n * p:  # P(k = 0) = (1 - p)^n >= 1 - np: no load lost (the power only for the position)
        return 0.0, _within(u, libm_exp(n * math.log1p(-p)))
    if p >= 1.0:
        return n, u
    log_p0 = n * math.log1p(-p)
    # Below e^-700, P(0) nears the subnormal range (a bit of precision lost per halving); next to u = 1, the
    # rounding of a CDF summed up to nearly 1 could move the answer by several loads, or never reach u.
    if log_p0 < -700.0 or u > 1.0 - 1e-6:
        return _binomial_from_mode(n, p, u)
    pmf = libm_exp(log_p0)  # P(k = 0)
    if u <= pmf:
        return 0.0, u / pmf
    ratio = p / (1.0 - p)
    cdf = pmf
    k = 0.0
    while True:
        k += 1.0
        below = cdf
        pmf *= (n - k + 1.0) / k * ratio
        cdf += pmf
        if not (u > cdf and k < n):
            return k, _within(u - below, pmf)


def _within(offset, step):
    """The share ``offset / step``, kept within [0, 1] (rounding at the step's ends)."""
    x = offset / step if step > 0.0 else 0.5
    return 0.0 if x < 0.0 else (1.0 if x > 1.0 else x)


def _binomial_from_mode(n, p, u):
    """Binomial(n, p) at u in (0, 1), for 0 < p < 1, in O(sqrt(np(1 - p))) steps whatever n (and u's position).

    Each probability is taken relative to the mode's, from ratios of neighbours only: no factorials,
    so nothing underflows, and the compiled and plain-Python kernels agree to the bit (no lgamma,
    whose last bit differs between CPython and libm). Summing outward from the mode until the terms
    no longer count gives the total and the CDF at the mode, which says on which side of the mode
    the answer lies. That side's tail is then summed again from its far end, smallest terms first,
    up to the answer, and compared with u (or 1 - u) times the total: exact to rounding (about 1e-11
    relative at n = 1e8), even for u next to 0 or 1, where a CDF walked from the mode would not be.
    """
    q = 1.0 - p
    up, down = p / q, q / p  # P(k + 1) / P(k) = (n - k) / (k + 1) * up
    mode = float(math.floor((n + 1.0) * p))
    if mode > n:
        mode = n
    cut = _NEGLIGIBLE * _MODE_WEIGHT * u
    w, lower, low = _MODE_WEIGHT, _MODE_WEIGHT, mode
    while low > 0.0 and w >= cut:
        w *= low / (n - low + 1.0) * down
        low -= 1.0
        lower += w
    w_low = w
    cut = _NEGLIGIBLE * _MODE_WEIGHT * (1.0 - u)
    w, upper, high = _MODE_WEIGHT, 0.0, mode
    while high < n and w >= cut:
        w *= (n - high) / (high + 1.0) * up
        high += 1.0
        upper += w
    w_high = w
    total = lower + upper
    if u * total <= lower:
        # At or below the mode: the first k whose lower tail P(X <= k) reaches u.
        target = u * total
        k, w, tail = low, w_low, w_low
        while tail < target and k < mode:
            w *= (n - k) / (k + 1.0) * up
            k += 1.0
            tail += w
        return k, _within(target - (tail - w), w)
    # Above the mode: the last k whose upper tail P(X >= k) exceeds 1 - u (exact for u >= 1/2).
    target = (1.0 - u) * total
    k, w, tail = high, w_high, w_high
    while tail <= target and k > mode + 1.0:
        w *= k / (n - k + 1.0) * down
        k -= 1.0
        tail += w
    return k, _within(tail - target, w)
