"""The rates and ratios the model reports, each defined once and used everywhere it appears.

summary.csv, destinations.csv, the command line's tables, sweep outcomes, comparisons, charts and the
reactive rules' metrics all take these definitions (docs/ODD.md, "Observation", says why each is so):

- **Interdiction rate**: the share of the cargo sent on a route that interdiction takes before it
  arrives, estimated leg by leg (a product-limit estimate, as in life tables): one minus the
  product over the route's legs of (1 - lost on the leg / entered the leg). Cargo still on its way
  at the end of a run has been exposed to its first legs only, and counts only there; the naive
  interdicted / (delivered + interdicted) counts its early losses but not its later deliveries,
  and so overstates the rate (0.19 against a true 0.16 after 10 days in the three-leg test case).
  A route has no rate (NaN) until something has entered each of its legs, unless everything that
  entered some leg was lost (then the rate is 1). Pooled over routes (a mode, all routes), the rate
  is the mean of the routes' rates weighted by the tons sent on each.
- **Cost per delivered ton**: the shipper's cost over the tons delivered, reported only when at
  least one vehicle load (:data:`MIN_LOADS` loads of the route's fleet, its payload as drawn in the
  replicate) was delivered; below that the ratio divides by a remnant and means nothing (NaN, shown
  as "-"). Pooled over routes, the smallest of their vehicle loads is the minimum.
- **Share of demand met**: delivered over demand; 1 where nothing was demanded (nothing is owed).
"""

from __future__ import annotations

import numpy as np

# A cost per delivered ton needs at least this many vehicle loads delivered (on the route, or on the
# smallest-load route of a pool) over the period it covers.
MIN_LOADS = 1.0


def route_interdiction_rate(entered: np.ndarray, lost: np.ndarray, route_leg_start: np.ndarray) -> np.ndarray:
    """Product-limit interdiction rate per route, (legs, ...) arrays -> (routes, ...).

    Args:
        entered: cargo that entered each leg's interdiction draw, legs grouped by route.
        lost: cargo lost in each leg's draw.
        route_leg_start: route k's legs are ``route_leg_start[k]:route_leg_start[k + 1]``, in travel order.
    """
    routes = len(route_leg_start) - 1
    out = np.full((routes, *entered.shape[1:]), np.nan)
    for k in range(routes):
        surviving = np.ones(entered.shape[1:])
        known = np.ones(entered.shape[1:], dtype=bool)
        for leg in range(route_leg_start[k], route_leg_start[k + 1]):
            e, lo = entered[leg], lost[leg]
            seen = e > 0
            share_lost = np.divide(lo, e, out=np.zeros_like(e), where=seen)
            surviving = np.where(seen, surviving * (1.0 - share_lost), surviving)
            # A leg nothing entered leaves the rate unknown, unless nothing could reach it.
            known &= seen | (surviving == 0.0)
        out[k] = np.where(known, 1.0 - surviving, np.nan)
    return out


def pooled_interdiction_rate(rate: np.ndarray, sent: np.ndarray, axis: int = -1) -> np.ndarray:
    """Routes' rates pooled along ``axis``, weighted by the tons sent on each; NaN where no route has a rate."""
    has = ~np.isnan(rate) & (sent > 0)
    weight = np.where(has, sent, 0.0).sum(axis=axis)
    total = np.where(has, np.nan_to_num(rate) * sent, 0.0).sum(axis=axis)
    return np.divide(total, weight, out=np.full(np.shape(weight), np.nan), where=weight > 0)


def cost_per_delivered_ton(cost: np.ndarray, delivered: np.ndarray, load: np.ndarray) -> np.ndarray:
    """Cost over delivered tons where at least :data:`MIN_LOADS` vehicle loads (``load`` tons each) arrived."""
    enough = (delivered > 0) & (delivered >= MIN_LOADS * load)
    return np.divide(cost, delivered, out=np.full(np.shape(delivered), np.nan), where=enough)


def share_met(delivered: np.ndarray, demand: np.ndarray) -> np.ndarray:
    """Delivered over demand; 1 where nothing was demanded."""
    return np.divide(delivered, demand, out=np.ones(np.shape(delivered)), where=demand > 0)
