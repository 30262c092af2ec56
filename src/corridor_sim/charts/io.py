"""Reading a results folder: a single run's files, or a sweep's (found by its manifest.json).

Nothing here draws; :class:`RunResults` holds a run's tables as DataFrames
plus the resolved scenario, and turns the scenario's network into tables
(nodes, segments, routes) the charts can use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

RUN_FILES = ("summary.csv", "destinations.csv", "bands.parquet", "events.parquet", "scenario.resolved.yaml")


class ResultsError(ValueError):
    """A folder that does not hold readable results (the message says what is wrong)."""


def is_sweep(folder: str | Path) -> bool:
    return (Path(folder) / "manifest.json").is_file()


def is_run(folder: str | Path) -> bool:
    return (Path(folder) / "summary.csv").is_file() or (Path(folder) / "bands.parquet").is_file()


def _read(path: Path, reader: Any, **kwargs: Any) -> pd.DataFrame:
    try:
        return reader(path, **kwargs)
    except Exception as err:  # a truncated or foreign file: say which
        raise ResultsError(f"{path}: cannot be read ({type(err).__name__}: {err})") from None


@dataclass
class RunResults:
    """A single run's results folder (what ``corridor-sim run --out`` writes)."""

    folder: Path
    summary: pd.DataFrame
    destinations: pd.DataFrame
    bands: pd.DataFrame
    events: pd.DataFrame
    resolved: dict[str, Any]
    _daily: dict[str, pd.DataFrame | None] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ metadata

    @property
    def scenario(self) -> dict[str, Any]:
        return self.resolved.get("scenario", {})

    @property
    def name(self) -> str:
        return str(self.scenario.get("name", self.folder.name))

    @property
    def seed(self) -> int | None:
        return self.resolved.get("seed")

    @property
    def replicates(self) -> int:
        reps = self.resolved.get("replicates")
        return int(reps) if reps is not None else int(self.summary["replicate"].nunique())

    @property
    def version(self) -> str | None:
        return self.resolved.get("corridor_sim_version")

    @property
    def footer(self) -> str:
        from corridor_sim.charts.style import footer_text

        return footer_text(scenario=self.name, replicates=self.replicates, seed=self.seed, version=self.version)

    @property
    def cargo_ids(self) -> list[str]:
        return list(dict.fromkeys(self.summary["cargo"].astype(str)))

    # ------------------------------------------------------------------ optional daily tables

    def _optional(self, name: str) -> pd.DataFrame | None:
        if name not in self._daily:
            path = self.folder / name
            self._daily[name] = _read(path, pd.read_parquet) if path.is_file() else None
        return self._daily[name]

    @property
    def timeseries(self) -> pd.DataFrame | None:
        """timeseries.parquet, or None for a run made with --no-daily."""
        return self._optional("timeseries.parquet")

    @property
    def actors(self) -> pd.DataFrame | None:
        """actors.parquet (each lever's value per replicate and day), or None."""
        return self._optional("actors.parquet")

    # ------------------------------------------------------------------ the network as tables

    @cached_property
    def nodes(self) -> pd.DataFrame:
        return network_tables(self.scenario)[0]

    @cached_property
    def segments(self) -> pd.DataFrame:
        return network_tables(self.scenario)[1]

    @cached_property
    def routes(self) -> pd.DataFrame:
        routes = network_tables(self.scenario)[2]
        modes = self.summary.drop_duplicates("route").set_index("route")["mode"].astype(str)
        routes["mode"] = [modes.get(r, m) for r, m in zip(routes["route"], routes["mode"], strict=True)]
        return routes

    @cached_property
    def levers(self) -> pd.DataFrame:
        return lever_table(self.scenario)


def read_results(folder: str | Path) -> RunResults:
    """Read a run's results folder; :class:`ResultsError` names what is missing or unreadable."""
    from corridor_sim.yamlfile import YamlProblem, load_yaml, read_text

    folder = Path(folder)
    if not folder.exists():
        raise ResultsError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise ResultsError(f"{folder}: not a folder")
    missing = [name for name in RUN_FILES if not (folder / name).is_file()]
    if missing:
        raise ResultsError(
            f"{folder}: not a corridor-sim results folder (missing {', '.join(missing)}); "
            "make one with: corridor-sim run SCENARIO --out FOLDER"
        )
    try:
        resolved = load_yaml(read_text(folder / "scenario.resolved.yaml"))
    except (OSError, YamlProblem) as err:
        raise ResultsError(f"{folder / 'scenario.resolved.yaml'}: cannot be read ({err})") from None
    if not isinstance(resolved, dict) or not isinstance(resolved.get("scenario"), dict):
        raise ResultsError(f"{folder / 'scenario.resolved.yaml'}: has no 'scenario:' section")
    return RunResults(
        folder=folder,
        summary=_read(folder / "summary.csv", pd.read_csv),
        destinations=_read(folder / "destinations.csv", pd.read_csv),
        bands=_read(folder / "bands.parquet", pd.read_parquet),
        events=_read(folder / "events.parquet", pd.read_parquet),
        resolved=resolved,
    )


def network_tables(scenario: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(nodes, segments, routes) of a resolved scenario as DataFrames.

    nodes: node, name, lat, lon, kind, controller. segments: segment, from_node, to_node,
    mode, label, capacity (True when the segment has a daily capacity). routes:
    route, mode, label, destination, segments (a list), in scenario order.
    """
    nodes = pd.DataFrame(
        [
            {
                "node": nid,
                "name": n.get("name", nid),
                "lat": n.get("lat"),
                "lon": n.get("lon"),
                "kind": n.get("kind", ""),
                "controller": n.get("controller", ""),
                "capacity": n.get("capacity_tons_per_day") is not None,
            }
            for nid, n in scenario.get("nodes", {}).items()
        ],
        columns=["node", "name", "lat", "lon", "kind", "controller", "capacity"],
    )
    segments = pd.DataFrame(
        [
            {
                "segment": sid,
                "from_node": s.get("from"),
                "to_node": s.get("to"),
                "mode": s.get("mode", ""),
                "label": s.get("label", ""),
                "capacity": s.get("capacity_tons_per_day") is not None,
            }
            for sid, s in scenario.get("segments", {}).items()
        ],
        columns=["segment", "from_node", "to_node", "mode", "label", "capacity"],
    )
    seg_to = dict(zip(segments["segment"], segments["to_node"], strict=True))
    dest_of_node = {d.get("node"): did for did, d in scenario.get("destinations", {}).items()}
    fleets = scenario.get("fleets", {})
    routes = pd.DataFrame(
        [
            {
                "route": rid,
                "mode": r.get("mode") or fleets.get(r.get("fleet"), {}).get("mode", ""),
                "label": r.get("label") or rid,
                "destination": dest_of_node.get(seg_to.get(r["segments"][-1]), ""),
                "segments": list(r.get("segments", [])),
            }
            for rid, r in scenario.get("routes", {}).items()
        ],
        columns=["route", "mode", "label", "destination", "segments"],
    )
    return nodes, segments, routes


def _number(value: Any) -> float | None:
    """A lever's start value as a number (a distribution's mode or mean, when it has one)."""
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dict):
        for key in ("mode", "mean", "value"):
            if isinstance(value.get(key), (int, float)):
                return float(value[key])
        if isinstance(value.get("low"), (int, float)) and isinstance(value.get("high"), (int, float)):
            return 0.5 * (value["low"] + value["high"])
    return None


def lever_table(scenario: dict[str, Any]) -> pd.DataFrame:
    """Every lever: actor, lever, label, value (start), min, max, unit, cost_usd_per_day, adaptive."""
    rows = []
    for actor, a in scenario.get("actors", {}).items():
        for lever, spec in a.get("levers", {}).items():
            rows.append(
                {
                    "actor": actor,
                    "lever": lever,
                    "label": spec.get("label") or lever.replace("_", " "),
                    "value": _number(spec.get("value")),
                    "min": float(spec.get("min", 0.0)),
                    "max": float(spec.get("max", 1.0)),
                    "unit": spec.get("unit", ""),
                    "cost_usd_per_day": float(spec.get("cost_usd_per_day", 0.0)),
                    "adaptive": spec.get("adaptive") is not None,
                }
            )
    columns = ["actor", "lever", "label", "value", "min", "max", "unit", "cost_usd_per_day", "adaptive"]
    return pd.DataFrame(rows, columns=columns)


def timeline_table(scenario: dict[str, Any]) -> pd.DataFrame:
    """The scenario's timed changes: id, actor, lever, day or date, set / ramp_to, ramp_days, label."""
    rows = []
    for actor, a in scenario.get("actors", {}).items():
        for cid, c in a.get("timeline", {}).items():
            rows.append({"id": cid, "actor": actor, **c})
    columns = ["id", "actor", "lever", "day", "date", "set", "ramp_to", "ramp_days", "label"]
    frame = pd.DataFrame(rows)
    for c in columns:
        if c not in frame:
            frame[c] = None
    return frame[columns]


def rule_table(scenario: dict[str, Any]) -> pd.DataFrame:
    """The scenario's reactive rules: rule, label, metric, above, below, probability, actions (text)."""
    rows = []
    for rid, r in scenario.get("rules", {}).items():
        when = r.get("when", {})
        rows.append(
            {
                "rule": rid,
                "label": r.get("label") or rid,
                "metric": when.get("metric", ""),
                "above": when.get("above"),
                "below": when.get("below"),
                "probability": _number(r.get("probability", 1.0)),
                "actions": "; ".join(f"{t['actor']}.{t['lever']} = {t['set']:g}" for t in r.get("then", [])),
            }
        )
    return pd.DataFrame(rows, columns=["rule", "label", "metric", "above", "below", "probability", "actions"])


# ----------------------------------------------------------------------------- sweeps


@dataclass
class SweepResults:
    """A sweep's results folder: manifest.json, design.parquet, outcomes/ and, after ``analyze``, analysis/*.csv."""

    folder: Path
    manifest: dict[str, Any]
    outcomes: pd.DataFrame
    analysis: dict[str, pd.DataFrame]
    design: pd.DataFrame | None = None  # the design points (None for a folder without design.parquet)

    @property
    def name(self) -> str:
        exp = self.manifest.get("experiment")
        name = self.manifest.get("name") or (exp.get("name") if isinstance(exp, dict) else None)
        return str(name or self.folder.name)

    @property
    def seed(self) -> int | None:
        seed = self.manifest.get("seed")
        if seed is None and isinstance(self.manifest.get("experiment"), dict):
            seed = self.manifest["experiment"].get("seed")
        return seed

    @property
    def version(self) -> str | None:
        return self.manifest.get("corridor_sim_version") or self.manifest.get("version")

    @property
    def replicates(self) -> int | None:
        reps = self.manifest.get("replicates")
        if reps is None and isinstance(self.manifest.get("experiment"), dict):
            reps = self.manifest["experiment"].get("replicates")
        return reps

    @property
    def footer(self) -> str:
        from corridor_sim.charts.style import footer_text

        reps = self.replicates
        parts = [f"Sweep {self.name}"]
        if isinstance(reps, int):
            parts.append(f"{reps:,} replicates per design point")
        return " · ".join(parts + [footer_text(seed=self.seed, version=self.version)])


def read_sweep(folder: str | Path) -> SweepResults:
    """Read a sweep's results folder; :class:`ResultsError` if it has no manifest or no outcomes."""
    from corridor_sim.sweep.analyze import AnalysisError, read_manifest, read_outcomes

    folder = Path(folder)
    if not (folder / "manifest.json").is_file():
        raise ResultsError(f"{folder}: not a sweep results folder (no manifest.json)")
    try:  # the same checks as analyze: a manifest of the right shape, every chunk file as recorded
        manifest = read_manifest(folder)
        outcomes = read_outcomes(folder, manifest)
    except AnalysisError as err:
        raise ResultsError(str(err)) from None
    analysis = {}
    for csv in sorted((folder / "analysis").glob("*.csv")):
        analysis[csv.stem] = _read(csv, pd.read_csv)
    design_path = folder / "design.parquet"
    design = _read(design_path, pd.read_parquet) if design_path.is_file() else None
    return SweepResults(folder=folder, manifest=manifest, outcomes=outcomes, analysis=analysis, design=design)
