"""Spans: inside run/run_for the kernels take several days at a time, with the results of day-by-day stepping.

A span is taken only over days on which nothing outside the kernel acts (no timed change, ramp
step, rule firing or user event), so every table must match the model stepped one day at a time,
bit for bit, and spans must stop short of anything scheduled.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from conftest import BASELINE
from corridor_sim import CorridorModel
from corridor_sim.scenario import load_raw
from corridor_sim.streams import InterdictionDraws


@pytest.fixture(scope="module")
def eventful() -> dict:
    """The baseline with a strike campaign on day 20 (its rule fires 6-31 days later in half the
    replicates), a surveillance ramp from day 50 over 10 days and a one-off change on day 75."""
    raw = copy.deepcopy(load_raw(BASELINE))
    raw["days"] = 110
    raw["actors"]["us"]["timeline"] = {
        "strikes": {"lever": "strikes_on_militias", "day": 20, "set": 1},
        "watch": {"lever": "land_surveillance", "day": 50, "ramp_to": 0.9, "ramp_days": 10},
    }
    raw["actors"]["iraq"]["timeline"] = {"close": {"lever": "official_crossing_open", "day": 75, "set": 0}}
    return raw


def _tables(model: CorridorModel, daily: bool) -> dict[str, pd.DataFrame]:
    out = {name: getattr(model, name)() for name in ("summary", "bands", "events", "destinations", "actor_costs")}
    out["collected"] = model.datacollector.get_model_vars_dataframe()
    if daily:
        out["timeseries"], out["actor_levers"] = model.timeseries(), model.actor_levers()
    return out


def _assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)


@pytest.mark.parametrize(("replicates", "threads", "daily"), [(300, 1, True), (2600, 2, False)])
def test_spans_give_the_tables_of_day_by_day_stepping(eventful, replicates, threads, daily):
    if daily:  # levers that respond (ODD 7.16) move inside the engine: a daily lever table needs day by day
        eventful = copy.deepcopy(eventful)
        for lever in eventful["actors"]["militias"]["levers"].values():
            lever.pop("response", None)
    by_day = CorridorModel(eventful, replicates=replicates, rng=4, threads=threads, keep_daily=daily, span=1).run()
    spanned = CorridorModel(eventful, replicates=replicates, rng=4, threads=threads, keep_daily=daily).run()
    assert by_day.scheduler.spans == 0 and spanned.scheduler.spans > 5
    assert (spanned.events()["cause"] == "rule:parliament_vote").any()  # the rule did fire
    _assert_same(_tables(by_day, daily), _tables(spanned, daily))


def test_mesa_step_alone_never_runs_ahead(eventful):
    """model.step() is one day: the state after it is that day's, as an analyst stepping by hand expects."""
    stepped = CorridorModel(eventful, replicates=200, rng=2, keep_daily=False)
    run = CorridorModel(eventful, replicates=200, rng=2, keep_daily=False)
    for day in range(1, 30):
        stepped.step()
        run.run_for(1)
        assert stepped.day == run.day == day
        np.testing.assert_array_equal(stepped.queue, run.queue)
    assert stepped.scheduler.spans == run.scheduler.spans == 0


def test_run_for_stops_at_its_end_and_resumes(eventful):
    whole = CorridorModel(eventful, replicates=300, rng=8, keep_daily=False).run()
    pieces = CorridorModel(eventful, replicates=300, rng=8, keep_daily=False)
    for days in (13, 1, 40, 7, 49):
        pieces.run_for(days)
        assert pieces.recorder.days_recorded == pieces.day  # nothing simulated beyond what run_for asked
    assert pieces.day == 110 and pieces.scheduler.spans > 0
    _assert_same(_tables(whole, False), _tables(pieces, False))


def test_spans_end_before_scheduled_events(eventful):
    """No span covers a day whose levers something outside the kernel set: the days of the timed
    changes, each ramp step and each rule firing start a new span."""
    model = CorridorModel(eventful, replicates=300, rng=3, keep_daily=False)
    started: list[tuple[int, int]] = []
    span_length = model.scheduler.span_length

    def spy(d: int) -> int:
        n = span_length(d)
        started.append((d, n))
        return n

    model.scheduler.span_length = spy
    model.run()
    covered = {d + k for d, n in started for k in range(1, n)}  # days simulated inside another day's span
    assert len(covered) > 30
    changed = {20, 75} | set(range(50, 60)) | set(model.events().query("cause == 'rule:parliament_vote'")["day"])
    assert not covered & changed
    lengths = dict(started)
    # Strikes start on day 20, a rising edge of the rule's metric: a firing armed on day 20 lands on day
    # 26 or later (5-day delay), so that span stops at 6 days; elsewhere the rule cannot arm and spans run
    # to the limit.
    assert lengths[20] <= 6
    assert max(lengths.values()) == CorridorModel.MAX_SPAN


def test_rules_on_flows_and_observers_keep_the_model_day_by_day():
    raw = load_raw(BASELINE)
    raw["rules"]["parliament_vote"]["when"] = {"metric": "delivered_7d:mode:land:materiel", "above": 1e9}
    assert CorridorModel(raw, replicates=200, rng=1, days=30, keep_daily=False).run().scheduler.spans == 0
    watched = CorridorModel(BASELINE, replicates=200, rng=1, days=30, keep_daily=False)
    seen: list[int] = []
    watched.observers.append(lambda model, day, flows: seen.append(day))
    assert watched.run().scheduler.spans == 0 and seen == list(range(30))


@pytest.mark.parametrize(("first", "count"), [(0, 512), (0, 264), (256, 8)])
def test_a_span_of_uniforms_is_the_days_drawn_one_by_one(first, count):
    daily, spanned = InterdictionDraws(((7, first, count),), 50), InterdictionDraws(((7, first, count),), 50)
    days = [daily.fill()[0].copy() for _ in range(3)]
    blocks = len(days[0])
    got, _ = spanned.fill_span(3, 0, blocks, *spanned.span_buffers(blocks, 4))
    for k in range(3):
        np.testing.assert_array_equal(got[:, k], days[k])
    np.testing.assert_array_equal(spanned.fill()[0], daily.fill()[0])  # and the streams go on from the same place


def test_span_must_be_positive():
    with pytest.raises(ValueError, match="span must be at least 1"):
        CorridorModel(BASELINE, replicates=1, span=0)


def test_a_rule_on_the_day_fires_as_day_by_day():
    """A rule whose metric is the day rises on a day known in advance: the span before it stops in time."""
    raw = load_raw(BASELINE)
    raw["rules"]["parliament_vote"]["when"] = {"metric": "day", "above": 40}
    raw["rules"]["parliament_vote"]["probability"] = 1.0
    by_day = CorridorModel(raw, replicates=300, rng=1, days=120, keep_daily=False, span=1).run()
    spanned = CorridorModel(raw, replicates=300, rng=1, days=120, keep_daily=False).run()
    assert spanned.scheduler.spans > 5 and len(spanned.events()) == 300  # every replicate fired, 6-31 days after day 41
    _assert_same(_tables(by_day, False), _tables(spanned, False))


@pytest.mark.parametrize("keep_daily", [False, True])
def test_rows_a_chunk_left_unwritten_count_as_zeros(keep_daily):
    """A chunk with nothing on a route leaves the route's band rows unwritten (flagged in the sums):
    the recorder zeroes that chunk's part where some other chunk wrote the route, and where no chunk
    did, gives the rows zero bands without reading them (zeroing them too when daily tables read them)."""
    model = CorridorModel(BASELINE, replicates=600, rng=1, days=3, keep_daily=keep_daily, threads=1)
    rec = model.recorder
    rows, parts, sums = rec.buffers(1, parts=False)
    stack, sums = rows[0], sums[0]
    stack[:] = np.random.default_rng(0).random(stack.shape) + 1.0  # stale values from an earlier day
    sums[:] = 1.0
    sums[1:, 3, 0] = 0.0  # route 0: only the first chunk wrote its rows
    sums[:, 3, 2] = 0.0  # route 2: no chunk did
    expected = stack.copy()
    expected[rec._route_rows[0], 256:] = 0.0
    expected[rec._route_rows[2]] = 0.0
    expected[rec._never_rows] = 0.0  # a cargo class a route does not carry (oil on materiel's routes): zeros
    assert len(rec._never_rows) > 0
    flows = rec.record(0, stack, parts[0], sums)
    rec.finish()
    stats = rec.band_stats[0]
    np.testing.assert_array_equal(stats[:, rec._route_rows[2]], 0.0)
    np.testing.assert_array_equal(stats[:, rec._never_rows], 0.0)
    for r in range(len(stack)):
        if r not in rec._route_rows[2] and r not in rec._never_rows:
            assert stats[1, r] == np.quantile(expected[r], 0.5) and stats[3, r] == pytest.approx(expected[r].mean())
    carried = np.setdiff1d(rec._route_rows[0], rec._never_rows)  # the never-written rows are zeroed only if read
    np.testing.assert_array_equal(stack[carried], expected[carried])
    if keep_daily:  # the daily tables read the rows: the unwritten route is zeroed too
        np.testing.assert_array_equal(stack, expected)
        assert (flows["dispatched"][2] == 0).all()
