"""Cross-reference and range checks of a typed scenario.

Run after pydantic has checked the types: every node, segment, fleet, lever and destination a
scenario names must exist, and every number must lie within its range. Each problem is a
``(key path, message)`` pair, e.g. ``("actors.us.levers.land_surveillance.value", "1.4 is not within [0, 1]")``.
"""

from __future__ import annotations

import difflib
import math

from corridor_sim import effect_kinds
from corridor_sim.distributions import Number, support_of
from corridor_sim.scenario_schema import (
    MAX_DWELL_DAYS,
    METRICS,
    MODES,
    NODE_ATTRIBUTES,
    TERRITORIAL,
    Scenario,
    split_cargo,
)


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _unknown_actor(spec: Scenario, actor: str) -> str:
    """The message for a reference to an actor the scenario does not declare under ``actors``."""
    declared = list(spec.actors)
    known = f"actors declared: {', '.join(declared)}" if declared else "the scenario declares no actors"
    return f"unknown actor {actor!r}" + _suggest(actor, declared) + f"; {known}"


def _controller_problem(spec: Scenario, controller: str) -> str | None:
    """Problem with a node's controller: an actor declared, the shipper's actor or a territorial name."""
    allowed = list(dict.fromkeys([*spec.actors, spec.shipper.actor, *TERRITORIAL]))
    if controller in allowed:
        return None
    return (
        f"unknown actor {controller!r}"
        + _suggest(controller, allowed)
        + f"; a controller is an actor declared under actors ({', '.join(spec.actors) or 'none'}), "
        f"the shipper's actor ({spec.shipper.actor}) or one of {', '.join(TERRITORIAL)}"
    )


def _demand_phases(spec: Scenario, path: str, phases: list) -> list[tuple[str, str]]:
    """Problems with a destination's demand phases: each starts once, the first on day 0, in order."""
    if not phases:
        return [(path, "give at least one phase (or a single daily amount)")]
    p: list[tuple[str, str]] = []
    last = -1
    for j, phase in enumerate(phases):
        pp = f"{path}.{j}"
        p += _in_range(f"{pp}.value", phase.value, 0, float("inf"), ": must not be negative")
        if (phase.day is None) == (phase.date is None):
            p.append((pp, "give exactly one of 'day' or 'date' for the phase's start"))
            continue
        key, day = ("day" if phase.day is not None else "date"), spec.phase_day(phase)
        if j == 0 and day != 0:
            p.append((f"{pp}.{key}", f"the first phase must start on day 0 ({spec.start_date}), not day {day}"))
        elif j > 0 and day <= last:
            p.append((f"{pp}.{key}", f"phases must be in order: day {day} is not after the last phase's day {last}"))
        last = max(last, day)
    return p


def _in_range(path: str, value: Number, low: float, high: float, what: str = "") -> list[tuple[str, str]]:
    lo, hi = support_of(value)
    if math.isnan(lo) or math.isnan(hi):
        return [(path, f"{value} is not a number")]
    if lo < low or hi > high:
        shown = value if not hasattr(value, "dist") else f"{value.dist} with support [{lo}, {hi}]"
        return [(path, f"{shown} is not within [{low}, {high}]{what}")]
    return []


def _lever_ref(spec: Scenario, ref: str) -> str | None:
    """Problem with a lever reference ``actor.lever`` or ``1 - actor.lever``, or None."""
    name = ref.removeprefix("1 -").removeprefix("1-").strip()
    if "." not in name:
        return f"{ref!r} is not 'actor.lever' or '1 - actor.lever'"
    actor, lever = name.split(".", 1)
    if actor not in spec.actors:
        return _unknown_actor(spec, actor)
    if lever not in spec.actors[actor].levers:
        return f"unknown lever {name!r}" + _suggest(lever, list(spec.actors[actor].levers))
    return None


MAX_DELAY_DAYS = 60  # an actor's observation delay: its ring of past observations holds this many days at most


def _decider_problems(aid: str, actor) -> list[tuple[str, str]]:
    """An actor's budget and decision blocks: numbers in range, and an adaptive lever for them to act on."""
    p: list[tuple[str, str]] = []
    adaptive = any(lever.adaptive is not None and lever.effects for lever in actor.levers.values())
    for block in ("budget", "decision"):
        if getattr(actor, block) is not None and not adaptive:
            p.append(
                (
                    f"actors.{aid}.{block}",
                    f"{aid} has no adaptive lever with effects: a {block} acts only on adaptive effort (ODD 7.8-7.9)",
                )
            )
    if actor.budget is not None:
        money = actor.budget.usd_per_day
        p += _in_range(f"actors.{aid}.budget.usd_per_day", money, 0, float("inf"), ": must not be negative")
    if actor.decision is not None:
        p += _in_range(f"actors.{aid}.decision.detection", actor.decision.detection, 0, 1)
        p += _in_range(f"actors.{aid}.decision.delay_days", actor.decision.delay_days, 0, MAX_DELAY_DAYS)
    return p


def check_metric(spec: Scenario, metric: str) -> str | None:
    """Problem with a rule metric string, or None."""
    kind, _, selector = metric.partition(":")
    if kind == "day" and not selector:
        return None
    if kind not in METRICS:
        return f"unknown metric {kind!r} (one of day, {', '.join(METRICS)})"
    if kind == "lever":
        return _lever_ref(spec, selector)
    where, cargo = split_cargo(selector, list(spec.cargo))
    if kind in ("share_met", "backlog"):
        if where not in spec.destinations:
            return f"unknown destination {where!r}" + _suggest(where, list(spec.destinations))
        demanded = list(spec.destinations[where].demand)
        return _one_cargo(metric, demanded) if cargo is None else None
    if where == "all":
        routes = list(spec.routes.values())
    elif where.removeprefix("mode:") in MODES and where.startswith("mode:"):
        routes = [r for r in spec.routes.values() if _route_mode(spec, r) == where[5:]]
    elif where.startswith("route:") and where[6:] in spec.routes:
        routes = [spec.routes[where[6:]]]
    else:
        return (
            f"unknown selector {selector!r}: use all, mode:<air|sea|land> or route:<route id>, then :<cargo> if need be"
        )
    carried = [c for c in spec.cargo if any(c in (r.cargo or spec.cargo) for r in routes)]
    return _one_cargo(metric, carried) if cargo is None else None


def _one_cargo(metric: str, carried: list[str]) -> str | None:
    """Refuse a metric that would add one cargo class's payload tons to another's."""
    if len(carried) <= 1:
        return None
    return (
        f"{metric!r} covers more than one cargo class ({', '.join(carried)}), which are never added up: "
        f"name one at the end, e.g. '{metric}:{carried[0]}'"
    )


def _route_mode(spec: Scenario, route) -> str:
    """A route's mode: its own, else its fleet's."""
    return route.mode or spec.fleets[route.fleet].mode


def check_references(spec: Scenario) -> list[tuple[str, str]]:
    """Every cross-reference and range problem in a typed scenario."""
    p: list[tuple[str, str]] = []
    for cid, cargo in spec.cargo.items():
        p += _in_range(f"cargo.{cid}.value_usd_per_ton", cargo.value_usd_per_ton, 0, float("inf"))
        p += _in_range(
            f"cargo.{cid}.reservation_cost_usd_per_ton",
            cargo.reservation_cost_usd_per_ton,
            0,
            float("inf"),
            ": must not be negative",
        )
        if cargo.urgency_usd_per_ton_day is not None:
            key, value = f"cargo.{cid}.urgency_usd_per_ton_day", cargo.urgency_usd_per_ton_day
            p += _in_range(key, value, 0, float("inf"), ": must not be negative")
    for nid, node in spec.nodes.items():
        problem = _controller_problem(spec, node.controller)
        if problem:
            p.append((f"nodes.{nid}.controller", problem))
        p += _in_range(f"nodes.{nid}.interdiction_probability", node.interdiction_probability, 0, 1)
        if node.capacity_tons_per_day is not None:
            p += _in_range(
                f"nodes.{nid}.capacity_tons_per_day",
                node.capacity_tons_per_day,
                0,
                float("inf"),
                ": a capacity cannot be negative",
            )
        if node.storage is not None:
            sp = f"nodes.{nid}.storage"
            p += _in_range(f"{sp}.dwell_days", node.storage.dwell_days, 0, MAX_DWELL_DAYS)
            p += _in_range(f"{sp}.strike_probability", node.storage.strike_probability, 0, 1)
            p += _in_range(f"{sp}.destroyed_share", node.storage.destroyed_share, 0, 1)
            p += _in_range(f"{sp}.closure_days", node.storage.closure_days, 0, float("inf"), ": must not be negative")
    for sid, seg in spec.segments.items():
        for end in ("from", "to"):
            nid = seg.from_ if end == "from" else seg.to
            if nid not in spec.nodes:
                p.append((f"segments.{sid}.{end}", f"names a missing node {nid!r}" + _suggest(nid, list(spec.nodes))))
        for key in ("interdiction_probability", "inspection_probability"):
            p += _in_range(f"segments.{sid}.{key}", getattr(seg, key), 0, 1)
        for key in ("cost_usd_per_ton", "fee_usd_per_ton", "hazard_per_day"):
            p += _in_range(f"segments.{sid}.{key}", getattr(seg, key), 0, float("inf"), ": must not be negative")
        for key in ("capacity_tons_per_day", "max_payload_tons"):
            if getattr(seg, key) is not None:
                p += _in_range(
                    f"segments.{sid}.{key}", getattr(seg, key), 0, float("inf"), ": a capacity cannot be negative"
                )
    for fid, fleet in spec.fleets.items():
        p += _in_range(f"fleets.{fid}.payload_tons", fleet.payload_tons, 1e-9, float("inf"), ": must be positive")
        p += _in_range(f"fleets.{fid}.count", fleet.count, 0, float("inf"), ": must not be negative")
        p += _in_range(
            f"fleets.{fid}.cost_usd_per_vehicle_day",
            fleet.cost_usd_per_vehicle_day,
            0,
            float("inf"),
            ": must not be negative",
        )
        if fleet.convoy is not None:
            path, convoy = f"fleets.{fid}.convoy", fleet.convoy
            p += _in_range(f"{path}.size", convoy.size, 1, float("inf"), ": a convoy has at least one vehicle")
            p += _in_range(f"{path}.targeted_share", convoy.targeted_share, 0, 1)
            p += _in_range(f"{path}.targeted_vehicles", convoy.targeted_vehicles, 0, float("inf"), ": not negative")
            p += _in_range(f"{path}.replacement_per_day", convoy.replacement_per_day, 0, float("inf"), ": not negative")
    dest_nodes = {d.node for d in spec.destinations.values()}
    for rid, route in spec.routes.items():
        path = f"routes.{rid}"
        if route.fleet not in spec.fleets:
            p.append((f"{path}.fleet", f"unknown fleet {route.fleet!r}" + _suggest(route.fleet, list(spec.fleets))))
        for c in route.cargo or []:
            if c not in spec.cargo:
                p.append((f"{path}.cargo", f"unknown cargo class {c!r}"))
        missing = [s for s in route.segments if s not in spec.segments]
        for s in missing:
            p.append((f"{path}.segments", f"unknown segment {s!r}" + _suggest(s, list(spec.segments))))
        if missing:
            continue
        segs = [spec.segments[s] for s in route.segments]
        for a, b, (sa, sb) in zip(segs, segs[1:], zip(route.segments, route.segments[1:], strict=False), strict=False):
            if a.to != b.from_:
                p.append(
                    (
                        f"{path}.segments",
                        f"route does not connect: {sa!r} ends at {a.to!r} but {sb!r} starts at {b.from_!r}",
                    )
                )
        if segs[-1].to not in dest_nodes:
            p.append((f"{path}.segments", f"route ends at {segs[-1].to!r}, which is no destination's node"))
        if len(set(route.segments)) != len(route.segments):
            p.append((f"{path}.segments", "a route may not use a segment twice"))
    for did, dest in spec.destinations.items():
        if dest.node not in spec.nodes:
            p.append((f"destinations.{did}.node", f"names a missing node {dest.node!r}"))
        for c, amount in dest.demand.items():
            if c not in spec.cargo:
                p.append((f"destinations.{did}.demand.{c}", f"unknown cargo class {c!r}"))
            if isinstance(amount, list):
                p += _demand_phases(spec, f"destinations.{did}.demand.{c}", amount)
            else:
                p += _in_range(f"destinations.{did}.demand.{c}", amount, 0, float("inf"), ": must not be negative")
    for cid, cargo in spec.cargo.items():
        p += _in_range(f"cargo.{cid}.replacement_share", cargo.replacement_share, 0, 1)
    sh = spec.shipper
    p += _in_range("shipper.inertia", sh.inertia, 0, 1)
    p += _in_range("shipper.belief_memory", sh.belief_memory, 0, 1)
    p += _in_range("shipper.risk_aversion", sh.risk_aversion, 0, float("inf"))
    p += _in_range(
        "shipper.urgency_usd_per_ton_day", sh.urgency_usd_per_ton_day, 0, float("inf"), ": must not be negative"
    )
    p += _in_range("shipper.prior_spread", sh.prior_spread, 0, float("inf"), ": must not be negative")
    if sh.idle_memory is not None:
        p += _in_range("shipper.idle_memory", sh.idle_memory, 0, 1)
    p += _in_range("shipper.loss_tolerance", sh.loss_tolerance, 0, 1)
    p += _in_range("shipper.probe_demand_days", sh.probe_demand_days, 0, float("inf"), ": must not be negative")
    p += _in_range("shipper.probe_wait_days", sh.probe_wait_days, 1, float("inf"), ": a probe waits a day at least")
    p += _in_range("shipper.wait_learning_rate", sh.wait_learning_rate, 0, 1)
    for aid, actor in spec.actors.items():
        p += _decider_problems(aid, actor)
        for lid, lever in actor.levers.items():
            lp = f"actors.{aid}.levers.{lid}"
            if lever.min > lever.max:
                p.append((f"{lp}.min", f"min {lever.min} exceeds max {lever.max}"))
            p += _in_range(f"{lp}.value", lever.value, lever.min, lever.max)
            for k, eff in enumerate(lever.effects):
                ep = f"{lp}.effects.{k}"
                if not eff.segments and not eff.nodes:
                    p.append((ep, "an effect needs segments or nodes to act on"))
                for s in eff.segments:
                    if s not in spec.segments:
                        p.append((f"{ep}.segments", f"unknown segment {s!r}" + _suggest(s, list(spec.segments))))
                for n in eff.nodes:
                    if n not in spec.nodes:
                        p.append((f"{ep}.nodes", f"unknown node {n!r}" + _suggest(n, list(spec.nodes))))
                if eff.attribute == "capacity_tons_per_day":
                    for kind, names, table in (
                        ("segment", eff.segments, spec.segments),
                        ("node", eff.nodes, spec.nodes),
                    ):
                        for t in names:
                            if t in table and table[t].capacity_tons_per_day is None:  # type: ignore[attr-defined]
                                p.append(
                                    (
                                        f"{ep}.attribute",
                                        f"{kind} {t!r} has no capacity_tons_per_day for this effect to scale: "
                                        "give it one, or choose another attribute",
                                    )
                                )
                if eff.attribute == "strike_probability":
                    if eff.segments:
                        p.append((f"{ep}.attribute", "strike_probability acts on nodes with a storage block only"))
                    for t in eff.nodes:
                        if t in spec.nodes and spec.nodes[t].storage is None:
                            p.append(
                                (
                                    f"{ep}.attribute",
                                    f"node {t!r} has no storage block for strike_probability to act on: "
                                    "give it one, or choose another attribute",
                                )
                            )
                if eff.nodes and eff.attribute not in NODE_ATTRIBUTES:
                    p.append((f"{ep}.attribute", f"{eff.attribute!r} cannot act on nodes (use {NODE_ATTRIBUTES})"))
                if eff.kind is not None:
                    if eff.kind not in effect_kinds.NAMES:
                        p.append(
                            (
                                f"{ep}.kind",
                                f"unknown effect kind {eff.kind!r}"
                                + _suggest(eff.kind, list(effect_kinds.NAMES))
                                + f" (kinds: {', '.join(effect_kinds.NAMES)})",
                            )
                        )
                    elif not effect_kinds.allowed(eff.kind, eff.attribute):
                        fits = [k.NAME for k in effect_kinds.KINDS if eff.attribute in k.ATTRIBUTES]
                        p.append((f"{ep}.kind", f"a {eff.kind!r} effect cannot change {eff.attribute} (use {fits})"))
                if eff.invert and (lever.min, lever.max) != (0.0, 1.0):
                    p.append((f"{ep}.invert", "invert (use 1 - value) needs a lever on [0, 1]"))
                for f in eff.factors:
                    problem = _lever_ref(spec, f)
                    if problem:
                        p.append((f"{ep}.factors", problem))
        for cid, change in actor.timeline.items():
            tp = f"actors.{aid}.timeline.{cid}"
            if change.lever not in actor.levers:
                p.append(
                    (
                        f"{tp}.lever",
                        f"unknown lever {change.lever!r} of actor {aid!r}" + _suggest(change.lever, list(actor.levers)),
                    )
                )
                continue
            lever = actor.levers[change.lever]
            if (change.day is None) == (change.date is None):
                p.append((tp, "give exactly one of 'day' or 'date'"))
                continue
            if (change.set is None) == (change.ramp_to is None):
                p.append((tp, "give exactly one of 'set' or 'ramp_to'"))
                continue
            target = change.set if change.set is not None else change.ramp_to
            if not lever.min <= target <= lever.max:  # type: ignore[operator]
                key = "set" if change.set is not None else "ramp_to"
                p.append((f"{tp}.{key}", f"{target} is not within [{lever.min}, {lever.max}]"))
            if change.ramp_to is not None and change.ramp_days is None:
                p.append((f"{tp}.ramp_days", "a ramp needs ramp_days"))
            day = spec.change_day(change)
            key = "day" if change.day is not None else "date"
            if day < 0:
                p.append((f"{tp}.{key}", f"{change.date} is before the scenario's start date {spec.start_date}"))
            elif day >= spec.days:
                p.append(
                    (
                        f"{tp}.{key}",
                        f"day {day} is after the scenario's horizon of {spec.days} days"
                        f" (last day {spec.date_of(spec.days - 1)})",
                    )
                )
    for rid, rule in spec.rules.items():
        rp = f"rules.{rid}"
        problem = check_metric(spec, rule.when.metric)
        if problem:
            p.append((f"{rp}.when.metric", problem))
        if (rule.when.above is None) == (rule.when.below is None):
            p.append((f"{rp}.when", "give exactly one of 'above' or 'below'"))
        p += _in_range(f"{rp}.probability", rule.probability, 0, 1)
        if rule.delay_max_days is not None and rule.delay_max_days < rule.delay_days:
            p.append((f"{rp}.delay_max_days", "must not be below delay_days"))
        for k, action in enumerate(rule.then):
            ap = f"{rp}.then.{k}"
            actor = spec.actors.get(action.actor)
            if actor is None:
                p.append((f"{ap}.actor", _unknown_actor(spec, action.actor)))
                continue
            if action.lever not in actor.levers:
                p.append(
                    (
                        f"{ap}.lever",
                        f"unknown lever {action.actor}.{action.lever}" + _suggest(action.lever, list(actor.levers)),
                    )
                )
                continue
            lever = actor.levers[action.lever]
            if not lever.min <= action.set <= lever.max:
                p.append((f"{ap}.set", f"{action.set} is not within [{lever.min}, {lever.max}]"))
    return p + _response_problems(spec)


def _response_problems(spec: Scenario) -> list[tuple[str, str]]:
    """Problems with the levers' ``response:`` blocks (docs/ODD.md 7.16)."""
    p: list[tuple[str, str]] = []
    for aid, actor in spec.actors.items():
        for lid, lever in actor.levers.items():
            resp = lever.response
            if resp is None:
                continue
            rp = f"actors.{aid}.levers.{lid}.response"
            p += _in_range(f"{rp}.rate", resp.rate, 0, 1)
            p += _in_range(f"{rp}.delay_days", resp.delay_days, 1, 3650, " (days: 1 means seen at once)")
            for s in resp.segments:
                if s not in spec.segments:
                    p.append((f"{rp}.segments", f"unknown segment {s!r}" + _suggest(s, list(spec.segments))))
            watched = any(support_of(x) != (0.0, 0.0) for x in (resp.congestion, resp.idle, resp.loss_share))
            if watched and not resp.segments:
                p.append((f"{rp}.segments", "congestion, idle and loss_share are observed on segments: name them"))
            for k, term in enumerate(resp.levers):
                for ref in term.of:
                    problem = _lever_ref(spec, ref)
                    if problem:
                        p.append((f"{rp}.levers.{k}.of", problem))
    return p
