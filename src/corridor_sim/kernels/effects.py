"""Lever effects: today's segment and node attributes from their base values and the levers.

Each attribute that some effect changes is a chain (see contract.Effects): its base value, then
each effect in the scenario's order, m = coef x lever value (or 1 - value) x factors, spread by an
adaptive actor's allocation, applied by the effect's kind (:mod:`corridor_sim.effect_kinds`).
A chain is made again only when one of its levers (or factors) changed in the chunk, or every
day if it follows an actor's effort; what follows from the attributes it changed (leg risks,
payloads, route costs and capacities) is then made again (:mod:`.derived`), and nothing else:
values made from unchanged inputs would come out the same, bit for bit.
"""

from __future__ import annotations

from corridor_sim.effect_kinds import apply_kind
from corridor_sim.kernels.contract import CHUNK, DERIVED_ALL, scratch
from corridor_sim.kernels.derived import _derived


def _apply_levers(r0, n, full, net, fx, par, st, sc):
    """Today's segment and node attributes after the levers' effects, for replicates r0 .. r0 + n - 1.

    Attributes are recomputed from scratch where levers changed (or everywhere if ``full``), else only
    what adaptive effort moved.
    """
    lev, lev_seen, alloc = st.lev, st.lev_seen, st.alloc
    chain_table, chain_attr, chain_target, chain_start = (
        fx.chain_table,
        fx.chain_attr,
        fx.chain_target,
        fx.chain_start,
    )
    chain_adaptive, entry_effect, entry_slot, entry_nslots = (
        fx.chain_adaptive,
        fx.entry_effect,
        fx.entry_slot,
        fx.entry_nslots,
    )
    eff_lever, eff_invert, eff_kind, eff_coef = fx.eff_lever, fx.eff_invert, fx.eff_kind, fx.eff_coef
    factor_start, factor_lever, factor_complement = fx.eff_factor_start, fx.factor_lever, fx.factor_complement
    seg_base, node_base, seg_now, node_now = st.seg_base, st.node_base, st.seg_now, st.node_now
    changed, moved, value, m = sc.changed, sc.moved, sc.a, sc.b
    seg_derive, node_derive, chain_derived = sc.seg_derive, sc.node_derive, fx.chain_derived
    r1 = r0 + n
    any_changed = full
    for i in range(n):
        changed[i] = full
    for li in range(lev.shape[0]):
        now, seen = lev[li, r0:r1], lev_seen[li, r0:r1]
        n_changed = 0
        for i in range(n):  # no branches: vectorised
            diff = now[i] != seen[i]
            changed[i] |= diff
            n_changed += diff
            seen[i] = now[i]
        moved[li] = full | (n_changed > 0)
        any_changed |= n_changed > 0
    seg_derive[:] = DERIVED_ALL if full else 0
    node_derive[:] = DERIVED_ALL if full else 0
    for ch in range(chain_attr.shape[0]):
        adaptive = chain_adaptive[ch]
        if not (adaptive or (any_changed and _chain_moved(ch, fx, moved))):
            continue
        attr, target, on_nodes = chain_attr[ch], chain_target[ch], chain_table[ch] == 1
        base = node_base[attr, target, r0:r1] if on_nodes else seg_base[attr, target, r0:r1]
        for i in range(n):
            value[i] = base[i]
        for j in range(chain_start[ch], chain_start[ch + 1]):
            e = entry_effect[j]
            invert, slot, coef, v = eff_invert[e], entry_slot[j], eff_coef[e, r0:r1], lev[eff_lever[e], r0:r1]
            if invert:
                for i in range(n):
                    m[i] = coef[i] * (1.0 - v[i])
            else:
                for i in range(n):
                    m[i] = coef[i] * v[i]
            for f in range(factor_start[e], factor_start[e + 1]):
                fv = lev[factor_lever[f], r0:r1]
                if factor_complement[f]:
                    for i in range(n):
                        m[i] = m[i] * (1.0 - fv[i])
                else:
                    for i in range(n):
                        m[i] = m[i] * fv[i]
            if slot >= 0:
                # Effort spread by allocation: an even split gives each target the full m.
                slots, share = entry_nslots[j], alloc[slot, r0:r1]
                for i in range(n):
                    m[i] = m[i] * share[i] * slots
            apply_kind(eff_kind[e], value, m, n)
        out = node_now[attr, target, r0:r1] if on_nodes else seg_now[attr, target, r0:r1]
        if adaptive:
            for i in range(n):
                out[i] = value[i]
        else:
            for i in range(n):
                if changed[i]:
                    out[i] = value[i]
        derive = node_derive if on_nodes else seg_derive
        derive[target] = max(derive[target], chain_derived[ch])
    _derived(r0, n, net, par, st, sc)


def _chain_moved(ch, fx, moved):
    """Whether a lever that chain ch's effects read (as their lever or a factor) changed in the chunk today."""
    for j in range(fx.chain_start[ch], fx.chain_start[ch + 1]):
        e = fx.entry_effect[j]
        if moved[fx.eff_lever[e]]:
            return True
        for f in range(fx.eff_factor_start[e], fx.eff_factor_start[e + 1]):
            if moved[fx.factor_lever[f]]:
                return True
    return False


def attributes(net, fx, par, st):
    """Every replicate's attributes from scratch (at set-up); records the lever values they were made with."""
    st.seg_now[...] = st.seg_base
    st.node_now[...] = st.node_base
    st.lev_seen[...] = st.lev
    sc = scratch(net, CHUNK, st.lev.shape[0])
    n_reps = st.lev.shape[1]
    for r0 in range(0, n_reps, CHUNK):
        _apply_levers(r0, min(CHUNK, n_reps - r0), True, net, fx, par, st, sc)
    st.actor_cost[...] = 0.0
