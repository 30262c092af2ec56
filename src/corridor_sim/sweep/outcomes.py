"""Per-run scalar outcomes of a sweep, and the trackers that compute some of them while the model runs.

A *run* is one replicate at one design point. Outcomes are chosen by group
in the experiment file (see :data:`GROUPS`); each group expands to named
columns once the scenario's routes and destinations are known:

- totals and per-mode values: ``delivered_tons``, ``delivered_tons:mode:land``;
- per route: ``delivered_tons:route:land_backroads_syria``;
- per destination: ``delivered_tons:dest:syria``, ``share_met:syria``;
- ``land_overtakes_air`` and ``land_overtakes_air_day``: whether (1 or 0)
  and on which day (NaN when it does not) the land routes' combined 7-day
  mean delivery, once the start-up ramp is over (:data:`WARMUP_DAYS`), passes
  the air routes' and stays above for 30 days; computed online by
  :class:`LandOvertakesAir`. The share of runs in which land overtakes air is
  the mean of the first; the day is defined only in those runs.

Quantities are those of one cargo class (the experiment's ``cargo``): cargo
classes are never summed together.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corridor_sim import rates
from corridor_sim.scenario import MODES, Scenario, truncate, validate

if TYPE_CHECKING:
    from corridor_sim.model import CorridorModel

GROUPS: dict[str, str] = {
    "delivered": "total tons delivered, all routes",
    "delivered_by_mode": "tons delivered per mode (air, sea, land)",
    "delivered_by_route": "tons delivered per route",
    "delivered_by_destination": "tons delivered per destination",
    "mode_share": "each mode's share of the tons delivered",
    "interdicted": "tons interdicted, in all and per mode",
    "interdiction_rate": "share of the tons sent lost to interdiction (leg by leg), in all and per mode",
    "cost_per_delivered_ton": "shipper's cost per delivered ton (from one vehicle load delivered), in all and per mode",
    "share_met": "share of demand met (1 where nothing was demanded), in all and per destination",
    "land_overtakes_air_day": (
        "whether (land_overtakes_air: 1 or 0) and on which day (land_overtakes_air_day; NaN: never) land's 7-day "
        "mean delivery is above air's for 30 days, counted from the end of the 60-day warm-up"
    ),
}
ID_COLUMNS = ("point", "replicate", "seed")
RESERVED_COLUMNS = frozenset(ID_COLUMNS) | {"day"}
HOLD_DAYS = 30
MEAN_DAYS = 7
# Land's first deliveries arrive days after air's (trucks are in transit while aircraft already land), so in
# most runs land's 7-day mean passes air's around day 10 whatever the policies: a start-up ramp, not a shift.
# Only an overtaking that starts after this warm-up counts.
WARMUP_DAYS = 60
# Event outcomes: the day column (NaN where the event never happens) -> its 0/1 column (mean: the share of runs).
EVENTS = {"land_overtakes_air_day": "land_overtakes_air"}


@dataclass(frozen=True)
class OutcomeLayout:
    """Which outcome columns a sweep keeps, given the scenario's routes and destinations."""

    groups: tuple[str, ...]
    cargo: str
    routes: tuple[str, ...]
    route_modes: tuple[str, ...]
    destinations: tuple[str, ...]

    @classmethod
    def from_spec(cls, spec: Scenario, *, groups: Sequence[str], cargo: str | None = None) -> OutcomeLayout:
        """The layout for a scenario; ValueError for an unknown group or an ambiguous or unknown cargo."""
        from corridor_sim.network import build_network

        unknown = [g for g in groups if g not in GROUPS]
        if unknown:
            raise ValueError(f"unknown outcome group(s) {', '.join(map(repr, unknown))} (one of {', '.join(GROUPS)})")
        cargo_ids = list(spec.cargo)
        if cargo is None:
            if len(cargo_ids) > 1:
                raise ValueError(
                    f"the scenario has several cargo classes ({', '.join(cargo_ids)}): choose one as cargo"
                )
            cargo = cargo_ids[0]
        elif cargo not in cargo_ids:
            raise ValueError(f"unknown cargo class {cargo!r} (the scenario has {', '.join(cargo_ids)})")
        net = build_network(spec)
        carries = net.route_cargo[:, cargo_ids.index(cargo)]  # only the routes that carry the cargo class
        return cls(
            groups=tuple(dict.fromkeys(groups)),
            cargo=cargo,
            routes=tuple(r for r, c in zip(net.route_ids, carries, strict=True) if c),
            route_modes=tuple(m for m, c in zip(net.route_mode, carries, strict=True) if c),
            destinations=tuple(net.destination_ids),
        )

    @property
    def modes(self) -> tuple[str, ...]:
        """Modes that have at least one route, in the fixed order air, sea, land."""
        return tuple(m for m in MODES if m in self.route_modes)

    def columns(self) -> list[str]:
        """Outcome column names, in table order."""
        modes, cols = self.modes, []
        for group in self.groups:
            if group == "delivered":
                cols.append("delivered_tons")
            elif group == "delivered_by_mode":
                cols += [f"delivered_tons:mode:{m}" for m in modes]
            elif group == "delivered_by_route":
                cols += [f"delivered_tons:route:{r}" for r in self.routes]
            elif group == "delivered_by_destination":
                cols += [f"delivered_tons:dest:{d}" for d in self.destinations]
            elif group == "mode_share":
                cols += [f"delivered_share:mode:{m}" for m in modes]
            elif group in ("interdicted", "interdiction_rate", "cost_per_delivered_ton"):
                stem = {"interdicted": "interdicted_tons"}.get(group, group)
                cols += [stem] + [f"{stem}:mode:{m}" for m in modes]
            elif group == "share_met":
                cols += ["share_met"] + [f"share_met:{d}" for d in self.destinations]
            elif group == "land_overtakes_air_day":
                cols += ["land_overtakes_air", "land_overtakes_air_day"]
        return cols


class LandOvertakesAir:
    """Observer: the first day after the warm-up on which land's 7-day mean delivery passes air's for 30 days.

    Days before :data:`WARMUP_DAYS` are ignored: a spell of "land above air"
    counts from its first day after the warm-up and must last :data:`HOLD_DAYS`
    days from there; the day is that first day. A run in which land already
    leads when the warm-up ends (and keeps the lead for 30 days) gets the
    warm-up's end as its day: land was ahead by then. Keeps a 7-day ring of each replicate's land and
    air deliveries and the day the current spell started; nothing per day is
    kept beyond that. Early days average over the days so far (as the
    model's ``delivered_7d`` metric does).
    """

    def __init__(self, model: CorridorModel, cargo: int, *, warmup: int = WARMUP_DAYS):
        modes = np.asarray(model.net.route_mode)
        self.land, self.air = modes == "land", modes == "air"
        self.cargo = cargo
        self.warmup = warmup
        n = model.n_replicates
        self.ring = np.zeros((MEAN_DAYS, 2, n))
        self.run_start = np.full(n, -1)
        self.found = np.full(n, -1)

    def __call__(self, model: CorridorModel, day: int, flows: Mapping[str, np.ndarray]) -> None:
        got = flows["delivered"][:, :, self.cargo]  # (replicates, routes)
        row = self.ring[day % MEAN_DAYS]
        row[0] = got[:, self.land].sum(axis=1)
        row[1] = got[:, self.air].sum(axis=1)
        mean = self.ring.sum(axis=0) / min(MEAN_DAYS, day + 1)
        above = mean[0] > mean[1]
        self.run_start = np.where(above, np.where(self.run_start < 0, day, self.run_start), -1)
        start = np.maximum(self.run_start, self.warmup)  # the warm-up's days do not count
        hit = (self.found < 0) & above & (day - start + 1 >= HOLD_DAYS)
        self.found[hit] = start[hit]

    def result(self) -> np.ndarray:
        """Per replicate: the day land overtook air for good, NaN when it never did after the warm-up."""
        return np.where(self.found >= 0, self.found, np.nan)


class DailyByMode:
    """Observer: each replicate's daily dispatched, delivered and interdicted tons per mode (for ``daily: true``)."""

    QUANTITIES = ("dispatched", "delivered", "interdicted")

    def __init__(self, model: CorridorModel, cargo: int, modes: Sequence[str]):
        route_mode = np.asarray(model.net.route_mode)
        self.masks = [route_mode == m for m in modes]
        self.modes = tuple(modes)
        self.cargo = cargo
        self.values = np.zeros((model.spec.days, len(self.QUANTITIES), len(modes), model.n_replicates))

    def __call__(self, model: CorridorModel, day: int, flows: Mapping[str, np.ndarray]) -> None:
        for q, name in enumerate(self.QUANTITIES):
            per_route = flows[name][:, :, self.cargo]
            for m, mask in enumerate(self.masks):
                self.values[day, q, m] = per_route[:, mask].sum(axis=1)

    def frame(self, replicates: np.ndarray, rows: slice = slice(None)) -> pd.DataFrame:
        """The daily table of the model's replicates ``rows``, whose indices are ``replicates``."""
        values = self.values[..., rows]
        days, _, _, n = values.shape
        out = {"replicate": np.tile(replicates, days), "day": np.repeat(np.arange(days), n)}
        for q, name in enumerate(self.QUANTITIES):
            for m, mode in enumerate(self.modes):
                out[f"{name}_tons:mode:{mode}"] = values[:, q, m, :].reshape(-1)
        frame = pd.DataFrame(out)
        return frame.sort_values(["replicate", "day"], kind="stable").reset_index(drop=True)


def scenario_for(raw: dict[str, Any], days: int | None, *, source: str) -> Scenario:
    """Validate a raw scenario and set its horizon (dropping timed changes after a shortened one)."""
    spec = validate(raw, source)
    if days is not None and days != spec.days:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            spec, _ = truncate(spec, days)
    return spec


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.full(np.shape(num), np.nan), where=den > 0)


def _pivot(frame: pd.DataFrame, key: str, order: Sequence[str], column: str) -> np.ndarray:
    """(replicates, len(order)) array of one column of a per-replicate table."""
    table = frame.pivot(index="replicate", columns=key, values=column)
    return table.reindex(columns=list(order)).to_numpy(dtype=float)


def compute_outcomes(
    model: CorridorModel, layout: OutcomeLayout, overtake: LandOvertakesAir | None
) -> dict[str, np.ndarray]:
    """Each outcome column's value per replicate, from the model's summary and destination tables."""
    summary = model.summary()
    summary = summary[summary["cargo"] == layout.cargo]
    got = _pivot(summary, "route", layout.routes, "delivered_tons")
    lost = _pivot(summary, "route", layout.routes, "interdicted_tons")
    cost = _pivot(summary, "route", layout.routes, "cost_usd")
    sent = _pivot(summary, "route", layout.routes, "dispatched_tons")
    rate = _pivot(summary, "route", layout.routes, "interdiction_rate")
    load = _pivot(summary, "route", layout.routes, "vehicle_load_tons")
    dest = model.destinations()
    dest = dest[dest["cargo"] == layout.cargo]
    dest_got = _pivot(dest, "destination", layout.destinations, "delivered_tons")
    dest_demand = _pivot(dest, "destination", layout.destinations, "demand_tons")
    route_mode = np.asarray(layout.route_modes)
    masks = {m: route_mode == m for m in layout.modes}
    total_got = got.sum(axis=1)
    out: dict[str, np.ndarray] = {}
    for group in layout.groups:
        if group == "delivered":
            out["delivered_tons"] = total_got
        elif group == "delivered_by_mode":
            out.update({f"delivered_tons:mode:{m}": got[:, k].sum(axis=1) for m, k in masks.items()})
        elif group == "delivered_by_route":
            out.update({f"delivered_tons:route:{r}": got[:, i] for i, r in enumerate(layout.routes)})
        elif group == "delivered_by_destination":
            out.update({f"delivered_tons:dest:{d}": dest_got[:, i] for i, d in enumerate(layout.destinations)})
        elif group == "mode_share":
            out.update(
                {f"delivered_share:mode:{m}": _ratio(got[:, k].sum(axis=1), total_got) for m, k in masks.items()}
            )
        elif group == "interdicted":
            out["interdicted_tons"] = lost.sum(axis=1)
            out.update({f"interdicted_tons:mode:{m}": lost[:, k].sum(axis=1) for m, k in masks.items()})
        elif group == "interdiction_rate":
            out["interdiction_rate"] = rates.pooled_interdiction_rate(rate, sent)
            out.update(
                {
                    f"interdiction_rate:mode:{m}": rates.pooled_interdiction_rate(rate[:, k], sent[:, k])
                    for m, k in masks.items()
                }
            )
        elif group == "cost_per_delivered_ton":
            out["cost_per_delivered_ton"] = rates.cost_per_delivered_ton(cost.sum(axis=1), total_got, load.min(axis=1))
            out.update(
                {
                    f"cost_per_delivered_ton:mode:{m}": rates.cost_per_delivered_ton(
                        cost[:, k].sum(axis=1), got[:, k].sum(axis=1), load[:, k].min(axis=1)
                    )
                    for m, k in masks.items()
                }
            )
        elif group == "share_met":
            out["share_met"] = rates.share_met(dest_got.sum(axis=1), dest_demand.sum(axis=1))
            out.update(
                {
                    f"share_met:{d}": rates.share_met(dest_got[:, i], dest_demand[:, i])
                    for i, d in enumerate(layout.destinations)
                }
            )
        elif group == "land_overtakes_air_day":
            assert overtake is not None
            day = overtake.result()
            out["land_overtakes_air"] = np.isfinite(day).astype(float)
            out["land_overtakes_air_day"] = day
    return out


def simulate(
    raw: Mapping[str, Any],
    assignments: Mapping[str, float],
    *,
    seed: int,
    replicates: int,
    days: int | None,
    layout: OutcomeLayout,
    first_replicate: int = 0,
    daily: bool = False,
    source: str = "<sweep>",
) -> tuple[dict[str, np.ndarray], pd.DataFrame | None]:
    """Run one design point's replicates and return its outcome columns (and daily table if asked).

    Args:
        raw: the base scenario as a raw mapping (:func:`corridor_sim.scenario.load_raw`).
        assignments: key path -> value for each varied parameter.
        seed: the design point's seed; replicate i depends only on (seed, i).
        replicates: how many replicates, from ``first_replicate`` on.
        days: the horizon (None: the scenario's).
        layout: which outcomes to compute.
        first_replicate: a multiple of ``streams.BLOCK``.
        daily: also return each replicate's daily tons per mode.
        source: how the scenario is named in error messages.
    """
    from corridor_sim.model import CorridorModel
    from corridor_sim.scenario import set_key_path

    scenario = copy.deepcopy(dict(raw))
    for key_path, value in assignments.items():
        set_key_path(scenario, key_path, value, source)
    spec = scenario_for(scenario, days, source=source)
    model = CorridorModel(
        spec,
        replicates=replicates,
        rng=seed,
        first_replicate=first_replicate,
        keep_daily=False,
        keep_bands=False,
        collect=False,
        threads=1,
    )
    values, by_mode = run_outcomes(model, layout, daily)
    replicate_ids = first_replicate + np.arange(replicates)
    return values, (by_mode.frame(replicate_ids) if by_mode is not None else None)


def run_outcomes(
    model: CorridorModel, layout: OutcomeLayout, daily: bool
) -> tuple[dict[str, np.ndarray], DailyByMode | None]:
    """Run a model to its horizon with the outcome trackers on; each replicate's outcomes, and the daily tracker."""
    cargo = list(model.spec.cargo).index(layout.cargo)
    overtake = LandOvertakesAir(model, cargo) if "land_overtakes_air_day" in layout.groups else None
    by_mode = DailyByMode(model, cargo, layout.modes) if daily else None
    model.observers += [obs for obs in (overtake, by_mode) if obs is not None]
    model.run()
    return compute_outcomes(model, layout, overtake), by_mode
