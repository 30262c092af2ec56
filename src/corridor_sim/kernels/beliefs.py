"""The shipper's beliefs: what it has seen of each leg's losses, and the loss rate it expects.

Each leg keeps fading counts of vehicle loads sent and lost (multiplied by ``belief_memory`` each
day; on a day the leg moves no load only ``idle_memory`` of that fade is applied, the rest when loads
next move there); the believed loss rate is their
Beta-Bernoulli estimate with the leg's prior rate worth ``prior_weight`` loads, NarcoLogic's
(events + alpha) / (elapsed + alpha + beta) counted in loads, and a route's believed survival is the
product over its legs (docs/ODD.md 7.6).
"""

from __future__ import annotations


def _believed_survival(ch, k, n, net, par, st, survive):
    """Into ``survive[:n]``: the shipper's belief that a load sent on route k arrives (chunk ch)."""
    prior_weight, prior_risk, sent_loads, lost_loads = (
        par.prior_weight_loads,
        par.prior_risk,
        st.sent_loads,
        st.lost_loads,
    )
    for i in range(n):
        survive[i] = 1.0
    for leg in range(net.route_leg_start[k], net.route_leg_start[k + 1]):
        lost, prior, sent_l = lost_loads[ch, leg, :n], prior_risk[ch, leg, :n], sent_loads[ch, leg, :n]
        for i in range(n):
            # The shipper's belief: a Beta-Bernoulli estimate of the leg's loss rate.
            q = (lost[i] + prior_weight * prior[i]) / (sent_l[i] + prior_weight)
            q = q if q < 1.0 - 1e-9 else 1.0 - 1e-9
            survive[i] *= 1.0 - q


def _learn(ch, leg, n, loads, lost, memory, idle, st):
    """The shipper sees today's vehicle loads on the leg and those lost: its counts fade, then add them.

    Where loads moved, the counts also take the fade held back while the leg was idle (``pending_fade``:
    each idle day's ``memory / idle``), so that evidence weighs by its age in days when the belief is
    next revised; where no load moved in a replicate, the leg is idle today (as in :func:`_fade`).
    """
    sent_l, lost_l, held = st.sent_loads[ch, leg, :n], st.lost_loads[ch, leg, :n], st.pending_fade[ch, leg, :n]
    since = st.lost_since_probe[ch, leg, :n]
    for i in range(n):
        if loads[i] > 0.0:
            m = memory[i] * held[i]
            held[i] = 1.0
        else:
            m = idle[i]
            held[i] *= memory[i] / idle[i] if idle[i] > 0.0 else 0.0
        sent_l[i] = sent_l[i] * m + loads[i]
        lost_l[i] = lost_l[i] * m + lost[i]
        since[i] += lost[i]


def _fade(ch, leg, n, memory, idle, st):
    """Nothing moved on the leg today: the shipper's counts fade by the idle memory, the rest is held back.

    With ``idle`` equal to ``memory`` nothing is held back (the factor stays 1 exactly); with ``idle`` 1
    the belief stays as it is until cargo moves on the leg again.
    """
    sent_l, lost_l, held = st.sent_loads[ch, leg, :n], st.lost_loads[ch, leg, :n], st.pending_fade[ch, leg, :n]
    for i in range(n):
        sent_l[i] = sent_l[i] * idle[i]
        lost_l[i] = lost_l[i] * idle[i]
        held[i] *= memory[i] / idle[i] if idle[i] > 0.0 else 0.0


def _learn_struck(ch, leg, n, loads, st):
    """Loads' worth of cargo destroyed in storage after the leg (kernels/storage.py): counted lost on the leg."""
    lost_l, since = st.lost_loads[ch, leg, :n], st.lost_since_probe[ch, leg, :n]
    for i in range(n):
        lost_l[i] += loads[i]
        since[i] += loads[i]
