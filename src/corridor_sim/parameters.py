"""What a user can set in a scenario: its levers and the flat override names, with their ranges.

:func:`levers` lists every lever of a scenario (actor, label, range, start value, unit, money
cost); :func:`overrides` lists every flat name that ``--set`` and ``CorridorModel(**overrides)``
accept, taken from :func:`corridor_sim.scenario.flat_names` (the table the overrides are resolved
by), with the key path it sets, its value in the scenario and its range where the schema gives one.
``corridor-sim params`` prints both (:func:`describe`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from corridor_sim.distributions import support_of
from corridor_sim.scenario import Scenario, flat_names, load_scenario


@dataclass(frozen=True)
class LeverInfo:
    ref: str  # actor.lever
    label: str
    low: float
    high: float
    value: Any  # the start value: a number or a distribution
    unit: str
    cost_usd_per_day: float


@dataclass(frozen=True)
class OverrideInfo:
    name: str  # the flat name
    key_path: str
    value: Any  # the scenario's value at the key path (None: the file leaves it at no value)
    range: str  # e.g. "[0, 1]", ">= 1", or "" where the schema sets no bound


def levers(spec: Scenario) -> list[LeverInfo]:
    """Every lever of a scenario, actor by actor in the file's order."""
    return [
        LeverInfo(
            ref=f"{actor_id}.{lever_id}",
            label=lever.label,
            low=lever.min,
            high=lever.max,
            value=lever.value,
            unit=lever.unit,
            cost_usd_per_day=lever.cost_usd_per_day,
        )
        for actor_id, actor in spec.actors.items()
        for lever_id, lever in actor.levers.items()
    ]


def overrides(spec: Scenario) -> list[OverrideInfo]:
    """Every flat override name of a scenario, with the key path it sets, its value and its range."""
    raw = spec.to_dict()
    out = []
    for name, key_path in flat_names(raw).items():
        parts = key_path.split(".")
        if parts[0] == "actors" and parts[-1] == "value":
            lever = spec.actors[parts[1]].levers[parts[3]]
            bounds = f"[{_number(lever.min)}, {_number(lever.max)}]"
        else:
            bounds = _schema_range(parts)
        out.append(OverrideInfo(name, key_path, _value_at(raw, parts), bounds))
    return out


def describe(source: Any = None) -> str:
    """The levers and override names of a scenario (a path, a loaded one, or None: the baseline) as text."""
    spec = load_scenario(source)
    lever_rows = [
        [
            lv.ref,
            f"{_number(lv.low)}–{_number(lv.high)}",
            _value(lv.value),
            lv.unit or "-",
            f"{lv.cost_usd_per_day:,.0f}",
            lv.label,
        ]
        for lv in levers(spec)
    ]
    override_rows = [[o.name, o.key_path, _value(o.value), o.range or "-"] for o in overrides(spec)]
    return "\n".join(
        [
            f"Levers of scenario '{spec.name}' (set one with --set ACTOR_LEVER=VALUE or in a timeline):",
            "",
            _table(["lever", "range", "start", "unit", "cost USD/day", "label"], lever_rows),
            "",
            "Flat names accepted by --set NAME=VALUE (a key path such as segments.ID.FIELD works too):",
            "",
            _table(["name", "key path", "value", "range"], override_rows),
        ]
    )


def _schema_range(parts: list[str]) -> str:
    """The bounds the pydantic schema puts on a key path's field, or '' (map keys are skipped)."""
    tp: Any = Scenario
    field = None
    for part in parts:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(part)
            if field is None:
                return ""
            tp = field.annotation
        elif get_origin(tp) is dict:
            field, tp = None, get_args(tp)[1]
        else:
            return ""
    if field is None:
        return ""
    if get_origin(field.annotation) is Literal:
        return "one of " + ", ".join(str(a) for a in get_args(field.annotation))
    bounds = []
    for item in field.metadata:
        for attr, sign in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")):
            bound = getattr(item, attr, None)
            if bound is not None:
                bounds.append(f"{sign} {_number(bound)}")
    return ", ".join(bounds)


def _value_at(raw: dict[str, Any], parts: list[str]) -> Any:
    node: Any = raw
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _number(x: float) -> str:
    if isinstance(x, float) and math.isfinite(x) and x.is_integer():
        return f"{int(x):,}"
    return f"{x:,}" if isinstance(x, int | float) else str(x)


def _value(value: Any) -> str:
    """A plain value as written, a distribution as its name and its support."""
    if value is None:
        return "-"
    if hasattr(value, "dist"):
        lo, hi = support_of(value)
        return f"{value.dist} on [{_number(lo)}, {_number(hi)}]"
    if isinstance(value, dict) and value.get("dist") == "sample":
        return _sample_text(value)
    if isinstance(value, dict) and "dist" in value:
        return f"{value['dist']} " + ", ".join(f"{k}={_number(v)}" for k, v in value.items() if k != "dist")
    return _number(value) if isinstance(value, int | float) and not isinstance(value, bool) else str(_compact(value))


def _sample_text(value: dict[str, Any]) -> str:
    """A sample (calibrated values) by its size and range, not its hundreds of values."""
    values = value.get("values") or [math.nan]
    return f"sample of {len(values)} in [{_number(min(values))}, {_number(max(values))}]"


def _compact(value: Any) -> Any:
    """A nested value with each sample shown by its size and range (demand phases hold them)."""
    if isinstance(value, dict):
        return _sample_text(value) if value.get("dist") == "sample" else {k: _compact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]]
    return "\n".join(lines)
