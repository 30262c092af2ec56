"""Adaptive effort: actors with an adaptive lever move their effort toward where they saw traffic.

Each adaptive lever spreads its value over its targets by an allocation; every day each target's
share moves a step (``rate``) toward its share of the traffic the actor saw on its targets that
day, keeping ``floor`` of the effort spread evenly. Days with no traffic seen leave it as it was.
"""

from __future__ import annotations


def _adapt(r0, n, par, st, sc):
    """Today's step of each adaptive actor's allocation, from the traffic seen on its targets."""
    r1 = r0 + n
    ad_offset, ad_n, ad_rate, ad_floor = par.ad_offset, par.ad_n, par.ad_rate, par.ad_floor
    slot_on_nodes, slot_index, alloc = par.slot_on_nodes, par.slot_index, st.alloc
    seg_traffic, node_traffic, total = sc.seg_traffic, sc.node_traffic, sc.a
    for a in range(ad_offset.shape[0]):
        lo, n_slots, rate, floor = ad_offset[a], ad_n[a], ad_rate[a], ad_floor[a]
        for i in range(n):
            total[i] = 0.0
        for j in range(lo, lo + n_slots):
            seen = node_traffic[slot_index[j]] if slot_on_nodes[j] else seg_traffic[slot_index[j]]
            for i in range(n):
                total[i] += seen[i]
        for j in range(lo, lo + n_slots):
            seen = node_traffic[slot_index[j]] if slot_on_nodes[j] else seg_traffic[slot_index[j]]
            effort = alloc[j, r0:r1]
            for i in range(n):
                seen_all = total[i]
                target = floor / n_slots + (1.0 - floor) * (seen[i] / (seen_all if seen_all > 0.0 else 1.0))
                effort[i] = effort[i] + rate * (target - effort[i]) if seen_all > 0.0 else effort[i]
