"""No oversell under concurrency (PostgreSQL, real parallel writers): 40 residents race
for 20 units shared by a product and a bundle; exactly the stock is sold, never more."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from gotong.accounts.models import Role
from gotong.core.exceptions import Conflict

from ... import services
from ...models import CycleStock, Order, OrderLine
from ..factories import (
    market,
)

pytestmark = pytest.mark.django_db


THREADS = 40


pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and true parallel writers: PostgreSQL"
)


def test_forty_buyers_never_oversell_twenty_units(
    log_tables_flushable: Any, rt: Any, make_member: Callable[..., Any]
) -> None:
    world = market(rt.kelurahan, rt, make_member, stock=20)
    buyers = [make_member(Role.WARGA, rt) for _ in range(THREADS)]
    errors: list[BaseException] = []
    refused: list[int] = []
    barrier = threading.Barrier(THREADS)

    def buy(n: int) -> None:
        # Half buy a kilo of eggs, half the bundle (which also takes a kilo of eggs).
        offer = world.telur_offer if n % 2 else world.bundle_offer
        try:
            barrier.wait()
            services.order_place(
                actor=buyers[n],
                cycle=world.cycle,
                rt=rt,
                fulfilment="pickup",
                lines=[services.LineSpec(offer=offer, quantity=1)],
            )
        except Conflict:
            refused.append(n)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=buy, args=(n,)) for n in range(THREADS)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()

    assert errors == []
    eggs = CycleStock.objects.get(cycle=world.cycle, product=world.telur_kg)
    assert eggs.used == eggs.limit == 20
    assert Order.objects.count() == 20 and len(refused) == 20
    sold = sum(line.quantity for line in OrderLine.objects.filter(order__cycle=world.cycle))
    assert sold == 20
