"""Model behaviour: conservation, capacities, interdiction, policies over time, reproducibility, Mesa API."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from corridor_sim import CorridorModel, ScenarioError, load_scenario, rates
from corridor_sim.scenario import truncate

ATOL = 1e-6  # tons; flows are hundreds to thousands of tons a day


def _series(model: CorridorModel, column: str, replicate: int = 0, route: str | None = None) -> np.ndarray:
    """One replicate's daily values of a timeseries column (summed over routes unless one is named)."""
    ts = model.timeseries()
    rows = ts[(ts.replicate == replicate) & ((ts.route == route) if route else True)]
    return rows.groupby("day", observed=True)[column].sum().to_numpy()


def _short(path, days: int):
    spec, _ = truncate(load_scenario(path), days)
    return spec


# ----------------------------------------------------------------------------- conservation


def _conservation_cases(make_scenario, policy_scenario, switch_scenario, baseline_path):
    scenarios_dir = baseline_path.parent
    return {
        "one_route_capacity_and_losses": (make_scenario(leg1_p=0.1, leg2_p=0.2, hub_p=0.05, leg2_capacity=65), 8),
        "policies_and_rule": (policy_scenario(leg1_p=0.05, leg2_p=0.1), 8),
        "switch_closes": (switch_scenario(close_day=25, leg2_p=0.1), 4),
        "baseline": (_short(baseline_path, 120), 6),
        "escalation": (_short(scenarios_dir / "escalation.yaml", 120), 4),
    }


@pytest.mark.parametrize(
    "case", ["one_route_capacity_and_losses", "policies_and_rule", "switch_closes", "baseline", "escalation"]
)
def test_conservation_after_every_step(case, make_scenario, policy_scenario, switch_scenario, baseline_path):
    """After each step, per replicate, route and cargo: dispatched = delivered + interdicted + in transit + queued.

    The day's flows and end-of-day stocks come from the model's observer hook
    (arrays of shape (replicates, routes, cargo)); the sums are kept here, not
    taken from the recorder, and the recorder's totals are checked against them.
    """
    scenario, reps = _conservation_cases(make_scenario, policy_scenario, switch_scenario, baseline_path)[case]
    model = CorridorModel(scenario, replicates=reps, rng=3, keep_daily=False)
    cum: dict[str, np.ndarray] = {}
    checked: list[int] = []

    def check(model, day, flows):
        for q in ("dispatched", "delivered", "interdicted"):
            cum[q] = cum.get(q, 0.0) + flows[q]
        np.testing.assert_allclose(
            cum["dispatched"],
            cum["delivered"] + cum["interdicted"] + flows["in_transit"] + flows["queued"],
            rtol=1e-9,
            atol=ATOL,
            err_msg=f"day {day}",
        )
        assert flows["in_transit"].min() >= -ATOL and flows["queued"].min() >= -ATOL, f"day {day}"
        checked.append(day)

    model.observers.append(check)
    while model.running:
        model.step()
        assert checked[-1] == model.day - 1  # checked after this very step
        assert model.queue.min() >= -ATOL and model.in_transit.min() >= -ATOL and model.pipeline.min() >= -ATOL
    assert checked == list(range(model.spec.days))
    summary = model.summary().set_index(["replicate", "route", "cargo"])
    index = pd.MultiIndex.from_product([range(reps), model.net.route_ids, model.net.cargo_ids])
    for q in ("dispatched", "delivered", "interdicted"):
        # The summary has no row for a cargo class a route does not carry: nothing moved there.
        totals = summary[f"{q}_tons"].reindex(index, fill_value=0.0)
        np.testing.assert_allclose(totals, cum[q].reshape(-1), rtol=1e-9, atol=ATOL, err_msg=q)
    assert cum["delivered"].sum() > 0 and cum["interdicted"].sum() > 0, "the case should move and lose cargo"


def test_conservation_in_timeseries(policy_scenario):
    """In timeseries.parquet's columns, cumulated flows balance the day's in-transit and queued stocks."""
    model = CorridorModel(policy_scenario(leg1_p=0.1, leg2_capacity=70), replicates=5, rng=8).run()
    ts = model.timeseries().sort_values(["replicate", "route", "cargo", "day"])
    cum = ts.groupby(["replicate", "route", "cargo"], observed=True)[
        ["dispatched_tons", "delivered_tons", "interdicted_tons"]
    ].cumsum()
    np.testing.assert_allclose(
        cum["dispatched_tons"],
        cum["delivered_tons"] + cum["interdicted_tons"] + ts["in_transit_tons"] + ts["queued_tons"],
        rtol=1e-9,
        atol=ATOL,
    )


def test_summary_and_destinations_agree(baseline_path):
    """Per destination: delivered = sum of deliveries of the routes ending there; backlog = demand - delivered."""
    model = CorridorModel(_short(baseline_path, 90), replicates=4, rng=2, keep_daily=False).run()
    summary, dest = model.summary(), model.destinations()
    route_dest = {rid: r.segments[-1] for rid, r in model.spec.routes.items()}
    node_of = {did: d.node for did, d in model.spec.destinations.items()}
    for (rep, did, cargo), row in dest.set_index(["replicate", "destination", "cargo"]).iterrows():
        routes = [r for r, last in route_dest.items() if model.spec.segments[last].to == node_of[did]]
        got = summary[(summary.replicate == rep) & summary.route.isin(routes) & (summary.cargo == cargo)]
        assert row["delivered_tons"] == pytest.approx(got["delivered_tons"].sum(), rel=1e-9)
        assert row["backlog_tons"] == pytest.approx(row["demand_tons"] - row["delivered_tons"], abs=ATOL)
        d, c = model.net.destination_ids.index(did), model.net.cargo_ids.index(cargo)
        assert row["demand_tons"] == pytest.approx(90 * model.demand[d, c, 0, rep])  # the first phase: 90 days


# ----------------------------------------------------------------------------- capacities


def test_capacity_limited_segment_never_serves_more_than_its_capacity(make_scenario):
    """With demand above leg2's capacity, the tons crossing leg2 each day reach but never exceed the capacity."""
    capacity = 35.0
    model = CorridorModel(make_scenario(leg2_p=0.2, leg2_capacity=capacity, days=60), replicates=6, rng=4).run()
    for rep in range(6):
        delivered = _series(model, "delivered_tons", rep)
        interdicted = _series(model, "interdicted_tons", rep)  # only leg2 is risky
        # Cargo crossing leg2 on day d is lost on day d or delivered on day d + 1.
        served = delivered[1:] + interdicted[:-1]
        assert served.max() <= capacity + ATOL
        assert served[5:].min() == pytest.approx(capacity)  # the limit binds: demand is 100 a day
        assert delivered.max() <= capacity + ATOL
    assert _series(model, "queued_tons", 0)[-1] > 1000  # the rest waits at the hub


def test_capacities_and_fleets_respected_in_baseline(baseline_path):
    """In the baseline, tons leaving each capacity-limited segment or node stay within its capacity of the day,
    and vehicles in use never exceed the fleet.

    Reads the model's arrays (replicate axis last): ``pipeline[(d + transit) % len, leg]`` holds exactly
    what the leg started moving on day d (lost loads excluded).
    """
    model = CorridorModel(_short(baseline_path, 150), replicates=8, rng=6, keep_daily=False)
    net = model.net
    assert len(net.group_kind) > 0
    legs = np.arange(net.n_legs)
    binding = 0
    while model.running:
        d = model.day
        model.step()
        slots = (d + net.leg_transit) % model.pipeline.shape[0]
        moving = model.tons(model.pipeline[slots, legs])  # (legs, replicates) payload tons
        per_group = net.group_legs.astype(float) @ moving  # (groups, replicates)
        capacity = model.group_capacity
        assert (per_group <= capacity * (1 + 1e-9) + ATOL).all(), f"day {d}"
        binding += int(((per_group >= 0.7 * capacity) & (capacity > 0)).any())
        assert (model.fleet_busy <= model.fleet_count + ATOL).all(), f"day {d}"
    assert binding > 0, "some capacity should come close to binding in 150 days"


def test_closed_capacity_moves_nothing(switch_scenario):
    """A segment whose capacity lever is off (value 0, invert) carries nothing and the shipper sends nothing."""
    model = CorridorModel(switch_scenario(value=0, days=30), replicates=3, rng=1).run()
    summary = model.summary()
    assert summary["dispatched_tons"].sum() == 0
    assert summary["delivered_tons"].sum() == 0
    assert (model.destinations()["backlog_tons"] == 30 * 100).all()


def test_capacity_switch_on_unlimited_segment_closes_it_or_is_refused(switch_scenario):
    """Switching off (invert) the capacity of a segment without a declared capacity stops its traffic, or the
    scenario is refused at validation."""
    raw = switch_scenario(capacity=None, value=0, days=20)
    try:
        model = CorridorModel(raw, replicates=2, rng=1)
    except ScenarioError:
        return
    assert model.run().summary()["delivered_tons"].sum() == 0


# ----------------------------------------------------------------------------- interdiction


@pytest.mark.parametrize(("leg1_p", "leg2_p", "hub_p"), [(0.1, 0.2, 0.0), (0.05, 0.3, 0.1), (0.0, 0.0, 0.0)])
def test_delivered_fraction_is_product_of_segment_survival(make_scenario, leg1_p, leg2_p, hub_p):
    """On a static route, the delivered share of finished cargo is prod(1 - p) over segments (and nodes passed).

    Cargo dispatched on day d crosses leg1 on day d and leg2 (leaving the hub) on day d + 1 and is
    delivered on day d + 2, so the fraction is delivered[2:] / dispatched[:-2]. Each vehicle load
    survives or is lost whole, so the standard error comes from the number of loads.
    """
    days, reps, payload = 200, 20, 10.0
    model = CorridorModel(
        make_scenario(leg1_p=leg1_p, leg2_p=leg2_p, hub_p=hub_p, days=days, payload=payload), replicates=reps, rng=12
    ).run()
    ts = model.timeseries()
    daily = ts.pivot_table(
        index="day", columns="replicate", values=["dispatched_tons", "delivered_tons"], aggfunc="sum", observed=True
    )
    sent = daily["dispatched_tons"].to_numpy()[:-2].sum()
    got = daily["delivered_tons"].to_numpy()[2:].sum()
    expected = (1 - leg1_p) * (1 - leg2_p) * (1 - hub_p)
    loads = sent / payload
    se = np.sqrt(expected * (1 - expected) / loads)
    assert got / sent == pytest.approx(expected, abs=max(4 * se, 1e-12))
    summary = model.summary()
    if expected < 1:
        assert summary["interdicted_tons"].sum() > 0
        rate = summary["interdicted_tons"].sum() / (summary["interdicted_tons"] + summary["delivered_tons"]).sum()
        assert rate == pytest.approx(1 - expected, abs=4 * se + 0.01)  # only unfinished loads differ
    else:
        assert summary["interdicted_tons"].sum() == 0


def test_lever_effects_follow_documented_rules(make_scenario):
    """Hazard p <- 1-(1-p)(1-m), costs add, capacity scales c(1+m), invert uses 1 - value, factors multiply."""
    raw = make_scenario(leg1_p=0.2, leg2_capacity=200)
    raw["actors"] = {
        "us": {
            "levers": {
                "surveillance": {
                    "value": 0.5,
                    "effects": [
                        {"segments": ["leg1"], "attribute": "interdiction_probability", "coef": 0.4},
                        {"segments": ["leg1"], "attribute": "cost_usd_per_ton", "coef": 100},
                        {"segments": ["leg2"], "attribute": "capacity_tons_per_day", "coef": -0.5},
                        {"segments": ["leg2"], "attribute": "fee_usd_per_ton", "coef": 30, "factors": ["1 - us.half"]},
                    ],
                },
                "half": {"value": 0.5},
                "open": {
                    "value": 0.25,
                    "effects": [
                        {"segments": ["leg1"], "attribute": "capacity_tons_per_day", "coef": -1, "invert": True}
                    ],
                },
            }
        },
    }
    raw["segments"]["leg1"]["capacity_tons_per_day"] = 80
    model = CorridorModel(raw, replicates=2, rng=1)
    model.step()
    seg = model.segment_now  # attribute -> (segments, replicates)
    i1, i2 = model.net.segment_ids.index("leg1"), model.net.segment_ids.index("leg2")
    np.testing.assert_allclose(seg["interdiction_probability"][i1], 1 - 0.8 * (1 - 0.4 * 0.5))
    np.testing.assert_allclose(seg["cost_usd_per_ton"][i1], 10 + 100 * 0.5)
    np.testing.assert_allclose(seg["capacity_tons_per_day"][i2], 200 * (1 - 0.5 * 0.5))
    np.testing.assert_allclose(seg["fee_usd_per_ton"][i2], 30 * 0.5 * 0.5)
    np.testing.assert_allclose(seg["capacity_tons_per_day"][i1], 80 * (1 - 1 * (1 - 0.25)))


# ----------------------------------------------------------------------------- policies over time


@pytest.mark.parametrize("when", [{"close_day": 20}, {"close_date": "2019-01-21"}], ids=["day", "date"])
def test_timed_change_governs_its_own_day(switch_scenario, when):
    """A change dated day 20 (by day or date) closes leg2 for day 20's flows: day 19 still moves cargo, day 20 not.

    Closing leg2 makes the route's capacity 0, so the shipper dispatches nothing on day 20, and
    nothing crosses leg2 on day 20, so nothing is delivered on day 21.
    """
    model = CorridorModel(switch_scenario(days=40, **when), replicates=3, rng=2).run()
    for rep in range(3):
        dispatched, delivered = _series(model, "dispatched_tons", rep), _series(model, "delivered_tons", rep)
        assert dispatched[19] > 0 and dispatched[20] == 0
        assert delivered[20] > 0 and delivered[21] == 0  # leg2 served on day 19 but not on day 20
    levers = model.actor_levers()
    value = levers[(levers.replicate == 0) & (levers.lever == "crossing_open")].set_index("day")["value"]
    assert (value[19], value[20]) == (1, 0)
    events = model.events()
    assert len(events) == 3
    assert (events["day"] == 20).all()
    assert (events["date"] == pd.Timestamp("2019-01-21")).all()
    assert events[["actor", "lever", "old_value", "new_value"]].drop_duplicates().to_numpy().tolist() == [
        ["iraq", "crossing_open", 1.0, 0.0]
    ]
    assert events["cause"].str.contains("close").all()


def test_timed_change_runs_between_the_days(switch_scenario):
    """The Mesa event for a change dated day 20 runs after day 19's step (Mesa time 20) and before day 20's."""
    model = CorridorModel(switch_scenario(days=40, close_day=20), replicates=2, rng=2)
    model.run_for(19)
    assert model.day == 19 and (model.levers.factor("iraq.crossing_open") == 1).all()
    model.step()  # simulates day 19, then runs the events due at Mesa time 20
    assert model.day == 20
    dispatched = model.timeseries().groupby("day")["dispatched_tons"].sum()
    assert list(dispatched.index) == list(range(20)) and dispatched[19] > 0
    assert (model.levers.factor("iraq.crossing_open") == 0).all()
    model.step()
    assert model.timeseries().query("day == 20")["dispatched_tons"].sum() == 0


def test_ramp_reaches_its_target_over_ramp_days(policy_scenario):
    """A ramp from 0.3 to 0.7 over 4 days starting day 10 moves the lever a quarter of the way each day."""
    raw = policy_scenario(days=30)
    raw["actors"]["us"]["timeline"]["more"] = {"lever": "surveillance", "day": 10, "ramp_to": 0.7, "ramp_days": 4}
    model = CorridorModel(raw, replicates=2, rng=1).run()
    levers = model.actor_levers()
    value = levers[(levers.replicate == 1) & (levers.lever == "surveillance")].set_index("day")["value"]
    np.testing.assert_allclose(value.loc[8:15].to_numpy(), [0.3, 0.3, 0.4, 0.5, 0.6, 0.7, 0.7, 0.7])


def _rule_scenario(switch_scenario, **rule):
    raw = switch_scenario(days=40)
    raw["rules"] = {
        "close": {
            "label": "the crossing is closed",
            "when": {"metric": "day", "above": 9},
            "probability": 0.5,
            "then": [{"actor": "iraq", "lever": "crossing_open", "set": 0}],
            **rule,
        }
    }
    return raw


def test_reactive_rule_fires_in_some_replicates_and_not_others(switch_scenario):
    """A rule with probability 0.5 fires in some replicates only; there the lever changes and flows stop."""
    reps = 40
    model = CorridorModel(_rule_scenario(switch_scenario), replicates=reps, rng=5).run()
    events = model.events()
    fired = set(events.loc[events["cause"] == "rule:close", "replicate"])
    assert 0 < len(fired) < reps
    assert (events["day"] == 11).all()  # the condition first holds at the end of day 10; the rule acts on day 11
    assert (events["label"] == "the crossing is closed").all()
    levers = model.actor_levers().pivot_table(index="day", columns="replicate", values="value")
    dispatched = model.timeseries().pivot_table(
        index="day", columns="replicate", values="dispatched_tons", observed=True
    )
    for rep in range(reps):
        if rep in fired:
            assert (levers.loc[:10, rep] == 1).all() and (levers.loc[11:, rep] == 0).all()
            assert (dispatched.loc[11:, rep] == 0).all()
        else:
            assert (levers[rep] == 1).all()
            assert (dispatched.loc[11:, rep] > 0).all()


def test_reactive_rule_delay_varies_between_replicates(switch_scenario):
    """With delay_days 3 and delay_max_days 6, each replicate fires on its own day within 3..6 days of the trigger."""
    model = CorridorModel(
        _rule_scenario(switch_scenario, probability=1.0, delay_days=3, delay_max_days=6), replicates=40, rng=5
    ).run()
    events = model.events()
    assert sorted(events["replicate"]) == list(range(40))
    assert events["day"].between(14, 17).all()
    assert events["day"].nunique() > 1


def test_reactive_rule_fires_at_most_max_firings(switch_scenario):
    """A rule whose condition rises twice fires only once by default (max_firings 1)."""
    raw = _rule_scenario(switch_scenario, probability=1.0)
    # The condition 'crossing open below 0.5' rises when a timed change closes it and again after it reopens.
    raw["rules"]["close"]["when"] = {"metric": "lever:iraq.crossing_open", "below": 0.5}
    raw["rules"]["close"]["then"] = [{"actor": "iraq", "lever": "crossing_open", "set": 1}]
    raw["actors"]["iraq"]["timeline"] = {
        "shut": {"lever": "crossing_open", "day": 5, "set": 0},
        "shut_again": {"lever": "crossing_open", "day": 20, "set": 0},
    }
    model = CorridorModel(raw, replicates=3, rng=1).run()
    rule_events = model.events().query("cause == 'rule:close'")
    assert len(rule_events) == 3 and (rule_events["day"] == 6).all()
    levers = model.actor_levers().query("replicate == 0").set_index("day")["value"]
    assert levers[5] == 0 and levers[6] == 1 and (levers.loc[20:] == 0).all()


# ----------------------------------------------------------------------------- reproducibility


def _tables(model: CorridorModel) -> dict[str, pd.DataFrame]:
    return {
        "summary": model.summary(),
        "destinations": model.destinations(),
        "timeseries": model.timeseries(),
        "bands": model.bands(),
        "events": model.events(),
        "actor_levers": model.actor_levers(),
    }


@pytest.fixture(scope="module")
def escalation_60(scenario_files):
    return _short(scenario_files[0].parent / "escalation.yaml", 60)


def test_same_seed_gives_identical_tables(escalation_60):
    """Two runs with the same seed give identical tables, events included."""
    a = _tables(CorridorModel(escalation_60, replicates=5, rng=21).run())
    b = _tables(CorridorModel(escalation_60, replicates=5, rng=21).run())
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)


def test_different_seed_gives_different_results(escalation_60):
    """Runs with different seeds differ in the per-replicate totals."""
    a = CorridorModel(escalation_60, replicates=5, rng=21, keep_daily=False).run().summary()
    b = CorridorModel(escalation_60, replicates=5, rng=22, keep_daily=False).run().summary()
    assert not np.allclose(a["delivered_tons"], b["delivered_tons"])


def test_replicate_identical_with_10_or_100_replicates(escalation_60):
    """Replicate i's results depend only on (seed, i): replicates 0..9 are the same in a 10- and a 100-replicate run."""
    ten = CorridorModel(escalation_60, replicates=10, rng=9, keep_daily=False).run().summary()
    hundred = CorridorModel(escalation_60, replicates=100, rng=9, keep_daily=False).run().summary()
    pd.testing.assert_frame_equal(ten, hundred[hundred.replicate < 10].reset_index(drop=True), check_exact=True)


def test_parameter_draws_identical_with_10_or_100_replicates(baseline_path):
    """Per-replicate draws of uncertain parameters (fleet sizes, payloads, lever coefficients) ignore the run size."""
    ten = CorridorModel(baseline_path, replicates=10, rng=9)
    hundred = CorridorModel(baseline_path, replicates=100, rng=9)
    for name in ("fleet_payload", "fleet_count", "cargo_value", "demand"):
        # replicate axis last
        np.testing.assert_array_equal(getattr(ten, name), getattr(hundred, name)[..., :10], err_msg=name)
    for attr, values in ten.segment_base.items():
        np.testing.assert_array_equal(values, hundred.segment_base[attr][..., :10], err_msg=attr)
    np.testing.assert_array_equal(ten.levers.values, hundred.levers.values[..., :10])
    assert not np.all(ten.fleet_count == ten.fleet_count[..., :1])  # the draws do vary between replicates


def test_partial_block_draws_equal_a_whole_blocks_rows():
    """A run's last, partial block draws only its rows and skips the rest: the values a whole block gives them."""
    from corridor_sim.streams import InterdictionDraws

    whole, part, later = (
        InterdictionDraws(((7, 0, 512),), 50),
        InterdictionDraws(((7, 0, 264),), 50),
        InterdictionDraws(((7, 256, 8),), 50),
    )
    for _ in range(4):  # each day's draws, with the stream skipped past the rows not drawn
        a, b, c = whole.fill()[0].copy(), part.fill()[0].copy(), later.fill()[0].copy()
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1, :8], b[1, :8])
        np.testing.assert_array_equal(a[1, :8], c[0, :8])
        assert not np.array_equal(a[1, :8], a[0, :8])


def test_later_block_run_alone_matches_full_run(escalation_60):
    """Replicates 256..265 run on their own (first_replicate=256) equal the same replicates of a 266-replicate run."""
    alone = CorridorModel(escalation_60, replicates=10, rng=4, first_replicate=256, keep_daily=False).run().summary()
    full = CorridorModel(escalation_60, replicates=266, rng=4, keep_daily=False).run().summary()
    assert list(alone.replicate.unique()) == list(range(256, 266))
    pd.testing.assert_frame_equal(alone, full[full.replicate >= 256].reset_index(drop=True), check_exact=True)


# ----------------------------------------------------------------------------- the Mesa API


def test_mesa_time_api_advances_days(make_scenario):
    """run_for(n) simulates n days, step() one day, run() to the horizon; stepping past it records nothing more."""
    model = CorridorModel(make_scenario(days=30), replicates=2, rng=1)
    assert (model.day, model.time) == (0, 0)
    model.run_for(5)
    assert (model.day, model.time, model.steps) == (5, 5, 5)
    model.step()
    assert (model.day, model.time, model.steps) == (6, 6, 6)
    assert model.timeseries()["day"].max() == 5
    model.run()
    assert model.day == 30 and not model.running
    model.step()
    assert model.day == 30 and model.timeseries()["day"].max() == 29


def test_datacollector_reports_cumulative_tons_by_mode(baseline_path):
    """DataCollector has delivered_air/sea/land per day: cumulative, ending at the replicate mean of the summary."""
    model = CorridorModel(_short(baseline_path, 60), replicates=4, rng=3, keep_daily=False).run()
    frame = model.datacollector.get_model_vars_dataframe()
    assert {"delivered_air", "delivered_sea", "delivered_land"} <= set(frame.columns)
    assert len(frame) == 60
    summary = model.summary()
    for mode in ("air", "sea", "land"):
        column = frame[f"delivered_{mode}"].to_numpy()
        assert (np.diff(column) >= -ATOL).all()
        for cargo, suffix in (("materiel", ""), ("oil", "_oil")):  # never added up: oil in barrels apart
            column = frame[f"delivered_{mode}{suffix}"].to_numpy()
            rows = summary[(summary["mode"] == mode) & (summary["cargo"] == cargo)]
            expected = rows.groupby("replicate")["delivered_tons"].sum().mean() if len(rows) else 0.0
            assert column[-1] == pytest.approx(expected)
    assert frame["delivered_land"].iloc[-1] > 0 and frame["delivered_air"].iloc[-1] > 0


def test_collect_false_leaves_the_datacollector_empty_and_results_unchanged(baseline_path):
    """Sweeps turn the DataCollector off (collect=False): nothing is collected, the outcomes are the same."""
    on = CorridorModel(_short(baseline_path, 20), replicates=4, rng=3, keep_daily=False).run()
    off = CorridorModel(_short(baseline_path, 20), replicates=4, rng=3, keep_daily=False, collect=False).run()
    assert len(on.datacollector.get_model_vars_dataframe()) == 20
    assert off.datacollector.get_model_vars_dataframe().empty
    pd.testing.assert_frame_equal(on.summary(), off.summary(), check_exact=True)


def test_observers_see_each_quantity_replicate_first(baseline_path):
    """Observers get the day's flows as (replicates, routes, cargo) arrays, equal to the model's daily table."""
    model = CorridorModel(_short(baseline_path, 5), replicates=3, rng=2)
    seen = {}

    def observer(m, day, flows):
        assert set(flows) >= {"delivered", "dispatched", "interdicted", "transport_usd", "fees_usd", "losses_usd"}
        seen[day] = flows["delivered"].copy()
        # The cost parts (computed only when an observer is there to read them) make up the day's cost.
        parts = flows["transport_usd"] + flows["fees_usd"] + flows["losses_usd"]
        np.testing.assert_allclose(parts, flows["cost_usd"], rtol=1e-12)
        assert day < 2 or flows["cost_usd"].sum() > 0

    model.observers.append(observer)
    model.run()
    assert seen[4].shape == (3, len(model.net.route_ids), len(model.net.cargo_ids))
    np.testing.assert_array_equal(seen[4], np.moveaxis(model.recorder.daily["delivered"][4], -1, 0))


def test_flow_metrics_are_the_last_days_flows_and_need_the_window(baseline_path, escalation_60):
    """delivered_7d / interdicted_30d / interdiction_rate_30d sum the daily tables' last 7 or 30 days.

    The window they read is kept when a rule watches one (escalation) or when asked; otherwise asking
    for one is refused with the way to get it, and the results are the same either way.
    """
    spec = _short(baseline_path, 40)
    model = CorridorModel(spec, replicates=3, rng=4, flow_window=True).run()
    # Materiel (cargo 0, payload factor 1): a metric over routes of two cargo classes names one.
    got = model.recorder.daily["delivered"][:, :, 0].sum(axis=1)  # (days, replicates)
    lost = model.recorder.daily["interdicted"][:, :, 0].sum(axis=1)
    assert got[-7:].sum() > 0 and lost[-30:].sum() > 0
    np.testing.assert_allclose(model.metric("delivered_7d:all:materiel"), got[-7:].sum(axis=0) / 7, rtol=1e-12)
    np.testing.assert_allclose(model.metric("interdicted_30d:all:materiel"), lost[-30:].sum(axis=0), rtol=1e-12)
    with pytest.raises(ValueError, match="more than one cargo class"):
        model.metric("delivered_7d:all")
    # The rate is leg by leg (ODD 7.12); over a run shorter than the window it is the run's own, pooled
    # over the routes by the tons that set out on each.
    short = CorridorModel(_short(baseline_path, 25), replicates=3, rng=4, flow_window=True).run()
    entered = short.recorder.leg_totals[0, :, 0]  # (legs, replicates); one cargo class, payload factor 1
    materiel = short.net.route_cargo[:, 0]
    routes = [r for r, m in zip(short.net.route_ids, materiel, strict=True) if m]
    per_route = short.summary().pivot(index="route", columns="replicate", values="interdiction_rate")
    per_route = per_route.loc[routes].to_numpy()
    rate = rates.pooled_interdiction_rate(per_route, entered[short.net.route_first_leg[materiel]], axis=0)
    assert (rate > 0).all()
    np.testing.assert_allclose(short.metric("interdiction_rate_30d:all:materiel"), rate, rtol=1e-12)

    plain = CorridorModel(spec, replicates=3, rng=4).run()
    assert not plain.keeps_window and model.keeps_window
    with pytest.raises(ValueError, match=r"delivered_7d:all.*flow_window=True"):
        plain.metric("delivered_7d:all:materiel")
    np.testing.assert_array_equal(plain.metric("backlog:syria:materiel"), model.metric("backlog:syria:materiel"))
    pd.testing.assert_frame_equal(plain.summary(), model.summary(), check_exact=True)
    assert CorridorModel(escalation_60, replicates=2).keeps_window  # its rules watch interdicted_30d


def test_model_is_a_mesa_model_with_agents(baseline_path):
    """CorridorModel is a mesa.Model whose agents are the shipper and one agent per policy actor."""
    import mesa

    model = CorridorModel(baseline_path, replicates=1, rng=1)
    assert isinstance(model, mesa.Model)
    kinds = sorted(type(a).__name__ for a in model.agents)
    assert kinds.count("Shipper") == 1
    assert kinds.count("PolicyActor") == len(model.spec.actors)


# ----------------------------------------------------------------------------- every shipped scenario


def test_every_shipped_scenario_runs(scenario_file):
    """Each file in scenarios/ runs 60 days with 3 replicates, delivers cargo and conserves it."""
    model = CorridorModel(_short(scenario_file, 60), replicates=3, rng=1, keep_daily=False).run()
    summary = model.summary()
    assert summary["delivered_tons"].sum() > 0
    assert (summary.groupby("replicate")["delivered_tons"].sum() > 0).all()
    np.testing.assert_allclose(
        summary["dispatched_tons"],
        summary[["delivered_tons", "interdicted_tons", "in_transit_tons", "queued_tons"]].sum(axis=1),
        rtol=1e-9,
        atol=ATOL,
    )


def test_compiled_and_plain_python_kernels_give_identical_results(monkeypatch):
    """The Numba-compiled day and the same functions run as plain Python (small runs) agree exactly."""
    from pathlib import Path

    from corridor_sim.model import CorridorModel as Model

    escalation = Path(__file__).resolve().parents[1] / "scenarios" / "escalation.yaml"
    compiled = Model(escalation, replicates=6, rng=3, days=400).run()
    monkeypatch.setattr(Model, "SMALL_RUN", 10**9)
    plain = Model(escalation, replicates=6, rng=3, days=400).run()
    assert compiled.events()["cause"].str.startswith("rule").any()
    pd.testing.assert_frame_equal(compiled.summary(), plain.summary())
    pd.testing.assert_frame_equal(compiled.events(), plain.events())


def test_any_number_of_threads_gives_identical_results(escalation_60):
    """Large ensembles split each day between threads; the tables are exactly those of one thread.

    2,100 replicates: past the default threshold; 9 blocks, the last one partial, split unevenly
    between 2 threads (5 and 4 blocks) and evenly between 3.
    """
    assert CorridorModel.THREADED_FROM <= 2100
    runs = {}
    for threads in (1, 2, 3):
        model = CorridorModel(escalation_60, replicates=2100, rng=5, keep_daily=False, threads=threads)
        assert model.threads == threads
        runs[threads] = model.run()
    one = runs[1]
    assert one.events()["cause"].str.startswith("rule").any()
    for threads in (2, 3):
        other = runs[threads]
        for name in ("summary", "destinations", "bands", "events", "actor_costs"):
            pd.testing.assert_frame_equal(getattr(one, name)(), getattr(other, name)(), check_exact=True, obj=name)
        collected = (m.datacollector.get_model_vars_dataframe() for m in (one, other))
        pd.testing.assert_frame_equal(*collected, check_exact=True)


def test_default_threads_follow_the_run_size():
    """Small runs use one thread; large ones several, never more than blocks of replicates or MAX_THREADS."""
    from corridor_sim.schedule import thread_count

    assert thread_count(None, 100, 2048, 4) == 1
    assert 1 <= thread_count(None, 10_000, 2048, 4) <= 4
    assert thread_count(8, 300, 2048, 4) == 2  # two blocks of 256: at most two threads
    with pytest.raises(ValueError, match="threads must be at least 1"):
        thread_count(0, 10, 2048, 4)


def test_runs_without_bands_give_the_same_totals_and_say_so_when_asked_for_bands(escalation_60):
    """keep_bands=False (what sweeps use) leaves the totals unchanged; asking for bands then is a clear error."""
    with_bands = CorridorModel(escalation_60, replicates=30, rng=2, keep_daily=False).run()
    without = CorridorModel(escalation_60, replicates=30, rng=2, keep_daily=False, keep_bands=False).run()
    pd.testing.assert_frame_equal(with_bands.summary(), without.summary(), check_exact=True)
    pd.testing.assert_frame_equal(with_bands.events(), without.events(), check_exact=True)
    with pytest.raises(RuntimeError, match="bands were not kept"):
        without.bands()


def test_compiled_and_plain_python_kernels_agree_over_several_chunks(monkeypatch, escalation_60):
    """Two chunks, the second partial (300 replicates): the chunk-major state is indexed the same way in the
    compiled kernels and in plain Python, where numpy checks every index."""
    from corridor_sim.model import CorridorModel as Model

    compiled = Model(escalation_60, replicates=300, rng=8, days=6, keep_daily=False).run()
    monkeypatch.setattr(Model, "SMALL_RUN", 10**9)
    plain = Model(escalation_60, replicates=300, rng=8, days=6, keep_daily=False).run()
    pd.testing.assert_frame_equal(compiled.summary(), plain.summary(), check_exact=True)
    pd.testing.assert_frame_equal(compiled.bands(), plain.bands(), check_exact=True)
