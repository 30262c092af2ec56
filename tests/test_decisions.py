"""Policy actors that decide: budgets that bind and effort placed by expected payoff (ODD 7.8-7.9).

Directions with paired replicates (same seed, so the same draws everywhere else), the budget's
arithmetic, the observation delay to the day, conservation, compiled against plain Python, and the
refusal of a budget or decision block an actor cannot use.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from conftest import BASELINE, one_route, run_ensemble
from corridor_sim import CorridorModel, ScenarioError, load_scenario
from corridor_sim.scenario import load_raw

STOCK = ["delivered_tons", "interdicted_tons", "in_transit_tons", "queued_tons"]
# The US's levers at their baseline values cost 2.48 M USD a day: 0.38 M scripted (sanctions
# enforcement 0.7 x 0.5 M, pressure on Baghdad 0.3 x 0.1 M), 2.1 M adaptive (land surveillance
# 0.3 x 2 M, maritime interdiction 0.5 x 3 M).
US_SCRIPTED, US_ADAPTIVE = 0.38e6, 2.1e6


def _baseline(days: int, **actor_blocks: dict) -> dict:
    """The baseline without its budgets and decisions, then the blocks given per actor."""
    raw = load_raw(BASELINE)
    raw["days"] = days
    for actor in raw["actors"].values():
        actor.pop("budget", None)
        actor.pop("decision", None)
    for actor, blocks in actor_blocks.items():
        raw["actors"][actor].update(copy.deepcopy(blocks))
    return raw


def _materiel_delivered(model) -> np.ndarray:
    """Per replicate: materiel delivered to Syria and Lebanon, tons (what US and Israel seek to deny)."""
    s = model.summary()
    return s[s["cargo"] == "materiel"].groupby("replicate")["delivered_tons"].sum().to_numpy()


def _materiel_interdicted(model) -> np.ndarray:
    s = model.summary()
    return s[s["cargo"] == "materiel"].groupby("replicate")["interdicted_tons"].sum().to_numpy()


# ----------------------------------------------------------------------------- budgets


def test_a_budget_pays_scripted_levers_first_and_funds_the_rest_of_adaptive_effort():
    """Money = scripted in full + funded share x adaptive cost; the allocation then sums to the funded share."""
    budget = US_SCRIPTED + 0.5 * US_ADAPTIVE
    model = CorridorModel(_baseline(10, us={"budget": {"usd_per_day": budget}}), replicates=4, rng=3).run()
    us = next(a for a in model.policy_actors if a.actor_id == "us")
    np.testing.assert_allclose(us.funded, 0.5, rtol=1e-12)
    np.testing.assert_allclose(us.cost_usd, 10 * budget, rtol=1e-12)
    for allocation in us.allocation.values():
        np.testing.assert_allclose(allocation.sum(axis=0), 0.5, rtol=1e-12)


def test_a_scripted_lever_switched_on_by_a_timeline_takes_money_from_adaptive_effort():
    """US strikes on militias (1 M a day from day 5, by timeline) are paid first: the funded share drops by 1 / 2.1."""
    budget = US_SCRIPTED + US_ADAPTIVE
    us = {
        "budget": {"usd_per_day": budget},
        "timeline": {"strike": {"lever": "strikes_on_militias", "day": 5, "set": 1.0}},
    }
    model = CorridorModel(_baseline(10, us=us), replicates=4, rng=3).run()
    actor = next(a for a in model.policy_actors if a.actor_id == "us")
    np.testing.assert_allclose(actor.funded, 1.0 - 1e6 / US_ADAPTIVE, rtol=1e-12)
    np.testing.assert_allclose(actor.cost_usd, 10 * budget, rtol=1e-12)


def test_an_adaptive_lever_a_timeline_moves_is_scripted_paid_in_full_with_full_effort():
    """Israel's strike rate (0.15 M a day at 0.3) under a 0.05 M budget: a third funded, until a timeline sets 0.8."""
    israel = {
        "budget": {"usd_per_day": 0.05e6},
        "timeline": {"campaign": {"lever": "strike_rate", "day": 5, "set": 0.8}},
    }
    model = CorridorModel(_baseline(10, israel=israel), replicates=4, rng=3)
    actor = next(a for a in model.policy_actors if a.actor_id == "israel")
    (allocation,) = actor.allocation.values()
    model.run_for(5)
    np.testing.assert_allclose(allocation.sum(axis=0), 1 / 3, rtol=1e-12)
    model.run_for(5)
    np.testing.assert_allclose(allocation.sum(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(actor.cost_usd, 5 * 0.05e6 + 5 * 0.8 * 0.5e6, rtol=1e-12)


def test_a_budget_that_never_binds_changes_no_flow():
    """Funded in full, the allocation is the plan times 1: every flow as without a budget, to the bit."""
    free = run_ensemble(_baseline(120), 16, seed=5).summary()
    rich = run_ensemble(_baseline(120, us={"budget": {"usd_per_day": 1e9}}), 16, seed=5).summary()
    pd.testing.assert_frame_equal(free, rich, check_exact=True)


@pytest.mark.parametrize(
    ("actor", "low", "high"),
    [("us", US_SCRIPTED + 0.2 * US_ADAPTIVE, US_SCRIPTED + 0.9 * US_ADAPTIVE), ("israel", 0.03e6, 0.12e6)],
)
def test_an_actor_with_more_budget_never_does_worse_at_its_objective(actor, low, high):
    """Materiel denied: with more money (paired replicates) mean materiel delivered is lower, interdicted higher."""
    decision = {"decision": {"delay_days": 7, "detection": {"dist": "uniform", "low": 0.5, "high": 1.0}}}
    poor = run_ensemble(_baseline(730, **{actor: {"budget": {"usd_per_day": low}, **decision}}), 256, seed=7)
    rich = run_ensemble(_baseline(730, **{actor: {"budget": {"usd_per_day": high}, **decision}}), 256, seed=7)
    assert _materiel_delivered(rich).mean() < _materiel_delivered(poor).mean()
    assert _materiel_interdicted(rich).mean() > _materiel_interdicted(poor).mean()


# ----------------------------------------------------------------------------- decisions


def _two_targets(*, coef1, coef2, attribute="interdiction_probability", decision=None, days=120):
    """The one-route scenario with an actor whose adaptive lever acts on both legs."""
    raw = one_route(days=days, demand=100.0, leg1_p=0.01, leg2_p=0.01)
    lever = {
        "value": 1.0,
        "adaptive": {"rate": 0.1, "floor": 0.2},
        "effects": [
            {"segments": ["leg1"], "attribute": attribute, "coef": coef1},
            {"segments": ["leg2"], "attribute": attribute, "coef": coef2},
        ],
    }
    raw["actors"] = {"watcher": {"levers": {"patrols": lever}}}
    if decision is not None:
        raw["actors"]["watcher"]["decision"] = decision
    return raw


def _allocation(model) -> np.ndarray:
    (allocation,) = model.policy_actors[0].allocation.values()
    return allocation


def test_effort_goes_where_its_expected_payoff_is_and_interdicts_more():
    """Equal traffic on both legs, an effect five times as strong on leg2: a deciding actor puts more effort there."""
    follows = run_ensemble(_two_targets(coef1=0.01, coef2=0.05), 32, seed=2)
    decides = run_ensemble(_two_targets(coef1=0.01, coef2=0.05, decision={}), 32, seed=2)
    assert np.abs(_allocation(follows)[1] - 0.5).max() < 0.02  # traffic alone: about even
    assert (_allocation(decides)[1] > 0.7).all()
    assert decides.summary()["interdicted_tons"].mean() > follows.summary()["interdicted_tons"].mean()


def test_imperfect_detection_tilts_effort_toward_the_target_it_over_sees():
    """Detection drawn per replicate and target: effort is higher where the actor sees a larger share of the tons."""
    model = run_ensemble(
        _two_targets(coef1=0.02, coef2=0.02, decision={"detection": {"dist": "uniform", "low": 0.2, "high": 1.0}}),
        64,
        seed=4,
    )
    actor = model.policy_actors[0]
    (li,) = actor.detection
    seen_ratio = actor.detection[li][1] / actor.detection[li][0]
    clear = np.abs(seen_ratio - 1.0) > 0.1
    assert clear.sum() > 30
    allocation = _allocation(model)
    np.testing.assert_array_equal((allocation[1] > allocation[0])[clear], (seen_ratio > 1.0)[clear])


@pytest.mark.parametrize("delay", [1, 6])
def test_the_actor_sees_traffic_exactly_delay_days_late(delay):
    """Effects on cost leave flows alone: a late actor's allocation on day t + delay is a prompt one's on day t."""
    days = 40
    prompt = CorridorModel(
        _two_targets(coef1=3.0, coef2=9.0, attribute="cost_usd_per_ton", decision={}, days=days), replicates=4, rng=1
    )
    late = CorridorModel(
        _two_targets(coef1=3.0, coef2=9.0, attribute="cost_usd_per_ton", decision={"delay_days": delay}, days=days),
        replicates=4,
        rng=1,
    )
    history = []
    prompt.observers.append(lambda model, day, flows: history.append(_allocation(model).copy()))
    prompt.run()
    late.run_for(days - delay)
    np.testing.assert_array_equal(_allocation(late), history[days - 2 * delay - 1])
    assert not np.allclose(history[days - 2 * delay - 1], 0.5)


# ----------------------------------------------------------------------------- invariants


def _deciders_on(days: int) -> dict:
    detection = {"dist": "uniform", "low": 0.4, "high": 1.0}
    return _baseline(
        days,
        us={"budget": {"usd_per_day": 1.5e6}, "decision": {"delay_days": 3, "detection": detection}},
        israel={"budget": {"usd_per_day": 0.1e6}, "decision": {"delay_days": 2, "detection": detection}},
    )


def test_conservation_per_cargo_with_budgets_and_decisions():
    """Dispatched = delivered + interdicted + in transit + queued, per replicate, route and cargo."""
    s = run_ensemble(_deciders_on(200), 64).summary()
    assert s["interdicted_tons"].sum() > 0
    np.testing.assert_allclose(s["dispatched_tons"], s[STOCK].sum(axis=1), rtol=1e-9, atol=1e-6)


def test_compiled_and_plain_python_agree_with_budgets_and_decisions(monkeypatch):
    raw = _deciders_on(60)
    compiled = CorridorModel(raw, replicates=8, rng=4).run()
    monkeypatch.setattr(CorridorModel, "SMALL_RUN", 10**9)
    plain = CorridorModel(raw, replicates=8, rng=4).run()
    pd.testing.assert_frame_equal(compiled.summary(), plain.summary(), check_exact=True)
    pd.testing.assert_frame_equal(compiled.actor_costs(), plain.actor_costs(), check_exact=True)


# ----------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("actor", "block", "words"),
    [
        ("egypt", {"budget": {"usd_per_day": 1e5}}, ("actors.egypt.budget", "no adaptive lever")),
        ("iraq", {"decision": {"delay_days": 3}}, ("actors.iraq.decision", "no adaptive lever")),
        ("us", {"decision": {"delay_days": 61}}, ("actors.us.decision.delay_days", "not within [0, 60]")),
        ("us", {"budget": {"usd_per_day": -1}}, ("actors.us.budget.usd_per_day", "must not be negative")),
        ("us", {"decision": {"detection": 1.5}}, ("actors.us.decision.detection", "not within [0, 1]")),
    ],
)
def test_a_budget_or_decision_the_actor_cannot_use_is_refused(actor, block, words, tmp_path):
    import yaml

    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(_baseline(30, **{actor: block})))
    with pytest.raises(ScenarioError) as refused:
        load_scenario(path)
    assert any(str(path) in line and all(w in line for w in words) for line in str(refused.value).splitlines())
