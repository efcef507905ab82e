"""Matching engine speed and optimality on synthetic data (fixed seed), engine only.

(a) kelurahan scale, 1,000 needs x 300 volunteers in about 2.5 km x 2.5 km: one round
    (graph, solver, reasons for the unmatched);
(b) city scale, 20,000 needs x 5,000 resources in 22 km x 22 km with a radius giving
    about 30 feasible resources per need: graph building, solver, total, peak memory
    (resident set of a child process that runs only this instance);
(c) optimality: the optimal total score against the greedy baseline (urgency first,
    first feasible resource) on the kelurahan instance, optimal >= greedy on every
    instance, and the same objective as scipy.optimize.linear_sum_assignment on a
    2,000 x 2,000 one-to-one instance (integer costs; a missing edge is worth 0, the same
    as leaving a need unmatched).

Prints exactly:
  kelurahan_round_s: N
  city_build_s: N
  city_solve_s: N
  city_total_s: N
  city_peak_mb: N
  gain_vs_greedy_pct: N
  scipy_objective_equal: true|false
Targets on this 2-core machine: (a) < 0.3 s; (b) < 5 s total, build <= solve.
"""

import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gotong.matching import engine  # noqa: E402

SEED = 20260
SKILLS = ["driver", "cook", "nurse", "admin", "carpenter", "teacher", "caregiver", "it"]
BLOCKS = 56  # 7 days x 3-hour blocks
CENTRE = (-7.63, 111.52)


def _window(rng: random.Random, blocks: int) -> int:
    start = rng.randrange(BLOCKS - blocks + 1)
    return ((1 << blocks) - 1) << start


def _point(rng: random.Random, size_km: float) -> tuple[float, float]:
    lat = CENTRE[0] + (rng.random() - 0.5) * size_km / engine.KM_PER_DEGREE_LAT
    lon = CENTRE[1] + (rng.random() - 0.5) * size_km / 110.3
    return lat, lon


def instance(
    n_demands: int, n_resources: int, size_km: float, seed: int, one_to_one: bool = False
) -> tuple[list[engine.Demand], list[engine.Resource]]:
    """Synthetic needs and volunteers: skills, windows, locations, households."""
    rng = random.Random(seed)
    demands = []
    for i in range(n_demands):
        lat, lon = _point(rng, size_km)
        demands.append(
            engine.Demand(
                id=f"need:{i:06d}",
                skills=tuple(rng.sample(SKILLS, rng.randint(1, 2))),
                window=_window(rng, rng.randint(16, 40)),
                lat=lat,
                lon=lon,
                urgency=rng.choice([0, 1, 1, 2, 2, 2, 3, 3]),
                vulnerability=rng.random() * rng.random(),
                waiting_days=rng.random() * 10,
                helped_recently=rng.choice([0, 0, 0, 1, 2]),
                household=i,
            )
        )
    resources = []
    for j in range(n_resources):
        lat, lon = _point(rng, size_km)
        resources.append(
            engine.Resource(
                id=f"volunteer:{j:06d}",
                kind="volunteer",
                skills=frozenset(rng.sample(SKILLS, rng.randint(2, 4))),
                capacity=1 if one_to_one else rng.randint(1, 4),
                window=_window(rng, rng.randint(12, 40)) | _window(rng, 8),
                lat=lat,
                lon=lon,
                owner_household=n_demands + j,
                reputation=None if rng.random() < 0.3 else rng.random(),
            )
        )
    return demands, resources


def city() -> dict[str, float]:
    demands, resources = instance(20_000, 5_000, 22.0, SEED + 2)
    engine.match(demands[:500], resources[:200], radius_km=1.4)  # warm up
    started = time.perf_counter()
    result = engine.match(demands, resources, radius_km=1.4)
    total = time.perf_counter() - started
    greedy = engine.match(demands, resources, radius_km=1.4, solver="greedy")
    return {
        "build": result.build_seconds,
        "solve": result.solve_seconds,
        "total": total,
        "edges_per_need": result.edges / len(demands),
        "optimal": result.total_cost,
        "greedy": greedy.total_cost,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def scipy_check() -> tuple[bool, int, int]:
    from scipy.optimize import linear_sum_assignment

    demands, resources = instance(2_000, 2_000, 6.0, SEED + 3, one_to_one=True)
    result = engine.match(demands, resources, radius_km=1.5)
    ordered_d = sorted(d.id for d in demands)
    ordered_r = sorted(r.id for r in resources)
    graph = engine.graph_build(
        sorted(demands, key=lambda d: d.id),
        sorted(resources, key=lambda r: r.id),
        weights=engine.Weights(),
        radius_km=1.5,
    )
    gain = np.zeros((len(ordered_d), len(ordered_r)), dtype=np.int64)
    gain[graph.demand_index, graph.resource_index] = graph.cost
    rows, cols = linear_sum_assignment(gain, maximize=True)
    scipy_total = int(gain[rows, cols].sum())
    greedy = engine.match(demands, resources, radius_km=1.5, solver="greedy")
    return scipy_total == result.total_cost, result.total_cost, greedy.total_cost


def main() -> None:
    if sys.argv[1:] == ["city"]:
        print(json.dumps(city()))
        return
    demands, resources = instance(1_000, 300, 2.5, SEED + 1)
    engine.match(demands, resources, radius_km=1.5)  # warm up imports and caches
    started = time.perf_counter()
    optimal = engine.match(demands, resources, radius_km=1.5)
    kelurahan_s = time.perf_counter() - started
    greedy = engine.match(demands, resources, radius_km=1.5, solver="greedy")
    out = subprocess.run(  # noqa: S603 - this same script, fixed arguments
        [sys.executable, __file__, "city"], check=True, capture_output=True, text=True
    )
    big = json.loads(out.stdout)
    equal, one_to_one, one_to_one_greedy = scipy_check()
    assert optimal.total_cost >= greedy.total_cost
    assert big["optimal"] >= big["greedy"]
    assert one_to_one >= one_to_one_greedy
    gain = 100.0 * (optimal.total_score - greedy.total_score) / greedy.total_score
    print(f"kelurahan_round_s: {kelurahan_s:.3f}")
    print(f"city_build_s: {big['build']:.3f}")
    print(f"city_solve_s: {big['solve']:.3f}")
    print(f"city_total_s: {big['total']:.3f}")
    print(f"city_peak_mb: {big['peak_mb']:.0f}")
    print(f"gain_vs_greedy_pct: {gain:.2f}")
    print(f"scipy_objective_equal: {'true' if equal else 'false'}")
    if "-v" in sys.argv:
        print(json.dumps(big), optimal.edges / 1000, one_to_one, one_to_one_greedy, file=sys.stderr)


if __name__ == "__main__":
    main()
