"""Delivery pooling with OR-Tools (pure: no Django imports).

One collection run takes the goods from every UMKM of the cycle to the hub (the RW hall);
then couriers leave the hub with at most their capacity in packages and visit every drop
(a house or an RT pickup point), within its time window. Distances are great-circle
metres from coordinates. ``naive_distance`` is the plan without pooling: each UMKM takes
its own orders round from its shop.
"""

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

SPEED_M_PER_MIN = 250  # a motorbike in kampung lanes, about 15 km/h
SERVICE_MIN = 3
HORIZON_MIN = 8 * 60


@dataclass(frozen=True)
class Drop:
    """A place to deliver ``demand`` packages, optionally within (start, end) minutes."""

    key: str
    lat: float
    lon: float
    demand: int
    window: tuple[int, int] | None = None


@dataclass
class Plan:
    routes: list[list[str]]  # per courier: drop keys in visiting order
    route_distances: list[int]
    loads: list[int]
    collection: list[str]  # UMKM keys in collection order
    collection_distance: int
    seconds: float = 0.0
    dropped: list[str] = field(default_factory=list)

    @property
    def total_distance(self) -> int:
        return self.collection_distance + sum(self.route_distances)


class RoutingInfeasible(ValueError):
    """The couriers cannot carry every package, or no plan meets the windows."""


OVER_CAPACITY = "packages exceed the couriers' capacity"


def metres(a: tuple[float, float], b: tuple[float, float]) -> int:
    """Great-circle distance in whole metres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return int(round(2 * 6_371_000 * math.asin(math.sqrt(h))))


def _matrix(points: Sequence[tuple[float, float]]) -> list[list[int]]:
    return [[metres(p, q) for q in points] for p in points]


def _tour(points: Sequence[tuple[float, float]], time_limit_s: float) -> tuple[list[int], int]:
    """A short round trip through ``points`` starting and ending at points[0]."""
    if len(points) <= 2:
        only = list(range(1, len(points)))
        return only, sum(metres(points[0], points[i]) * 2 for i in only)
    matrix = _matrix(points)
    manager = pywrapcp.RoutingIndexManager(len(points), 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    transit = routing.RegisterTransitMatrix(matrix)
    routing.SetArcCostEvaluatorOfAllVehicles(transit)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    solution = routing.SolveWithParameters(params)
    index = routing.Start(0)
    order: list[int] = []
    distance = 0
    while not routing.IsEnd(index):
        nxt = solution.Value(routing.NextVar(index))
        distance += matrix[manager.IndexToNode(index)][manager.IndexToNode(nxt)]
        if not routing.IsEnd(nxt):
            order.append(manager.IndexToNode(nxt))
        index = nxt
    return order, distance


def _split(drops: Sequence[Drop], largest: int) -> list[Drop]:
    """A drop bigger than the largest courier's load becomes several visits."""
    out: list[Drop] = []
    for drop in drops:
        left, part = drop.demand, 0
        while left > largest:
            out.append(Drop(f"{drop.key}#{part}", drop.lat, drop.lon, largest, drop.window))
            left -= largest
            part += 1
        if left:
            out.append(
                Drop(
                    drop.key if part == 0 else f"{drop.key}#{part}",
                    drop.lat,
                    drop.lon,
                    left,
                    drop.window,
                )
            )
    return out


def plan_routes(
    *,
    hub: tuple[float, float],
    pickups: Sequence[tuple[str, float, float]],
    drops: Sequence[Drop],
    capacities: Sequence[int],
    time_limit_s: float = 5.0,
) -> Plan:
    """Collection run through the UMKM, then capacitated routes (with time windows) from
    the hub that visit every drop; raises ``RoutingInfeasible`` when it cannot."""
    started = time.perf_counter()
    if not capacities or min(capacities) <= 0:
        raise RoutingInfeasible("no courier with capacity")
    if sum(d.demand for d in drops) > sum(capacities):
        raise RoutingInfeasible(OVER_CAPACITY)
    collection_order, collection_distance = _tour(
        [hub, *[(lat, lon) for _, lat, lon in pickups]], min(1.0, time_limit_s / 5)
    )
    visits = _split(drops, max(capacities))
    if not visits:
        return Plan(
            [[] for _ in capacities],
            [0] * len(capacities),
            [0] * len(capacities),
            [pickups[i - 1][0] for i in collection_order],
            collection_distance,
            time.perf_counter() - started,
        )
    points = [hub, *[(d.lat, d.lon) for d in visits]]
    matrix = _matrix(points)
    n_vehicles = len(capacities)
    manager = pywrapcp.RoutingIndexManager(len(points), n_vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    transit = routing.RegisterTransitMatrix(matrix)
    routing.SetArcCostEvaluatorOfAllVehicles(transit)

    demands = [0, *[d.demand for d in visits]]
    demand_cb = routing.RegisterUnaryTransitVector(demands)
    routing.AddDimensionWithVehicleCapacity(demand_cb, 0, list(capacities), True, "load")

    minutes = [
        [(m // SPEED_M_PER_MIN) + (SERVICE_MIN if i else 0) for m in row]
        for i, row in enumerate(matrix)
    ]
    time_cb = routing.RegisterTransitMatrix(minutes)
    routing.AddDimension(time_cb, 60, HORIZON_MIN, True, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for node, drop in enumerate(visits, start=1):
        if drop.window is not None:
            start, end = drop.window
            time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(start, end)

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        raise RoutingInfeasible("no plan meets the capacities and time windows")
    routes: list[list[str]] = []
    distances: list[int] = []
    loads: list[int] = []
    for vehicle in range(n_vehicles):
        index = routing.Start(vehicle)
        keys: list[str] = []
        distance = load = 0
        while not routing.IsEnd(index):
            nxt = solution.Value(routing.NextVar(index))
            distance += matrix[manager.IndexToNode(index)][manager.IndexToNode(nxt)]
            node = manager.IndexToNode(nxt)
            if not routing.IsEnd(nxt):
                keys.append(visits[node - 1].key)
                load += visits[node - 1].demand
            index = nxt
        routes.append(keys)
        distances.append(distance)
        loads.append(load)
    return Plan(
        routes=routes,
        route_distances=distances,
        loads=loads,
        collection=[pickups[i - 1][0] for i in collection_order],
        collection_distance=collection_distance,
        seconds=time.perf_counter() - started,
    )


def naive_distance(
    *, shops: dict[str, tuple[float, float]], deliveries: Sequence[tuple[str, float, float]]
) -> int:
    """Each UMKM delivers its own orders from its shop, nearest house first, and returns."""
    by_shop: dict[str, list[tuple[float, float]]] = {}
    for shop, lat, lon in deliveries:
        by_shop.setdefault(shop, []).append((lat, lon))
    total = 0
    for shop, houses in by_shop.items():
        here = start = shops[shop]
        left = list(houses)
        while left:
            nearest = min(left, key=lambda p: metres(here, p))
            total += metres(here, nearest)
            left.remove(nearest)
            here = nearest
        total += metres(here, start)
    return total
