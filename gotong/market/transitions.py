"""The transition tables of the market's lifecycles: a cycle, an order, an order line.

Each allowed (from, to) pair names the permission the service that takes the step
checks (``None``: the platform takes it, never a person). Services check a step with
``*_step_check`` (the shared ``gotong.core.lifecycle.transition_check``) and make it with
a conditional UPDATE from the checked status, so a concurrent step fails instead of
being skipped; bulk steps filter on ``*_sources(target)``.

    cycle: open -> closed (cycle_close) -> fulfilled (the last drop-off)
    order: placed -> confirmed (cycle_close) -> delivered (dropoff_record)
           placed -> cancelled (order_cancel, or cycle_close when no line is left)
    line:  placed -> confirmed | fallback | cancelled (cycle_close); placed -> cancelled
           (order_cancel)

``CycleStatus.CANCELLED`` is reached by no step today. A payout (``CyclePayout``,
``CourierPayout``) has no status of its own: it waits until its funds disbursement is
asked for, and then follows the disbursement's lifecycle in the funds app.
"""

from collections.abc import Mapping
from typing import Any

from django.db.models import TextChoices

from gotong.core.lifecycle import Transition, transition_check

from .models import CycleStatus, LineStatus, OrderStatus

Table = Mapping[tuple[str, str], Transition]

CYCLE_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (CycleStatus.OPEN, CycleStatus.CLOSED): Transition("market.manage"),
    (CycleStatus.CLOSED, CycleStatus.FULFILLED): Transition(None),
}

ORDER_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (OrderStatus.PLACED, OrderStatus.CONFIRMED): Transition("market.manage"),
    (OrderStatus.PLACED, OrderStatus.CANCELLED): Transition("market.order"),
    (OrderStatus.CONFIRMED, OrderStatus.DELIVERED): Transition("market.deliver"),
}

LINE_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (LineStatus.PLACED, LineStatus.CONFIRMED): Transition("market.manage"),
    (LineStatus.PLACED, LineStatus.FALLBACK): Transition("market.manage"),
    (LineStatus.PLACED, LineStatus.CANCELLED): Transition("market.manage"),
}


def sources(table: Table, target: str) -> list[str]:
    """The statuses the table lets move to ``target`` (for conditional bulk UPDATEs)."""
    return sorted({frm for (frm, to) in table if to == target})


def _step_check(
    table: Table,
    statuses: type[TextChoices],
    *,
    current: str,
    target: str,
    refused: Any,
    actor: Any,
) -> Transition:
    rule, _reason = transition_check(
        table=table,
        statuses=statuses,
        current=current,
        target=target,
        reason="",
        actor=actor,
        refused=refused,
    )
    return rule


def cycle_step_check(*, current: str, target: str, refused: Any, actor: Any = None) -> Transition:
    """The rule for a cycle's step, or a Conflict worded by ``refused``."""
    return _step_check(
        CYCLE_TRANSITIONS, CycleStatus, current=current, target=target, refused=refused, actor=actor
    )


def order_step_check(*, current: str, target: str, refused: Any, actor: Any = None) -> Transition:
    """The rule for an order's step, or a Conflict worded by ``refused``."""
    return _step_check(
        ORDER_TRANSITIONS, OrderStatus, current=current, target=target, refused=refused, actor=actor
    )


def line_step_check(*, current: str, target: str, refused: Any) -> Transition:
    """The rule for an order line's step (taken with its order's), or a Conflict."""
    return _step_check(
        LINE_TRANSITIONS, LineStatus, current=current, target=target, refused=refused, actor=None
    )


# What a status lets happen besides its own steps, named once for the services.
# Orders are taken (and cancelled, gap campaigns set) while the cycle can still close.
CYCLE_TAKING_ORDERS = frozenset(sources(CYCLE_TRANSITIONS, CycleStatus.CLOSED))
# Routes are planned between the closing and the fulfilment.
CYCLE_ROUTABLE = frozenset(sources(CYCLE_TRANSITIONS, CycleStatus.FULFILLED))
# A cycle is settled into the ledger once every order has been delivered.
CYCLE_SETTLEABLE = frozenset({CycleStatus.FULFILLED})
# An order is still in its window (not yet final) while the closing can confirm it.
ORDER_IN_WINDOW = frozenset(sources(ORDER_TRANSITIONS, OrderStatus.CONFIRMED))
# The buyer rates an order once it has been delivered.
ORDER_RATEABLE = frozenset({OrderStatus.DELIVERED})
