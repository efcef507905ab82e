"""Delivery pooling for a week of the Pasar: 300 orders, 10 couriers, 10 UMKM.

Pooled: one collection run through the UMKM to the RW hall, then OR-Tools capacitated
routes (35 packages per courier, time windows) visiting every house. Naive: each UMKM
takes its own orders round from its shop (a bundle of three UMKM is visited by all
three). Coordinates are synthetic, in a 2.5 x 2.5 km kelurahan around Taman, Madiun.

    python bench/market_routing.py
"""

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gotong.market.routing import Drop, naive_distance, plan_routes  # noqa: E402

CENTRE = (-7.6390, 111.5230)
SPAN = 0.0225  # about 2.5 km


def main() -> None:
    rng = random.Random(8)
    shops = {
        f"umkm:{n}": (
            CENTRE[0] + rng.uniform(-SPAN / 2, SPAN / 2),
            CENTRE[1] + rng.uniform(-SPAN / 2, SPAN / 2),
        )
        for n in range(10)
    }
    names = sorted(shops)
    drops, deliveries = [], []
    for n in range(300):
        lat = CENTRE[0] + rng.uniform(-SPAN / 2, SPAN / 2)
        lon = CENTRE[1] + rng.uniform(-SPAN / 2, SPAN / 2)
        window = (0, 240) if n % 3 == 0 else None  # a third want it in the morning
        drops.append(Drop(f"order:{n}", lat, lon, 1, window))
        # The week's bundle: sayur + telur + kerupuk from three UMKM; some buy single items.
        sellers = rng.sample(names, 3) if rng.random() < 0.7 else [rng.choice(names)]
        deliveries += [(shop, lat, lon) for shop in sellers]
    plan = plan_routes(
        hub=CENTRE,
        pickups=[(k, *v) for k, v in shops.items()],
        drops=drops,
        capacities=[35] * 10,
        time_limit_s=4.0,
    )
    visited = sorted(k for route in plan.routes for k in route)
    assert visited == sorted(d.key for d in drops), "every stop is visited"  # noqa: S101
    assert all(load <= 35 for load in plan.loads)  # noqa: S101
    naive = naive_distance(shops=shops, deliveries=deliveries)
    print(f"routing_300_orders_s: {plan.seconds:.2f}")
    print(f"pooled_distance_km: {plan.total_distance / 1000:.1f}")
    print(f"naive_distance_km: {naive / 1000:.1f}")
    print(f"distance_saving_pct: {(naive - plan.total_distance) * 100 / naive:.1f}")
    print(f"couriers_used: {sum(1 for r in plan.routes if r)}")


if __name__ == "__main__":
    main()
