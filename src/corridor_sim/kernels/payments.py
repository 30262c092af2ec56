"""Lever payments: each actor pays, every day, the cost of the levers it holds at their values.

An actor with a budget pays its scripted levers first and in full: those without adaptive effort,
and an adaptive lever in a replicate where a timeline or rule has moved it from its starting value
(the script overrides the decision). What is left of its money per day funds a share of its other
adaptive levers' cost, and that share (``st.funded``) is the share of their effort it puts in
(docs/ODD.md 7.9).
"""

from __future__ import annotations


def _pay(r0, n, par, st, sc):
    """Add today's lever costs to each actor's account, for replicates r0 .. r0 + n - 1."""
    lev, value = st.lev, sc.a
    r1 = r0 + n
    lever_cost, actor_lever_start, actor_lever_idx = par.lever_cost, par.actor_lever_start, par.actor_lever_idx
    actor_cost = st.actor_cost
    for a in range(actor_lever_start.shape[0] - 1):
        if par.actor_budgeted[a]:
            _pay_within_budget(a, r0, n, par, st, sc)
            continue
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


def _pay_within_budget(a, r0, n, par, st, sc):
    """Actor a's payment within its budget: scripted levers in full, then the share of adaptive effort it can fund."""
    lev, scripted, discretionary = st.lev, sc.a, sc.b
    r1 = r0 + n
    for i in range(n):
        scripted[i] = 0.0
        discretionary[i] = 0.0
    for j in range(par.actor_lever_start[a], par.actor_lever_start[a + 1]):
        li = par.actor_lever_idx[j]
        cost, v, start = par.lever_cost[li], lev[li, r0:r1], par.lever_start[li, r0:r1]
        if par.lever_discretionary[li]:
            for i in range(n):
                chosen = v[i] == start[i]
                discretionary[i] += cost * v[i] if chosen else 0.0
                scripted[i] += 0.0 if chosen else cost * v[i]
        else:
            for i in range(n):
                scripted[i] += cost * v[i]
    budget, funded, paid = par.budget_usd[a, r0:r1], st.funded[a, r0:r1], st.actor_cost[a, r0:r1]
    for i in range(n):
        spare = budget[i] - scripted[i]
        wanted = discretionary[i]
        share = min(1.0, max(0.0, spare / wanted)) if wanted > 0.0 else 1.0
        funded[i] = share
        paid[i] += scripted[i] + share * wanted
