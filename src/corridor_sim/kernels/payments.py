"""Lever payments: each actor pays, every day, the cost of the levers it holds at their values."""

from __future__ import annotations


def _pay(r0, n, par, st, sc):
    """Add today's lever costs to each actor's account, for replicates r0 .. r0 + n - 1."""
    lev, value = st.lev, sc.a
    r1 = r0 + n
    lever_cost, actor_lever_start, actor_lever_idx = par.lever_cost, par.actor_lever_start, par.actor_lever_idx
    actor_cost = st.actor_cost
    for a in range(actor_lever_start.shape[0] - 1):
        for i in range(n):
            value[i] = 0.0
        for j in range(actor_lever_start[a], actor_lever_start[a + 1]):
            li = actor_lever_idx[j]
            cost, v = lever_cost[li], lev[li, r0:r1]
            for i in range(n):
                value[i] += cost * v[i]
        paid = actor_cost[a, r0:r1]
        for i in range(n):
            paid[i] += value[i]
