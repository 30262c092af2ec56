"""The cross-replicate bands: each row's quantiles and mean over the ensemble, exactly.

Exact order statistics by histogram selection over the doubles' bits (see :func:`bands`), then
interpolated as numpy's default 'linear' method does.
"""

from __future__ import annotations

import numpy as np


def _select(a, lo, hi, k):
    """Partially order a[lo:hi] in place so that a[k] holds its order statistic (quickselect, Hoare partition)."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        x, y, z = a[lo], a[mid], a[hi - 1]
        # Median of three as pivot.
        pivot = y if (x <= y <= z or z <= y <= x) else (x if (y <= x <= z or z <= x <= y) else z)
        i, j = lo, hi - 1
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j + 1
        elif k >= i:
            lo = i
        else:
            return


BUCKETS = 2048  # most histogram buckets of the bands' selection (fewer for fewer values: see _buckets_for)
SMALL = 48  # a bucket this small is ordered by quickselect rather than split again
_SIGN = np.uint64(1) << np.uint64(63)
_ONES = ~np.uint64(0)
_ZERO, _ONE = np.uint64(0), np.uint64(1)


def _key(u):
    """A double's bits (as uint64) made an unsigned integer in the doubles' own order.

    Positive doubles get the sign bit set, negative ones have every bit flipped. Buckets of equal
    width in this key are roughly equal ratios of the value (a few per power of two), so heavy-tailed
    rows (costs of 10 to 10 million dollars) spread over many buckets where equal-width value
    buckets would put nearly all of them in the first.
    """
    return u ^ (_ONES if u & _SIGN else _SIGN)


def _buckets_for(m):
    """Buckets for m values: about one per four values, a power of two from 16 to BUCKETS.

    Zeroing and summing the counts costs per bucket, so small ensembles (and small regions being
    split again) use few.
    """
    nb = 16
    while nb < BUCKETS and 4 * nb < m:
        nb *= 2
    return nb


def _bucket(u, base, shift, top):
    """The bucket of a middle value's bits (the row's minimum and maximum land anywhere: callers skip them)."""
    k = _key(u)
    k = k if k > base else base  # a select, then an unconditional shift: the loop stays free of branches
    b = (k - base) >> shift
    return b if b < top else top


def _from_key(k):
    """The double whose :func:`_key` is k."""
    u = k ^ _SIGN if k & _SIGN else ~k
    return np.array([u]).view(np.float64)[0]


def _range(row):
    """Minimum, maximum and sum of a row, then the keys of the minimum and maximum.

    The extremes are taken over the values' keys (:func:`_key`: integers in the doubles' order),
    whose minimum and maximum LLVM vectorises where those of doubles stay scalar; the sum runs in
    four interleaved running values (so the loop pipelines), which fixes the mean's summation order.
    """
    n = row.shape[0]
    bits = row.view(np.uint64)
    k_lo = _key(bits[0])
    k_hi = k_lo
    for j in range(n):
        k = _key(bits[j])
        k_lo = k if k < k_lo else k_lo
        k_hi = k if k > k_hi else k_hi
    s0, s1, s2, s3 = 0.0, 0.0, 0.0, 0.0
    j = 0
    while j + 4 <= n:
        s0 += row[j]
        s1 += row[j + 1]
        s2 += row[j + 2]
        s3 += row[j + 3]
        j += 4
    while j < n:
        s0 += row[j]
        j += 1
    return _from_key(k_lo), _from_key(k_hi), (s0 + s1) + (s2 + s3), k_lo, k_hi


def _mid_range(row, k_lo, k_hi):
    """The keys of the smallest value above the minimum and of the largest below the maximum.

    k_lo and k_hi are the minimum's and maximum's keys; where there is no such value, k_hi and k_lo.
    """
    bits = row.view(np.uint64)
    m_lo, m_hi = k_hi, k_lo
    for j in range(row.shape[0]):  # integer minimum and maximum: vectorised
        k = _key(bits[j])
        x = k if k != k_lo else k_hi
        m_lo = x if x < m_lo else m_lo
        y = k if k != k_hi else k_lo
        m_hi = y if y > m_hi else m_hi
    return m_lo, m_hi


def _shift(span, nb):
    """The right shift that maps a key span onto nb buckets."""
    shift = _ZERO
    while (span >> shift) >= np.uint64(nb):
        shift += _ONE
    return shift


def _select_keyed(a, begin, size, t, counts):
    """The value of rank t among a[begin:begin + size], which it reorders.

    Splits the region by key buckets, keeps the bucket holding rank t (moved to the front), and so on
    until few values are left; then quickselect.
    """
    bits = a.view(np.uint64)
    while size > SMALL:
        k_lo = _key(bits[begin])
        k_hi = k_lo
        for j in range(begin, begin + size):
            k = _key(bits[j])
            k_lo = k if k < k_lo else k_lo
            k_hi = k if k > k_hi else k_hi
        if k_lo == k_hi:
            return a[begin]
        nb = _buckets_for(size)
        shift = _shift(k_hi - k_lo, nb)
        counts[:nb] = 0
        for j in range(begin, begin + size):
            counts[(_key(bits[j]) - k_lo) >> shift] += 1
        b, below = 0, 0
        while below + counts[b] <= t:
            below += counts[b]
            b += 1
        w = begin
        for j in range(begin, begin + size):
            if (_key(bits[j]) - k_lo) >> shift == b:
                x = a[j]
                a[j] = a[w]
                a[w] = x
                w += 1
        size, t = w - begin, t - below
    _select(a, begin, begin + size, begin + t)
    return a[begin + t]


def band_work(n, n_quantiles):
    """The work arrays :func:`bands` needs for rows of n values: made once per thread, reused row after row."""
    nb = _buckets_for(n)
    return (
        np.zeros(n),  # the values of the buckets gathered (at most a row)
        np.zeros((4, nb + 1), dtype=np.int32),  # four interleaved counts per bucket; zero between rows
        np.zeros(nb + 1, dtype=np.intp),  # each bucket's first rank among the middle values
        np.full(nb + 1, -1, dtype=np.intp),  # where a gathered bucket's values go, or -1; -1 between rows
        np.zeros(n, dtype=np.int32),  # each value's bucket
        np.zeros(2 * n_quantiles, dtype=np.intp),  # the ranks wanted
        np.zeros(2 * n_quantiles, dtype=np.intp),  # their buckets
        np.zeros(2 * n_quantiles),  # their values
        np.zeros(BUCKETS, dtype=np.intp),  # _select_keyed's counts
    )


def bands(stack, positions, fractions, stats, work, first_row, row_step, known):
    """Quantiles (at ascending order-statistic positions, interpolated) and mean of each row of ``stack``.

    ``stats`` receives (len(positions) + 1, rows): the quantiles, then the mean; ``work`` is
    :func:`band_work`'s (one per thread: the rows leave it ready for the next). Exact order
    statistics, interpolated as below + fraction x (above - below), numpy's default 'linear' method.
    Only rows first_row, first_row + row_step, ... are done, so threads can share the rows (each
    with its own work arrays), and of those only rows whose ``known`` is false (the caller has their
    statistics already).

    Per row: one pass for the minimum, maximum and sum (a row whose replicates all agree, a route
    nobody uses, stops there), one for the extremes of the values strictly between (the middle
    values), one counting the minimum and maximum (zero flows, mostly) and the middle values per key
    bucket (see :func:`_key`), then one gathering only the buckets that hold the wanted ranks, which
    are split further or selected (:func:`_select_keyed`). The loops avoid unpredictable branches:
    rows mix zeros and flows at random.
    """
    n_rows, n = stack.shape
    n_q = positions.shape[0]
    n_r = 2 * n_q
    nb = _buckets_for(n)
    top = np.uint64(nb - 1)
    # Bucket nb holds the row's minimum and maximum values: counted apart, never gathered. Four
    # interleaved counts per bucket, so that equal buckets in a row do not stall on each other.
    scratch, lanes, first, where, code, ranks, bucket, values, counts = work
    for i in range(first_row, n_rows, row_step):
        if known[i]:
            continue
        row = stack[i]
        lo, hi, total, k_lo, k_hi = _range(row)
        stats[n_q, i] = total / n
        if lo == hi:
            for q in range(n_q):
                stats[q, i] = lo
            continue
        bits = row.view(np.uint64)
        base, mid_hi = _mid_range(row, k_lo, k_hi)  # keys
        shift = _shift(mid_hi - base if base <= mid_hi else _ZERO, nb)
        n_lo, n_hi = 0, 0
        for j in range(n):  # no branches and no scattered writes: vectorised
            x = row[j]
            at_lo, at_hi = x == lo, x == hi
            n_lo += at_lo
            n_hi += at_hi
            code[j] = nb if at_lo | at_hi else _bucket(bits[j], base, shift, top)
        for j in range(n):
            lanes[j & 3, code[j]] += 1
        m = n - n_lo - n_hi
        start = 0
        for b in range(nb):  # the buckets' first ranks, leaving the counts at zero for the next row
            first[b] = start
            start += lanes[0, b] + lanes[1, b] + lanes[2, b] + lanes[3, b]
            lanes[0, b], lanes[1, b], lanes[2, b], lanes[3, b] = 0, 0, 0, 0
        lanes[0, nb], lanes[1, nb], lanes[2, nb], lanes[3, nb] = 0, 0, 0, 0
        first[nb] = m
        for q in range(n_q):
            k = positions[q]
            ranks[2 * q] = k - n_lo
            ranks[2 * q + 1] = (k + 1 if k + 1 < n else k) - n_lo
        end, gather = 0, False
        for r in range(n_r):
            t = ranks[r]
            bucket[r] = -1
            if t < 0 or t >= m:
                continue
            left, right = 0, nb  # the bucket holding rank t: the last whose first rank is <= t
            while right - left > 1:
                mid = (left + right) // 2
                if first[mid] <= t:
                    left = mid
                else:
                    right = mid
            bucket[r] = left
            if where[left] < 0:
                where[left] = end
                end += first[left + 1] - first[left]
                gather = True
        if gather:
            for j in range(n):
                b = code[j]
                if where[b] >= 0:  # rarely true, so the branch predicts well (never for the minimum and maximum)
                    scratch[where[b]] = row[j]
                    where[b] += 1
        for r in range(n_r):
            t, b = ranks[r], bucket[r]
            if t < 0:
                values[r] = lo
            elif t >= m:
                values[r] = hi
            else:
                size = first[b + 1] - first[b]
                values[r] = _select_keyed(scratch, where[b] - size, size, t - first[b], counts)
        for r in range(n_r):
            if bucket[r] >= 0:
                where[bucket[r]] = -1
        for q in range(n_q):
            below, above = values[2 * q], values[2 * q + 1]
            stats[q, i] = below + fractions[q] * (above - below)
