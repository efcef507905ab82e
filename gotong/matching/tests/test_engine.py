"""The engine on its own: each hard rule, the optimum against brute force, determinism,
explanations that add up, empty rounds and invalid weights."""

import dataclasses
import functools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gotong.matching import engine
from gotong.matching.engine import Demand, Resource, Weights

ALL = (1 << 56) - 1
HERE = (-7.63, 111.52)


def need(**fields: object) -> Demand:
    values: dict[str, object] = {
        "id": "need:1",
        "skills": ("nurse",),
        "window": ALL,
        "lat": HERE[0],
        "lon": HERE[1],
        "household": 10,
        "person": 100,
    }
    values.update(fields)
    return Demand(**values)


def helper(**fields: object) -> Resource:
    values: dict[str, object] = {
        "id": "volunteer:1",
        "kind": "volunteer",
        "skills": frozenset({"nurse"}),
        "capacity": 1,
        "window": ALL,
        "lat": HERE[0] + 0.005,
        "lon": HERE[1],
        "owner_household": 20,
    }
    values.update(fields)
    return Resource(**values)


def test_the_base_pair_matches() -> None:
    result = engine.match([need()], [helper()])
    assert [(a.demand, a.resource) for a in result.assignments] == [("need:1", "volunteer:1")]
    assert result.unmatched == []


@pytest.mark.parametrize(
    ("demand", "resource", "reason"),
    [
        ({}, {"skills": frozenset({"driver"})}, engine.REASON_NO_SKILL),
        ({}, {"consented": False}, engine.REASON_NO_SKILL),
        ({"window": 0b1100}, {"window": 0b0011}, engine.REASON_NO_TIME),
        ({}, {"lat": HERE[0] + 0.05}, engine.REASON_NO_ONE_NEAR),
        ({"lat": None, "lon": None, "area": 1}, {"area": 2}, engine.REASON_NO_ONE_NEAR),
        ({}, {"capacity": 0}, engine.REASON_NO_CAPACITY),
        ({}, {"owner_household": 10}, engine.REASON_CONFLICT),
        ({}, {"conflict_households": frozenset({10})}, engine.REASON_CONFLICT),
        ({}, {"conflict_persons": frozenset({100})}, engine.REASON_CONFLICT),
        ({"excluded": frozenset({"volunteer:1"})}, {}, engine.REASON_CONFLICT),
    ],
    ids=[
        "skill",
        "consent",
        "time",
        "distance",
        "distance-unknown-other-area",
        "capacity",
        "own-household",
        "declared-household",
        "declared-person",
        "declined-before",
    ],
)
def test_each_hard_rule_blocks_a_pair_that_would_match_without_it(
    demand: dict[str, object], resource: dict[str, object], reason: str
) -> None:
    result = engine.match([need(**demand)], [helper(**resource)])
    assert result.assignments == []
    assert [(u.demand, u.reason) for u in result.unmatched] == [("need:1", reason)]


def test_unknown_location_matches_within_the_same_area() -> None:
    result = engine.match([need(lat=None, lon=None, area=7)], [helper(lat=None, area=7)])
    assert result.assignments[0].parts["distance"] == pytest.approx(0.5 * Weights().distance)


def test_capacity_limits_how_many_needs_one_volunteer_takes() -> None:
    needs = [need(id=f"need:{i}", household=i) for i in range(3)]
    result = engine.match(needs, [helper(capacity=2)])
    assert len(result.assignments) == 2
    assert [u.reason for u in result.unmatched] == [engine.REASON_TAKEN]


def test_explanations_add_up_to_the_score() -> None:
    demands, resources = _random_instance(random.Random(5), 12, 9)
    result = engine.match(demands, resources)
    assert result.assignments
    for a in result.assignments:
        assert set(a.parts) == set(engine.PARTS)
        assert sum(a.parts.values()) == pytest.approx(a.score, abs=1e-9)
        assert all(v >= 0 for v in a.parts.values())
    assert result.total_score == pytest.approx(sum(a.score * a.units for a in result.assignments))


def test_fairness_lowers_a_household_helped_recently_for_non_urgent_needs_only() -> None:
    calm = [
        need(id="need:1", urgency=3, helped_recently=0),
        need(id="need:2", urgency=3, household=11, helped_recently=2),
    ]
    result = engine.match(calm, [helper()])
    assert [a.demand for a in result.assignments] == ["need:1"]
    urgent = engine.match([need(urgency=0, helped_recently=3)], [helper()])
    assert urgent.assignments[0].parts["fairness"] == pytest.approx(Weights().fairness)


def test_same_input_in_any_order_gives_the_same_result() -> None:
    demands, resources = _random_instance(random.Random(11), 30, 12)
    first = engine.match(demands, resources)
    rng = random.Random(3)
    for _ in range(3):
        shuffled_d, shuffled_r = demands[:], resources[:]
        rng.shuffle(shuffled_d)
        rng.shuffle(shuffled_r)
        again = engine.match(shuffled_d, shuffled_r)
        assert again.assignments == first.assignments
        assert again.unmatched == first.unmatched


def test_an_empty_round_returns_reasons_not_an_error() -> None:
    no_needs = engine.match([], [helper()])
    assert no_needs.assignments == [] and no_needs.reasons == ["no_demands"]
    no_helpers = engine.match([need()], [])
    assert no_helpers.reasons == [engine.REASON_NO_RESOURCES]
    assert [u.reason for u in no_helpers.unmatched] == [engine.REASON_NO_RESOURCES]
    assert engine.match([], []).reasons == ["no_demands", engine.REASON_NO_RESOURCES]


@pytest.mark.parametrize(
    ("weights", "field"),
    [
        ({"urgency": -1.0}, "urgency"),
        ({"distance": float("nan")}, "distance"),
        ({"fairness": 101.0}, "fairness"),
        ({p: 0.0 for p in engine.PARTS}, "weights"),
    ],
)
def test_invalid_weights_are_refused(weights: dict[str, float], field: str) -> None:
    with pytest.raises(engine.InvalidInput) as refused:
        engine.match([need()], [helper()], weights=dataclasses.replace(Weights(), **weights))
    assert refused.value.field == field


def test_a_bad_radius_or_solver_is_refused() -> None:
    with pytest.raises(engine.InvalidInput):
        engine.match([need()], [helper()], radius_km=0)
    with pytest.raises(engine.InvalidInput):
        engine.match([need()], [helper()], solver="magic")


def test_window_mask_marks_the_blocks_an_interval_touches() -> None:
    assert engine.window_mask(0, 3, horizon_start=0, block_seconds=3) == 0b1
    assert engine.window_mask(2, 7, horizon_start=0, block_seconds=3) == 0b111
    assert engine.window_mask(5, 5, horizon_start=0, block_seconds=3) == 0
    assert engine.window_mask(-10, 1000, horizon_start=0, block_seconds=3) == (1 << 64) - 1


def _random_instance(rng: random.Random, n_d: int, n_r: int) -> tuple[list[Demand], list[Resource]]:
    skills = ["a", "b", "c"]
    demands = [
        need(
            id=f"need:{i}",
            skills=tuple(rng.sample(skills, rng.randint(1, 2))),
            window=rng.choice([0b1111, 0b0011, 0b1100]),
            lat=HERE[0] + rng.uniform(-0.01, 0.01),
            urgency=rng.randint(0, 3),
            vulnerability=rng.random(),
            waiting_days=rng.uniform(0, 20),
            helped_recently=rng.randint(0, 2),
            household=i,
            person=i,
        )
        for i in range(n_d)
    ]
    resources = [
        helper(
            id=f"volunteer:{j}",
            skills=frozenset(rng.sample(skills, rng.randint(1, 2))),
            window=rng.choice([0b1111, 0b0110, 0b1000]),
            capacity=rng.randint(1, 2),
            lat=HERE[0] + rng.uniform(-0.01, 0.01),
            owner_household=1000 + j,
            reputation=rng.choice([None, rng.random()]),
        )
        for j in range(n_r)
    ]
    return demands, resources


def _brute_force(graph: engine.Graph, n_d: int, capacity: tuple[int, ...]) -> int:
    """Best total integer score over every assignment (each need at most one volunteer)."""
    edges: dict[int, list[tuple[int, int]]] = {}
    for e in range(len(graph.cost)):
        edges.setdefault(int(graph.demand_index[e]), []).append(
            (int(graph.resource_index[e]), int(graph.cost[e]))
        )

    @functools.cache
    def best(i: int, left: tuple[int, ...]) -> int:
        if i == n_d:
            return 0
        value = best(i + 1, left)
        for j, cost in edges.get(i, []):
            if left[j] > 0:
                taken = left[:j] + (left[j] - 1,) + left[j + 1 :]
                value = max(value, cost + best(i + 1, taken))
        return value

    return best(0, capacity)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_d=st.integers(1, 7),
    n_r=st.integers(1, 7),
)
def test_the_optimum_equals_brute_force_and_beats_greedy(seed: int, n_d: int, n_r: int) -> None:
    demands, resources = _random_instance(random.Random(seed), n_d, n_r)
    demands.sort(key=lambda d: d.id)
    resources.sort(key=lambda r: r.id)
    graph = engine.graph_build(demands, resources, weights=Weights(), radius_km=2.0)
    optimum = _brute_force(graph, n_d, tuple(r.capacity for r in resources))
    result = engine.match(demands, resources)
    greedy = engine.match(demands, resources, solver="greedy")
    assert result.total_cost == optimum
    assert greedy.total_cost <= result.total_cost
    used: dict[str, int] = {}
    for a in result.assignments:
        used[a.resource] = used.get(a.resource, 0) + a.units
    assert all(used[r.id] <= r.capacity for r in resources if r.id in used)
