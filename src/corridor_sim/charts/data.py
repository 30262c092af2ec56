"""Chart-ready tables derived from a run's files: DataFrames in, DataFrames out, nothing drawn.

Each chart plots exactly the numbers in the table it is given; these functions
make those tables from ``bands.parquet``, ``summary.csv``, ``events.parquet``
and, when a run kept them, ``timeseries.parquet`` and ``actors.parquet``.
They live by subject in :mod:`~corridor_sim.charts.data_time` (series over
time), :mod:`~corridor_sim.charts.data_routes` (totals per route, the map's
flows and queues) and :mod:`~corridor_sim.charts.data_levers` (lever paths,
the policy timeline, rules' shares); they are imported here too, so
``from corridor_sim.charts.data import route_series`` keeps working.
"""

from __future__ import annotations

from corridor_sim.charts.data_levers import lever_paths, policy_timeline, rule_shares
from corridor_sim.charts.data_routes import capacity_queues, route_distribution, route_intervals, segment_flows
from corridor_sim.charts.data_time import (
    BAND_COLUMNS,
    QUANTILES,
    destination_cumulative,
    route_series,
    route_share,
    start_date_of,
)

__all__ = [
    "BAND_COLUMNS",
    "QUANTILES",
    "capacity_queues",
    "destination_cumulative",
    "lever_paths",
    "policy_timeline",
    "route_distribution",
    "route_intervals",
    "route_series",
    "route_share",
    "rule_shares",
    "segment_flows",
    "start_date_of",
]
