"""Loading and validating scenario files: errors, ``extends:``, overrides and truncation."""

from __future__ import annotations

import datetime as dt
import math
import re

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor_sim import CorridorModel, Scenario, ScenarioError, load_scenario
from corridor_sim.scenario import default_scenario_path, flat_names, load_raw, truncate, validate

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _error(source) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(source)
    return info.value


# ----------------------------------------------------------------------------- good files


def test_baseline_loads_as_a_frozen_scenario(baseline_path):
    """The shipped baseline validates, starts on 2019-01-01 and runs two years of days."""
    spec = load_scenario(baseline_path)
    assert isinstance(spec, Scenario)
    assert spec.start_date == dt.date(2019, 1, 1)
    assert spec.days == 730
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen error type is an implementation detail
        spec.days = 10  # type: ignore[misc]


def test_default_scenario_is_the_shipped_baseline(baseline_path):
    """load_scenario(None) gives the same scenario as scenarios/baseline.yaml."""
    assert default_scenario_path().read_bytes() == baseline_path.read_bytes()
    assert load_scenario(None) == load_scenario(baseline_path)


def test_every_shipped_scenario_validates(scenario_files):
    """Every file in scenarios/ loads (with its extends: chain) and has a distinct name."""
    names = [load_scenario(path).name for path in scenario_files]
    assert len(set(names)) == len(names)


def test_hand_written_scenario_loads_from_dict_and_file(make_scenario, write_yaml):
    """A raw mapping and the same mapping written to YAML give equal scenarios."""
    raw = make_scenario(leg2_capacity=40)
    assert load_scenario(raw) == load_scenario(write_yaml(raw))


def test_resolved_scenario_round_trips(policy_scenario):
    """Scenario.to_dict(), dumped to YAML and loaded again, gives the same scenario (distributions included)."""
    raw = policy_scenario(leg1_p={"dist": "beta", "a": 2, "b": 30})
    raw["actors"]["us"]["levers"]["surveillance"]["effects"][0]["coef"] = {"dist": "normal", "mean": 0.1, "sd": 0.02}
    spec = load_scenario(raw)
    again = load_scenario(yaml.safe_load(yaml.safe_dump(spec.to_dict())))
    assert again == spec


# ----------------------------------------------------------------------------- bad files


def test_bad_input_is_refused_naming_file_key_path_and_problem(bad_input, tmp_path, names_problem):
    """Each kind of wrong scenario file raises ScenarioError whose message names the file, key path and problem."""
    path = bad_input.write(tmp_path)
    err = _error(path)
    message = err.format()
    assert err.source == str(path)
    assert names_problem(message, path, bad_input.key_path, bad_input.fragments), message


@pytest.mark.parametrize(
    ("where", "typo", "hint"),
    [
        pytest.param(("nodes", "hub"), "sorce", "source", id="node"),
        pytest.param(("fleets", "trucks"), "payload_ton", "payload_tons", id="fleet"),
        pytest.param(("routes", "road"), "fleeet", "fleet", id="route"),
        pytest.param(("rules", "vote"), "probabilty", "probability", id="rule"),
        pytest.param(
            ("actors", "us", "levers", "surveillance", "effects", 0),
            "factorz",
            "factors",
            id="lever_effect",
        ),
        pytest.param(
            ("rules", "vote", "when"),
            "abov",
            "above",
            id="rule_condition",
        ),
    ],
)
def test_unknown_key_anywhere_gets_did_you_mean_hint(policy_scenario, write_yaml, where, typo, hint, names_problem):
    """A misspelt key at any depth is refused as unknown, with the closest allowed key suggested."""
    raw = policy_scenario()
    node = raw
    for part in where:
        node = node[part]
    node[typo] = 1
    path = write_yaml(raw)
    key_path = ".".join(str(p) for p in where) + f".{typo}"
    message = _error(path).format()
    assert names_problem(message, path, key_path, ("unknown key", f"did you mean '{hint}'")), message


def test_every_problem_is_reported_at_once(make_scenario, write_yaml, names_problem):
    """Several independent problems in one file are all listed, each with its own key path."""
    raw = make_scenario()
    raw["segments"]["leg1"]["interdiction_probability"] = 1.5
    raw["segments"]["leg2"]["capacity_tons_per_day"] = -1
    path = write_yaml(raw)
    message = _error(path).format()
    assert names_problem(message, path, "segments.leg1.interdiction_probability", ("not within [0, 1]",))
    assert names_problem(message, path, "segments.leg2.capacity_tons_per_day", ("cannot be negative",))


def test_raw_mapping_errors_name_a_source(make_scenario, names_problem):
    """A raw mapping with a problem is refused with the key path, under the '<scenario>' label."""
    raw = make_scenario(leg1_p=7)
    message = _error(raw).format()
    assert names_problem(message, "<scenario>", "segments.leg1.interdiction_probability", ("not within [0, 1]",))


@FAST
@given(p=st.floats())
def test_interdiction_probability_accepted_iff_within_unit_interval(make_scenario, p, names_problem):
    """Any interdiction_probability in [0, 1] is accepted as given; any other float (inf, NaN) is refused."""
    raw = make_scenario(leg1_p=p)
    if 0.0 <= p <= 1.0:
        assert validate(raw).segments["leg1"].interdiction_probability == p
    else:
        with pytest.raises(ScenarioError) as info:
            validate(raw, "x.yaml")
        # NaN, inf and numbers beyond 1e15 are refused as numbers before any range is checked.
        problem = (
            "finite number" if not math.isfinite(p) else "largest magnitude" if abs(p) > 1e15 else "not within [0, 1]"
        )
        assert names_problem(info.value.format(), "x.yaml", "segments.leg1.interdiction_probability", (problem,))


@FAST
@given(low=st.floats(-2, 2, allow_nan=False), width=st.floats(0, 2, allow_nan=False))
def test_uniform_probability_accepted_iff_support_within_unit_interval(make_scenario, low, width, names_problem):
    """A Uniform(low, high) interdiction probability is accepted exactly when [low, high] lies in [0, 1]."""
    high = low + width
    raw = make_scenario(leg2_p={"dist": "uniform", "low": low, "high": high})
    if 0.0 <= low and high <= 1.0:
        validate(raw)
    else:
        with pytest.raises(ScenarioError) as info:
            validate(raw, "x.yaml")
        assert names_problem(
            info.value.format(), "x.yaml", "segments.leg2.interdiction_probability", ("uniform", "not within [0, 1]")
        )


@FAST
@given(capacity=st.floats(-1e6, 1e6, allow_nan=False))
def test_capacity_accepted_iff_not_negative(make_scenario, capacity):
    """A segment capacity is accepted when >= 0 and refused (at its key path) when negative."""
    raw = make_scenario(leg2_capacity=capacity)
    if capacity >= 0:
        assert validate(raw).segments["leg2"].capacity_tons_per_day == capacity
    else:
        with pytest.raises(ScenarioError) as info:
            validate(raw, "x.yaml")
        assert "segments.leg2.capacity_tons_per_day" in info.value.format()


@FAST
@given(actor=st.text(alphabet="abcXYZ019_.- é", max_size=8))
def test_actor_id_accepted_iff_identifier_like(make_scenario, actor, names_problem):
    """Any key of ``actors`` made of lowercase letters, digits and underscores, starting with a letter,
    declares an actor; any other is refused at its key path."""
    raw = make_scenario()
    raw["actors"] = {actor: {"label": "a party"}}
    if re.fullmatch(r"[a-z][a-z0-9_]*", actor):
        assert list(validate(raw).actors) == [actor]
    else:
        with pytest.raises(ScenarioError) as info:
            validate(raw, "x.yaml")
        assert names_problem(info.value.format(), "x.yaml", f"actors.{actor}", ("not an actor id",))


@pytest.mark.parametrize("where", ["segments.leg1", "nodes.hub"])
def test_nan_probability_is_refused(make_scenario, write_yaml, names_problem, where):
    """interdiction_probability: .nan (YAML's NaN) is not a probability and is refused at its key path."""
    raw = make_scenario()
    section, key = where.split(".")
    raw[section][key]["interdiction_probability"] = math.nan
    path = write_yaml(raw)
    assert ".nan" in path.read_text()
    message = _error(path).format()
    assert names_problem(message, path, f"{where}.interdiction_probability", ("nan",)), message


# ----------------------------------------------------------------------------- extends


@pytest.fixture
def parent_file(policy_scenario, write_yaml):
    raw = policy_scenario()
    raw["segments"]["leg2"]["capacity_tons_per_day"] = 50
    return write_yaml(raw, "base/parent.yaml")


def test_extends_child_overrides_only_what_it_changes(parent_file, write_yaml):
    """A child scenario takes every value from its parent except those it sets (nested keys merge)."""
    child = write_yaml(
        {
            "extends": "base/parent.yaml",
            "name": "child",
            "segments": {"leg1": {"interdiction_probability": 0.2}},
            "actors": {"us": {"levers": {"surveillance": {"value": 0.6}}}},
        },
        "child.yaml",
    )
    parent, spec = load_scenario(parent_file), load_scenario(child)
    assert spec.name == "child"
    assert spec.segments["leg1"].interdiction_probability == 0.2
    assert spec.segments["leg1"].cost_usd_per_ton == parent.segments["leg1"].cost_usd_per_ton
    assert spec.actors["us"].levers["surveillance"].value == 0.6
    assert spec.actors["us"].levers["surveillance"].effects == parent.actors["us"].levers["surveillance"].effects
    # Everything else is the parent's.
    assert spec.model_copy(update={"name": parent.name, "segments": parent.segments, "actors": parent.actors}) == parent


def test_extends_null_deletes_a_key(parent_file, write_yaml):
    """A key set to null in the child is removed (here: leg2's capacity, and the rules)."""
    child = write_yaml(
        {"extends": "base/parent.yaml", "segments": {"leg2": {"capacity_tons_per_day": None}}, "rules": None},
        "child.yaml",
    )
    assert load_scenario(parent_file).segments["leg2"].capacity_tons_per_day == 50
    spec = load_scenario(child)
    assert spec.segments["leg2"].capacity_tons_per_day is None
    assert spec.rules == {}


def test_extends_chain_of_three(parent_file, write_yaml):
    """A grandchild sees its parent's and grandparent's values, the nearest winning."""
    write_yaml(
        {"extends": "base/parent.yaml", "days": 40, "segments": {"leg1": {"cost_usd_per_ton": 11}}}, "child.yaml"
    )
    grandchild = write_yaml(
        {"extends": "child.yaml", "segments": {"leg1": {"cost_usd_per_ton": 12}}}, "grandchild.yaml"
    )
    spec = load_scenario(grandchild)
    assert (spec.days, spec.segments["leg1"].cost_usd_per_ton, spec.segments["leg2"].capacity_tons_per_day) == (
        40,
        12,
        50,
    )


def test_extends_loop_is_refused(policy_scenario, write_yaml):
    """Two files extending each other are refused with a message naming 'extends' and the loop."""
    a = write_yaml({**policy_scenario(), "extends": "b.yaml"}, "a.yaml")
    write_yaml({"extends": "a.yaml", "name": "b"}, "b.yaml")
    err = _error(a)
    assert "extends" in err.format() and "loop" in err.format()


def test_extends_self_is_refused(policy_scenario, write_yaml, names_problem):
    """A file extending itself is refused as a loop."""
    path = write_yaml({**policy_scenario(), "extends": "self.yaml"}, "self.yaml")
    assert names_problem(_error(path).format(), path, "extends", ("loop",))


def test_extends_missing_parent_is_refused(write_yaml, names_problem):
    """extends: naming a file that does not exist is refused, naming the child file and 'extends'."""
    path = write_yaml({"extends": "nowhere.yaml", "name": "x"}, "child.yaml")
    assert names_problem(_error(path).format(), path, "extends", ("not found",))


def test_extends_error_in_child_names_child_file(parent_file, write_yaml, names_problem):
    """A bad value set in a child file is reported with the child's file name and the key path."""
    child = write_yaml(
        {"extends": "base/parent.yaml", "segments": {"leg1": {"interdiction_probability": 3}}}, "child.yaml"
    )
    assert names_problem(
        _error(child).format(), child, "segments.leg1.interdiction_probability", ("not within [0, 1]",)
    )


def test_shipped_child_scenarios_keep_what_they_do_not_change(scenario_files):
    """Each shipped scenario with extends: has its parent's value for every top-level key and actor it leaves out."""
    children = [p for p in scenario_files if "extends" in (yaml.safe_load(p.read_text()) or {})]
    assert children, "expected shipped scenarios that extend another"
    for path in children:
        own = yaml.safe_load(path.read_text())
        parent, child = load_scenario(path.parent / own["extends"]), load_scenario(path)
        for key in Scenario.model_fields:
            if key not in own:
                assert getattr(child, key) == getattr(parent, key), f"{path.name}: {key}"
        for actor in parent.actors:
            if actor not in (own.get("actors") or {}):
                assert child.actors[actor] == parent.actors[actor], f"{path.name}: actors.{actor}"
        assert child != parent


# ----------------------------------------------------------------------------- overrides


def test_override_by_key_path_and_flat_name_agree(baseline_path):
    """actors.us.levers.land_surveillance and the flat name us_land_surveillance set the same start value."""
    by_path = load_scenario(baseline_path, overrides={"actors.us.levers.land_surveillance": 0.65})
    by_name = load_scenario(baseline_path, overrides={"us_land_surveillance": 0.65})
    assert by_path.actors["us"].levers["land_surveillance"].value == 0.65
    assert by_path == by_name
    assert load_scenario(baseline_path).actors["us"].levers["land_surveillance"].value != 0.65


def test_a_flat_name_two_levers_would_share_is_refused_with_its_key_paths(baseline_path):
    """Actor ``us`` with lever ``navy_patrols`` and actor ``us_navy`` with ``patrols`` both spell us_navy_patrols:
    the name sets neither (it is refused, naming both key paths), and each key path still works."""
    raw = load_raw(baseline_path)
    raw["actors"]["us"]["levers"]["navy_patrols"] = {"value": 0}
    raw["actors"]["us_navy"] = {"levers": {"patrols": {"value": 0}}}
    assert "us_navy_patrols" not in flat_names(raw) and "us_land_surveillance" in flat_names(raw)
    with pytest.raises(ScenarioError, match="us_navy_patrols: ambiguous override name") as info:
        load_scenario(raw, overrides={"us_navy_patrols": 1})
    assert "actors.us.levers.navy_patrols.value or actors.us_navy.levers.patrols.value" in str(info.value)
    spec = load_scenario(raw, overrides={"actors.us_navy.levers.patrols": 1})
    assert (spec.actors["us_navy"].levers["patrols"].value, spec.actors["us"].levers["navy_patrols"].value) == (1, 0)


def test_override_days_and_segment_key_path(baseline_path):
    """days=... and a segment's key path override those values and nothing else."""
    seg = "segments.road_tehran_baghdad.interdiction_probability"
    spec = load_scenario(baseline_path, overrides={"days": 90, seg: 0.05})
    base = load_scenario(baseline_path)
    assert spec.days == 90
    assert spec.segments["road_tehran_baghdad"].interdiction_probability == 0.05
    assert spec.model_copy(update={"days": base.days, "segments": base.segments}) == base


def test_model_accepts_flat_overrides(baseline_path):
    """CorridorModel(path, us_land_surveillance=..., days=...) starts with those values."""
    model = CorridorModel(baseline_path, replicates=2, rng=1, days=20, us_land_surveillance=0.9)
    assert model.spec.days == 20
    assert (model.levers.factor("us.land_surveillance") == 0.9).all()


def test_model_days_override_drops_later_changes_with_warning(policy_scenario):
    """CorridorModel(scenario, days=n) shortens the run, dropping timed changes from day n on with a warning."""
    raw = policy_scenario(days=60)
    raw["actors"]["us"]["timeline"]["later"] = {"lever": "surveillance", "day": 40, "set": 0.1}
    with pytest.warns(UserWarning, match="actors.us.timeline.later"):
        model = CorridorModel(raw, replicates=2, rng=1, days=30)
    assert model.spec.days == 30 and set(model.spec.actors["us"].timeline) == {"more"}


@pytest.mark.parametrize(("name", "hint"), [("us_land_surveilance", "us_land_surveillance"), ("dayz", "days")])
def test_unknown_override_name_is_refused_with_hint(baseline_path, name, hint):
    """An override name that is neither a key path nor a flat name is refused, suggesting the closest name."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(baseline_path, overrides={name: 1})
    message = info.value.format()
    assert name in message and "unknown override name" in message and f"did you mean '{hint}'" in message


def test_unknown_override_key_path_is_refused(baseline_path):
    """A dotted override path that does not exist in the scenario is refused, naming the path."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(baseline_path, overrides={"segments.no_such_segment.cost_usd_per_ton": 5})
    assert "segments.no_such_segment.cost_usd_per_ton" in info.value.format()
    assert "unknown key path" in info.value.format()


def test_override_value_is_validated(baseline_path, names_problem):
    """An override putting a lever outside its range is refused at the lever's key path."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(baseline_path, overrides={"us_land_surveillance": 1.4})
    assert names_problem(
        info.value.format(), baseline_path, "actors.us.levers.land_surveillance.value", ("not within",)
    )


@pytest.mark.parametrize(
    ("name", "value", "attribute"),
    [
        ("days", 30, "days"),
        ("start_date", "2020-01-01", "start_date"),
        ("shipper_inertia", 0.5, "shipper"),
    ],
)
def test_flat_override_works_when_the_scenario_uses_the_default(make_scenario, name, value, attribute):
    """days=, start_date= and shipper_<field>= work on a scenario that leaves those keys at their defaults."""
    raw = make_scenario()
    del raw["days"], raw["start_date"]
    spec = load_scenario(raw, overrides={name: value})
    assert getattr(spec, attribute) != getattr(load_scenario(raw), attribute)


# ----------------------------------------------------------------------------- truncate


@pytest.fixture
def timed_spec(policy_scenario):
    raw = policy_scenario(days=60)
    raw["actors"]["us"]["timeline"]["later"] = {"lever": "surveillance", "day": 40, "set": 0.1}
    raw["actors"]["us"]["timeline"]["dated"] = {"lever": "troops", "date": "2019-02-20", "set": 0.5}  # day 50
    return load_scenario(raw)


def test_truncate_drops_later_changes_with_warnings(timed_spec):
    """truncate(spec, 30) keeps changes before day 30, drops later ones and warns about each by key path."""
    short, warnings = truncate(timed_spec, 30)
    assert short.days == 30
    assert set(short.actors["us"].timeline) == {"more"}
    assert len(warnings) == 2
    assert any("actors.us.timeline.later" in w and "day 40" in w for w in warnings)
    assert any("actors.us.timeline.dated" in w and "day 50" in w for w in warnings)
    assert timed_spec.days == 60 and len(timed_spec.actors["us"].timeline) == 3  # the original is untouched


def test_truncate_keeps_change_on_last_day(timed_spec):
    """A change dated the last day of the shortened horizon is kept; the day itself is dropped when cut."""
    short, warnings = truncate(timed_spec, 41)
    assert set(short.actors["us"].timeline) == {"more", "later"}
    assert len(warnings) == 1
    short, _ = truncate(timed_spec, 40)
    assert "later" not in short.actors["us"].timeline


def test_truncate_to_same_or_longer_horizon_drops_nothing(timed_spec):
    """truncate to the same or a longer horizon keeps every change and warns about none."""
    same, warnings = truncate(timed_spec, 60)
    assert same == timed_spec and warnings == []
    longer, warnings = truncate(timed_spec, 90)
    assert longer.days == 90 and warnings == []
    assert longer.actors == timed_spec.actors


def test_key_path_override_reaches_into_lists(baseline_path):
    """A numeric part of a key path indexes a list, so sweeps can vary an effect's coefficient."""
    spec = load_scenario(baseline_path, overrides={"actors.us.levers.land_surveillance.effects.0.coef": 0.2})
    assert spec.actors["us"].levers["land_surveillance"].effects[0].coef == 0.2
    with pytest.raises(ScenarioError, match=r"effects\.3"):
        load_scenario(baseline_path, overrides={"actors.us.levers.land_surveillance.effects.3.coef": 0.2})
