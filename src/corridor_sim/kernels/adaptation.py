"""Adaptive effort: actors with an adaptive lever move their effort toward where they saw traffic.

Each adaptive lever spreads its value over its targets by an allocation; every day each target's
share moves a step (``rate``) toward a target share, keeping ``floor`` of the effort spread evenly.
The target share is the target's share of

* the traffic the actor saw on its targets that day (an actor without a ``decision`` block), or
* the expected payoff of effort there (an actor with one): the tons it detected there ``delay_days``
  ago (the detected share of each target's tons, kept in a ring of past days) times the lever's
  effect there per unit effort (docs/ODD.md 7.8).

Days with nothing seen leave the allocation as it was. A budgeted actor's allocation is its plan
times the share of its effort its budget funds (:mod:`.payments`), so it sums to that share; where
a timeline or rule has moved the lever from its starting value the script governs, and the
allocation is the plan in full.
"""

from __future__ import annotations


def _adapt(d, r0, n, par, st, sc):
    """Today's step of each adaptive actor's allocation, from the traffic seen (or detected) on its targets."""
    r1 = r0 + n
    ad_offset, ad_n, alloc = par.ad_offset, par.ad_n, st.alloc
    for a in range(ad_offset.shape[0]):
        lo, n_slots = ad_offset[a], ad_n[a]
        actor = par.ad_actor[a]
        budgeted = par.actor_budgeted[actor]
        plan = st.plan if budgeted else alloc
        if par.ad_decide[a]:
            _payoff_step(d, a, r0, n, par, st, sc, plan)
        else:
            _traffic_step(a, r0, n, par, sc, plan)
        if budgeted:
            # Funded effort, unless a timeline or rule has moved the lever (then scripted, paid in full).
            funded, v, start = (
                st.funded[actor, r0:r1],
                st.lev[par.ad_lever[a], r0:r1],
                par.lever_start[par.ad_lever[a], r0:r1],
            )
            for j in range(lo, lo + n_slots):
                shares, effort = plan[j, r0:r1], alloc[j, r0:r1]
                for i in range(n):
                    effort[i] = (funded[i] if v[i] == start[i] else 1.0) * shares[i]


def _traffic_step(a, r0, n, par, sc, plan):
    """Lever a's shares a step toward the traffic seen on its targets today (perfect, immediate sight)."""
    r1 = r0 + n
    lo, n_slots, rate, floor = par.ad_offset[a], par.ad_n[a], par.ad_rate[a], par.ad_floor[a]
    slot_on_nodes, slot_index = par.slot_on_nodes, par.slot_index
    seg_traffic, node_traffic, total = sc.seg_traffic, sc.node_traffic, sc.a
    for i in range(n):
        total[i] = 0.0
    for j in range(lo, lo + n_slots):
        seen = node_traffic[slot_index[j]] if slot_on_nodes[j] else seg_traffic[slot_index[j]]
        for i in range(n):
            total[i] += seen[i]
    for j in range(lo, lo + n_slots):
        seen = node_traffic[slot_index[j]] if slot_on_nodes[j] else seg_traffic[slot_index[j]]
        effort = plan[j, r0:r1]
        for i in range(n):
            seen_all = total[i]
            target = floor / n_slots + (1.0 - floor) * (seen[i] / (seen_all if seen_all > 0.0 else 1.0))
            effort[i] = effort[i] + rate * (target - effort[i]) if seen_all > 0.0 else effort[i]


def _payoff_step(d, a, r0, n, par, st, sc, plan):
    """Lever a's shares a step toward the expected payoff of effort at each target, as detected delay days ago."""
    r1 = r0 + n
    lo, n_slots, rate, floor = par.ad_offset[a], par.ad_n[a], par.ad_rate[a], par.ad_floor[a]
    slot_on_nodes, slot_index = par.slot_on_nodes, par.slot_index
    seg_traffic, node_traffic, total = sc.seg_traffic, sc.node_traffic, sc.a
    ring, delay, then = st.seen_ring, par.ad_delay[a, r0:r1], sc.ring_row
    days = ring.shape[0]
    today = d % days
    for j in range(lo, lo + n_slots):
        seen = node_traffic[slot_index[j]] if slot_on_nodes[j] else seg_traffic[slot_index[j]]
        detect, kept = par.slot_detect[j, r0:r1], ring[today, j, r0:r1]
        for i in range(n):
            kept[i] = detect[i] * seen[i]
    # What the actor sees today is what it detected delay days ago (nothing before day delay): that
    # day's row of the ring, or -1.
    for i in range(n):
        then[i] = (d - delay[i]) % days if d >= delay[i] else -1
        total[i] = 0.0
    for j in range(lo, lo + n_slots):
        strength = par.slot_strength[j, r0:r1]
        for i in range(n):
            total[i] += ring[then[i], j, r0 + i] * strength[i] if then[i] >= 0 else 0.0
    for j in range(lo, lo + n_slots):
        strength, effort = par.slot_strength[j, r0:r1], plan[j, r0:r1]
        for i in range(n):
            payoff_all = total[i]
            seen_then = ring[then[i], j, r0 + i] if then[i] >= 0 else 0.0
            share = seen_then * strength[i] / (payoff_all if payoff_all > 0.0 else 1.0)
            target = floor / n_slots + (1.0 - floor) * share
            effort[i] = effort[i] + rate * (target - effort[i]) if payoff_all > 0.0 else effort[i]
