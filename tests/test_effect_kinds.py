"""Lever effect kinds: a registry of small modules, chosen by an effect's ``kind:`` or its attribute.

A scenario writer relies on three things: an effect without ``kind:`` behaves as documented for its
attribute, an effect that names a kind is applied by that kind's rule, and a wrong kind is refused
with the key path. The engine relies on every registered kind being reachable from its dispatch.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import one_route
from corridor_sim import CorridorModel, ScenarioError, effect_kinds, load_scenario


def with_lever(kind: str | None, attribute: str = "cost_usd_per_ton", coef: float = 0.5) -> dict:
    """The one-route scenario with a US lever at 1 whose one effect changes leg1's ``attribute``."""
    raw = one_route(days=5, leg2_capacity=400.0)
    effect = {"segments": ["leg1" if attribute != "capacity_tons_per_day" else "leg2"], "attribute": attribute}
    effect["coef"] = coef
    if kind is not None:
        effect["kind"] = kind
    raw["actors"] = {"us": {"levers": {"pressure": {"value": 1.0, "effects": [effect]}}}}
    return raw


def test_every_registered_kind_is_reached_by_the_dispatch():
    """apply_kind(i, ...) is exactly kind i's own rule, for every kind registered (a forgotten branch fails)."""
    rng = np.random.default_rng(3)
    for i, kind in enumerate(effect_kinds.KINDS):
        value, m = rng.uniform(0, 1, 50), rng.uniform(-1.5, 1.5, 50)
        expected, got = value.copy(), value.copy()
        getattr(kind, f"apply_{kind.NAME}")(expected, m, 50)
        effect_kinds.apply_kind(i, got, m, 50)
        assert np.array_equal(got, expected), kind.NAME
        assert not np.array_equal(got, value), f"{kind.NAME} changed nothing"


def test_each_kind_says_what_it_may_change_and_defaults_cover_every_attribute():
    from corridor_sim.scenario_schema import SEGMENT_ATTRIBUTES

    for attribute in SEGMENT_ATTRIBUTES:
        default = effect_kinds.default_kind(attribute)
        assert effect_kinds.allowed(default, attribute)
    assert len(set(effect_kinds.NAMES)) == len(effect_kinds.NAMES)


def test_an_effect_without_a_kind_takes_its_attributes_default():
    """A cost effect adds: 10 + 0.5 USD/t, whether or not the scenario says ``kind: add``."""
    plain = CorridorModel(with_lever(None), replicates=2, rng=1)
    named = CorridorModel(with_lever("add"), replicates=2, rng=1)
    assert np.allclose(plain.segment_now["cost_usd_per_ton"][0], 10.5)
    assert np.array_equal(plain.segment_now["cost_usd_per_ton"], named.segment_now["cost_usd_per_ton"])


def test_a_named_kind_applies_its_own_rule():
    """``kind: scale`` on a cost multiplies it (10 x 1.5); ``kind: add`` on a capacity adds tons a day."""
    scaled = CorridorModel(with_lever("scale"), replicates=2, rng=1)
    assert np.allclose(scaled.segment_now["cost_usd_per_ton"][0], 15.0)
    added = CorridorModel(with_lever("add", "capacity_tons_per_day", coef=100.0), replicates=2, rng=1)
    assert np.allclose(added.segment_now["capacity_tons_per_day"][1], 500.0)
    default = CorridorModel(with_lever(None, "capacity_tons_per_day", coef=-0.25), replicates=2, rng=1)
    assert np.allclose(default.segment_now["capacity_tons_per_day"][1], 300.0)


def test_a_named_kind_changes_the_run_through_the_compiled_engine():
    """Past the plain-Python threshold the compiled engine applies the named kind too: costs rise 1.5x."""
    runs = {
        kind: CorridorModel(with_lever(kind, coef=4.0), replicates=40, rng=2, keep_daily=False).run()
        for kind in ("add", "scale")
    }
    transport = {kind: model.summary()["transport_usd"].sum() for kind, model in runs.items()}
    assert transport["scale"] > transport["add"]


@pytest.mark.parametrize(
    ("kind", "attribute", "words"),
    [
        ("scael", "cost_usd_per_ton", ["unknown effect kind 'scael'", "did you mean 'scale'", "kinds: probability"]),
        ("add", "interdiction_probability", ["cannot change interdiction_probability", "['probability']"]),
        ("probability", "fee_usd_per_ton", ["cannot change fee_usd_per_ton", "'add'"]),
    ],
)
def test_a_wrong_kind_is_refused_with_its_key_path(kind, attribute, words):
    with pytest.raises(ScenarioError) as info:
        load_scenario(with_lever(kind, attribute))
    message = str(info.value)
    assert "actors.us.levers.pressure.effects.0.kind" in message
    for word in words:
        assert word in message, message
