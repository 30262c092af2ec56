"""Levers that respond to what their actor observes: the engine's parameters of the ``response:`` blocks.

A lever with a ``response:`` block (the militias' toll, escorts and informal crossing in the shipped
scenarios) moves each day a step toward a target that is a documented function of what its actor
observes at the segments it watches (docs/ODD.md 7.16; the step itself is kernels/militias.py).
This module draws each block's numbers per replicate, on streams named by their key paths
(``actors.<actor>.levers.<lever>.response.<field>``), and packs them as the engine's ``Params`` fields.
"""

from __future__ import annotations

import numpy as np

from corridor_sim.kernels.contract import RESPONSE_OBSERVED
from corridor_sim.levers import factor_ref


def _csr(members: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    start = np.cumsum([0] + [len(m) for m in members]).astype(np.intp)
    idx = np.array([i for m in members for i in m], dtype=np.intp)
    return start, idx


def response_inputs(model) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The ``Params`` fields of every lever's response, and the observations' state (all zeros).

    With no ``response:`` block anywhere every array is empty, and the engine's step does nothing.
    """
    spec, levers, net, streams, n = model.spec, model.levers, model.net, model.streams, model.n_replicates
    blocks = [
        (aid, lid, lever)
        for aid, actor in spec.actors.items()
        for lid, lever in actor.levers.items()
        if lever.response is not None
    ]
    seg_at = {s: i for i, s in enumerate(net.segment_ids)}
    lever_idx, segs, legs, terms, factors = [], [], [], [], []
    rate, delay, base, gain, term_gain = [], [], [], [], []
    for aid, lid, lever in blocks:
        resp, key, li = lever.response, f"actors.{aid}.levers.{lid}.response", levers.index(f"{aid}.{lid}")
        lever_idx.append(li)
        watched = sorted(seg_at[s] for s in resp.segments)
        segs.append(watched)
        legs.append([int(g) for g in np.flatnonzero(np.isin(net.leg_segment, watched))])
        rate.append(streams.value(f"{key}.rate", resp.rate))
        delay.append(streams.value(f"{key}.delay_days", resp.delay_days))
        base.append(levers.values[li].copy() if resp.base is None else streams.value(f"{key}.base", resp.base))
        gain.append(np.stack([streams.value(f"{key}.{name}", getattr(resp, name)) for name in RESPONSE_OBSERVED]))
        first = len(term_gain)
        for k, term in enumerate(resp.levers):
            term_gain.append(streams.value(f"{key}.levers.{k}.gain", term.gain))
            factors.append([factor_ref(levers, ref) for ref in term.of])
        terms.append(list(range(first, len(term_gain))))
    count = len(blocks)
    seg_start, seg_idx = _csr(segs)
    leg_start, leg_idx = _csr(legs)
    term_start, _ = _csr(terms)
    factor_start, _ = _csr([[lv for lv, _ in f] for f in factors])
    flat = [f for fs in factors for f in fs]
    params = {
        "resp_lever": np.array(lever_idx, dtype=np.intp),
        "resp_low": levers.low[lever_idx].astype(float) if count else np.zeros(0),
        "resp_high": levers.high[lever_idx].astype(float) if count else np.zeros(0),
        "resp_seg_start": seg_start,
        "resp_seg_idx": seg_idx,
        "resp_leg_start": leg_start,
        "resp_leg_idx": leg_idx,
        "resp_rate": np.array(rate, dtype=float).reshape(count, n),
        "resp_delay": np.array(delay, dtype=float).reshape(count, n),
        "resp_base": np.array(base, dtype=float).reshape(count, n),
        "resp_gain": np.array(gain, dtype=float).reshape(count, len(RESPONSE_OBSERVED), n),
        "resp_term_start": term_start,
        "term_gain": np.array(term_gain, dtype=float).reshape(len(term_gain), n),
        "term_factor_start": factor_start,
        "term_factor_lever": np.array([lv for lv, _ in flat], dtype=np.intp),
        "term_factor_complement": np.array([c for _, c in flat], dtype=np.bool_),
    }
    return params, np.zeros((count, len(RESPONSE_OBSERVED), n))
