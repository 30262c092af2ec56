"""The interdiction draw: Binomial(n, p) by inverting its CDF at one uniform u (``kernels.binomial._binomial``).

The draw must return the k with CDF(k - 1) < u <= CDF(k), allowing either neighbour where u lies
within 1e-9 (relative) of a jump, for every n up to 10^8, every p in [0, 1] and u down to 1e-300
and up to 1 - 1e-16; compiled and plain Python must agree exactly; and a model run with many loads
per leg must lose the share of cargo the leg probabilities say, not all of it (the draw used to
start from P(k = 0) = (1 - p)^n, which underflows once n * -ln(1 - p) passes about 745).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.stats import binom

from corridor_sim import CorridorModel, kernels
from corridor_sim.kernels.binomial import _binomial
from corridor_sim.kernels.compile import _compiled

TOL = 1e-9
NS = (1, 2, 7, 50, 745, 7100, 10**5, 10**6, 10**8)
PS = (0.0, 1e-12, 1e-6, 0.001, 0.02, 0.1, 0.5, 0.9, 0.999, 1 - 1e-9, 1.0)
US = (1e-300, 1e-12, 1e-6, 0.01, 0.3, 0.5, 0.7, 0.99, 1 - 1e-9, 1 - 1e-16)


def _reach(n: int, p: float) -> tuple[int, int]:
    """The mode, and how far past it the probabilities no longer count (twelve standard deviations)."""
    return math.floor((n + 1) * p), int(12 * math.sqrt(n * p * (1 - p))) + 60


def _pmf_sum(n: int, p: float, first: int, last: int) -> float:
    return math.fsum(binom.pmf(np.arange(first, last + 1, dtype=float), n, p))


# scipy's binom.pmf is accurate to about 1e-11 relative even 37 standard deviations from the mean,
# while its binom.cdf and binom.sf are off by up to 1e-7 at n = 10^8 and binom.cdf underflows to 0
# below about 1e-290: the tails are summed from the probabilities (exactly, with math.fsum).
def _cdf(n: int, p: float, k: int) -> float:
    """P(X <= k)."""
    mode, reach = _reach(n, p)
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    if k > mode + reach:
        return 1.0 - _sf(n, p, k)
    return _pmf_sum(n, p, max(0, min(k, mode) - reach), k)


def _sf(n: int, p: float, k: int) -> float:
    """P(X > k)."""
    mode, reach = _reach(n, p)
    if k >= n:
        return 0.0
    if k < 0:
        return 1.0
    if k + 1 < mode - reach:
        return 1.0 - _cdf(n, p, k)
    return _pmf_sum(n, p, k + 1, min(n, max(k + 1, mode) + reach))


def _is_inverse(n: int, p: float, u: float, k: float) -> bool:
    """Whether k = F^-1(u), within TOL of a jump: the lower tail against u, or the upper tail against 1 - u.

    Comparing the tail on u's own side keeps the check sharp at u = 1e-300 and at u = 1 - 1e-16
    (1 - u is exact for u >= 1/2).
    """
    k = int(k)
    if not 0 <= k <= n:
        return False
    if u <= 0.5:
        return _cdf(n, p, k) >= u * (1 - TOL) and _cdf(n, p, k - 1) < u * (1 + TOL)
    return _sf(n, p, k) <= (1 - u) * (1 + TOL) and _sf(n, p, k - 1) > (1 - u) * (1 - TOL)


def _grid() -> list[tuple[int, float, float]]:
    random_us = np.random.default_rng(20240611).random(6).tolist()
    return list(itertools.product(NS, PS, US + tuple(random_us)))


def test_binomial_draw_inverts_the_cdf_over_the_extremes_of_n_p_and_u():
    """Over n up to 10^8, p from 0 to 1 and u from 1e-300 to 1 - 1e-16, the draw is the CDF's inverse at u."""
    wrong = [(n, p, u, k) for n, p, u in _grid() if not _is_inverse(n, p, u, k := _binomial(float(n), p, u))]
    assert not wrong, f"{len(wrong)} draws are not F^-1(u), e.g. (n, p, u, k) = {wrong[:5]}"


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # scipy's own search fails to bracket in the far tails
def test_binomial_draw_agrees_with_scipy_ppf():
    """The draw equals ``scipy.stats.binom.ppf``, or is its neighbour with u within TOL of the jump between them.

    Where scipy's own quantile is not F^-1(u) it is not a reference: at u = 1 - 1e-16 it is off
    by up to several hundred loads at n = 10^8 (its CDF rounds to 1 there), and below about
    1e-290 its CDF underflows (n = 7,100, p = 0.1, u = 1e-300 gives 38 for 12). Those points are
    checked against the summed probabilities above; the test requires most of the grid to be compared.
    """
    grid = _grid()
    draws = np.array([_binomial(float(n), p, u) for n, p, u in grid])
    n, p, u = (np.array(column) for column in zip(*grid, strict=True))
    reference = binom.ppf(u, n, p)
    compared, wrong = 0, []
    for (n_, p_, u_), k, ref in zip(grid, draws, reference, strict=True):
        if not _is_inverse(n_, p_, u_, ref):
            continue
        compared += 1
        if k != ref and not (abs(k - ref) == 1 and _is_inverse(n_, p_, u_, k)):
            wrong.append((n_, p_, u_, k, ref))
    assert not wrong, f"draws differ from scipy's ppf: (n, p, u, draw, ppf) = {wrong[:5]}"
    assert compared > 0.9 * len(grid)


def test_the_issues_direct_call_loses_about_a_tenth_of_the_loads():
    """n = 7,100 loads at p = 0.1: (1 - p)^n underflows to 0, yet the draw is near 710, not 7,100."""
    draws = [_binomial(7100.0, 0.1, u) for u in (0.01, 0.5, 0.99)]
    assert 640 < draws[0] < draws[1] < draws[2] < 780
    assert abs(draws[1] - 710) <= 1


def test_compiled_and_plain_python_draws_agree_exactly():
    """Numba's compiled draw and the plain-Python one return the same k over thousands of (n, p, u).

    n is log-uniform up to 10^8 (standard deviations up to about 2,000 loads, to keep plain Python
    quick), p log-uniform from 1e-12 and mirrored towards 1, u uniform with tails down to 1e-300 and
    up to 1 - 1e-16.
    """
    pytest.importorskip("numba")
    compiled = _compiled()._binomial
    rng = np.random.default_rng(5)
    count = 5000
    n = np.floor(10 ** rng.uniform(0, 8, count))
    p = 10 ** rng.uniform(-12, 0, count)
    p[::3] = 1 - p[::3]
    u = rng.random(count)
    u[::7] = 10 ** rng.uniform(-300, -1, u[::7].size)
    u[::11] = 1 - 10 ** rng.uniform(-16, -1, u[::11].size)
    keep = n * p * (1 - p) < 2000**2
    cases = list(zip(n[keep].tolist(), p[keep].tolist(), u[keep].tolist(), strict=True))
    cases += [(1e8, 0.5, x) for x in (1e-300, 0.3, 0.5, 1 - 1e-16)]
    assert len(cases) > 3500
    differ = [(a, b, c) for a, b, c in cases if compiled(a, b, c) != _binomial(a, b, c)]
    assert not differ, f"{len(differ)} draws differ, e.g. {differ[:5]}"


def _three_legs(make_scenario, days: int) -> dict:
    """The one-route scenario with a third road leg: interdiction 0.02, 0.05, 0.10; 1 t loads; 8,000 t a day."""
    raw = make_scenario(days=days, demand=8000.0, payload=1.0, fleet_count=1e6, leg1_p=0.02, leg2_p=0.05)
    raw["nodes"]["hub2"] = {**raw["nodes"]["hub"], "name": "Second hub", "interdiction_probability": 0.0}
    raw["segments"]["leg2"]["to"] = "hub2"
    raw["segments"]["leg3"] = {**raw["segments"]["leg2"], "from": "hub2", "to": "dest", "interdiction_probability": 0.1}
    raw["routes"]["road"]["segments"] = ["leg1", "leg2", "leg3"]
    return raw


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "plain_python"])
def test_a_route_with_thousands_of_loads_a_day_delivers_the_product_of_survivals(make_scenario, monkeypatch, compiled):
    """8,000 one-ton loads a day over legs of risk 0.02, 0.05, 0.10 deliver 0.98 * 0.95 * 0.90 = 83.8%, not 0%.

    The third leg's 8,000 loads have (0.9)^8000 = e^-843 of all surviving, which underflowed. Cargo
    dispatched on day d is delivered on day d + 3.
    """
    days, replicates = 40, 2
    if not compiled:
        monkeypatch.setattr(CorridorModel, "SMALL_RUN", 10**9)
    elif not kernels.numba_available():
        pytest.skip("numba is not installed")
    model = CorridorModel(_three_legs(make_scenario, days), replicates=replicates, rng=3).run()
    daily = model.timeseries().groupby("day", observed=True)[["dispatched_tons", "delivered_tons"]].sum()
    sent, got = daily["dispatched_tons"].to_numpy()[:-3].sum(), daily["delivered_tons"].to_numpy()[3:].sum()
    expected = 0.98 * 0.95 * 0.90
    se = math.sqrt(expected * (1 - expected) / sent)  # one load per ton
    assert sent > 8000 * replicates * (days - 4)
    assert got / sent == pytest.approx(expected, abs=5 * se)
