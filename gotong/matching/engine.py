"""The matching engine: needs (demands) to resources by hard rules and explained scores.

Pure Python with numpy and OR-Tools, no Django: the services turn needs, activity slots,
volunteers (and later goods stocks and UMKM offers) into ``Demand`` and ``Resource``
records, call ``match`` and store what it returns.

- Hard rules (an edge exists only if all hold): the resource offers one of the skills or
  categories the demand accepts; its availability overlaps the demand's time window;
  it is within the radius (straight line; when a location is unknown, only the same
  area counts); it has capacity left; no conflict of interest (own household, a declared
  conflict, a resource excluded for this demand after a decline); its owner consented.
- Score of an edge = sum of weighted parts, each part in [0, 1]: urgency, vulnerability,
  waiting time, distance, skill fit, reputation, fairness. ``Assignment.parts`` holds the
  weighted parts, which add up to ``Assignment.score``.
- Solver: maximum-weight assignment with capacities, demands allowed to stay unmatched,
  as a min-cost flow (OR-Tools): source -> demand (its units) -> resource (one unit per
  pair, or the demand's units for divisible stock) -> sink (capacity), plus a zero-cost
  bypass source -> sink so leaving a demand unmatched is always possible.
- ``greedy``: urgency first, first feasible resource; for comparison only.

Time is given as 64-bit masks of blocks of a planning horizon (``window_mask``): two
windows overlap when their masks share a bit, which keeps the rule vectorised.
"""

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

PARTS = (
    "urgency",
    "vulnerability",
    "waiting",
    "distance",
    "skill_fit",
    "reputation",
    "fairness",
)
# Urgency rank (0 = emergency ... 3 = low) to its part of the score.
URGENCY_VALUE = (1.0, 0.75, 0.4, 0.15)
# Ranks at or above this are "urgent": the fairness part never lowers them.
URGENT_RANKS = (0, 1)
WAITING_FULL_DAYS = 14.0
# Integer costs for the solver: a score is scaled so the best edge costs this much.
COST_SCALE = 100_000
DEMAND_CHUNK = 2_048
TILE = 192
KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LON_EQUATOR = 111.320

# Why a demand stays unmatched, in the order the rules are checked.
REASON_NO_RESOURCES = "no_resources"
REASON_NO_SKILL = "no_skill"
REASON_NO_TIME = "no_time"
REASON_NO_ONE_NEAR = "no_one_near"
REASON_CONFLICT = "conflict"
REASON_NO_CAPACITY = "no_capacity"
REASON_TAKEN = "taken"
REASONS = (
    REASON_NO_RESOURCES,
    REASON_NO_SKILL,
    REASON_NO_TIME,
    REASON_NO_ONE_NEAR,
    REASON_CONFLICT,
    REASON_NO_CAPACITY,
    REASON_TAKEN,
)


class InvalidInput(ValueError):
    """Weights or parameters the engine refuses; the message says which and why."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Weights:
    """How much each part counts; configurable per kelurahan."""

    urgency: float = 3.0
    vulnerability: float = 2.0
    waiting: float = 1.0
    distance: float = 2.0
    skill_fit: float = 1.0
    reputation: float = 0.5
    fairness: float = 1.5

    def as_dict(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in PARTS}

    def validate(self) -> None:
        """Refuse negative, non-finite, too large or all-zero weights."""
        for name, value in self.as_dict().items():
            if not math.isfinite(value):
                raise InvalidInput(f"weight {name} is not a number", name)
            if value < 0:
                raise InvalidInput(f"weight {name} is negative", name)
            if value > 100:
                raise InvalidInput(f"weight {name} is above 100", name)
        if sum(self.as_dict().values()) <= 0:
            raise InvalidInput("all weights are zero", "weights")

    @property
    def total(self) -> float:
        return sum(self.as_dict().values())


@dataclass(frozen=True)
class Demand:
    """Something that needs help: a need (one helper) or an activity slot (``units``)."""

    id: str
    skills: tuple[str, ...]  # accepted skills/categories, the best fit first
    window: int  # time blocks in which help can happen (``window_mask``)
    units: int = 1
    lat: float | None = None
    lon: float | None = None
    area: int | None = None  # e.g. the RT, for the same-area rule without a location
    urgency: int = 2  # 0 emergency, 1 high, 2 medium, 3 low
    vulnerability: float = 0.0  # 0..1 from the registry
    waiting_days: float = 0.0
    helped_recently: int = 0  # deliveries to the household in the fairness window
    household: int | None = None
    person: int | None = None
    excluded: frozenset[str] = frozenset()  # resource ids declined or rejected before


@dataclass(frozen=True)
class Resource:
    """Something that can help: a volunteer, a goods stock, a UMKM offer."""

    id: str
    kind: str
    skills: frozenset[str]
    capacity: int
    window: int
    lat: float | None = None
    lon: float | None = None
    area: int | None = None
    owner_household: int | None = None
    conflict_households: frozenset[int] = frozenset()
    conflict_persons: frozenset[int] = frozenset()
    reputation: float | None = None  # 0..1; None = no ratings yet (neutral)
    consented: bool = True
    divisible: bool = False  # a stock can give several units to one demand


@dataclass(frozen=True)
class Assignment:
    demand: str
    resource: str
    units: int
    score: float
    parts: dict[str, float]
    distance_km: float | None
    first_block: int  # the first time block both are available


@dataclass(frozen=True)
class Unmatched:
    demand: str
    reason: str
    units_missing: int
    skills: tuple[str, ...]


@dataclass
class Graph:
    """The feasible edges and their scores, as arrays (one row per edge)."""

    demand_index: np.ndarray
    resource_index: np.ndarray
    capacity: np.ndarray
    parts: np.ndarray  # edges x len(PARTS), weighted
    score: np.ndarray
    cost: np.ndarray  # integer, what the solver maximises
    distance_km: np.ndarray  # NaN when unknown
    first_block: np.ndarray


@dataclass
class MatchResult:
    assignments: list[Assignment]
    unmatched: list[Unmatched]
    total_score: float
    total_cost: int
    edges: int
    build_seconds: float
    solve_seconds: float
    reasons: list[str] = field(default_factory=list)  # why the whole round is empty
    # Other feasible resources per demand, best first: (resource id, score).
    alternatives: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    def by_demand(self) -> dict[str, list[Assignment]]:
        out: dict[str, list[Assignment]] = {}
        for a in self.assignments:
            out.setdefault(a.demand, []).append(a)
        return out


def window_mask(start: float, end: float, *, horizon_start: float, block_seconds: float) -> int:
    """The blocks of the horizon (at most 64) that the interval [start, end) touches."""
    if end <= start:
        return 0
    first = max(0, math.floor((start - horizon_start) / block_seconds))
    last = min(63, math.ceil((end - horizon_start) / block_seconds) - 1)
    if last < first:
        return 0
    return ((1 << (last - first + 1)) - 1) << first


class _Arrays:
    """Demands and resources as numpy columns (built once per round)."""

    def __init__(self, demands: Sequence[Demand], resources: Sequence[Resource]) -> None:
        vocabulary: dict[str, int] = {}
        for d in demands:
            for s in d.skills:
                vocabulary.setdefault(s, len(vocabulary))
        words = len(vocabulary) // 64 + 1
        self.words = words

        def mask(skills: Iterable[str]) -> list[int]:
            out = [0] * words
            for s in skills:
                if s in vocabulary:
                    i = vocabulary[s]
                    out[i // 64] |= 1 << (i % 64)
            return out

        self.d_skills = np.array([mask(d.skills) for d in demands], dtype=np.uint64).reshape(
            len(demands), words
        )
        self.d_best = np.array([mask(d.skills[:1]) for d in demands], dtype=np.uint64).reshape(
            len(demands), words
        )
        self.r_skills = np.array([mask(r.skills) for r in resources], dtype=np.uint64).reshape(
            len(resources), words
        )
        self.d_window = np.array([d.window for d in demands], dtype=np.uint64)
        self.r_window = np.array([r.window for r in resources], dtype=np.uint64)
        nan = float("nan")
        self.d_lat = np.array([nan if d.lat is None else d.lat for d in demands], dtype=np.float64)
        self.d_lon = np.array([nan if d.lon is None else d.lon for d in demands], dtype=np.float64)
        self.r_lat = np.array(
            [nan if r.lat is None else r.lat for r in resources], dtype=np.float64
        )
        self.r_lon = np.array(
            [nan if r.lon is None else r.lon for r in resources], dtype=np.float64
        )
        self.d_area = np.array([-1 if d.area is None else d.area for d in demands], dtype=np.int64)
        self.r_area = np.array(
            [-1 if r.area is None else r.area for r in resources], dtype=np.int64
        )
        self.d_household = np.array(
            [-1 if d.household is None else d.household for d in demands], dtype=np.int64
        )
        self.r_household = np.array(
            [-2 if r.owner_household is None else r.owner_household for r in resources],
            dtype=np.int64,
        )
        self.r_capacity = np.array([max(0, r.capacity) for r in resources], dtype=np.int64)
        self.r_consented = np.array([r.consented for r in resources], dtype=bool)
        self.r_divisible = np.array([r.divisible for r in resources], dtype=bool)
        self.r_reputation = np.array(
            [0.5 if r.reputation is None else min(1.0, max(0.0, r.reputation)) for r in resources],
            dtype=np.float64,
        )
        self.d_units = np.array([max(0, d.units) for d in demands], dtype=np.int64)
        self.d_urgency = np.array([min(3, max(0, d.urgency)) for d in demands], dtype=np.int64)
        self.d_vulnerability = np.clip(
            np.array([d.vulnerability for d in demands], dtype=np.float64), 0, 1
        )
        self.d_waiting = np.clip(
            np.array([d.waiting_days for d in demands], dtype=np.float64) / WAITING_FULL_DAYS,
            0,
            1,
        )
        both = np.concatenate([self.d_lat, self.r_lat])
        known = both[np.isfinite(both)]
        self.lat0 = float(known.mean()) if len(known) else 0.0
        helped = np.array([max(0, d.helped_recently) for d in demands], dtype=np.float64)
        urgent = np.isin(self.d_urgency, URGENT_RANKS)
        self.d_fairness = np.where(urgent, 1.0, 1.0 / (1.0 + helped))


def _rule_masks(
    a: _Arrays, rows: np.ndarray, cols: np.ndarray, radius_km: float
) -> tuple[list[np.ndarray], np.ndarray]:
    """For demand rows x resource cols: the masks of each hard rule (skill and consent,
    time, distance, not their own household, capacity) and the squared distances."""
    r_skills = a.r_skills[cols]
    skill = (a.d_skills[rows, 0][:, None] & r_skills[None, :, 0]) != 0
    for w in range(1, a.words):
        skill |= (a.d_skills[rows, w][:, None] & r_skills[None, :, w]) != 0
    skill &= a.r_consented[cols][None, :]
    timing = (a.d_window[rows][:, None] & a.r_window[cols][None, :]) != 0
    kx = KM_PER_DEGREE_LON_EQUATOR * math.cos(math.radians(a.lat0))
    squared = a.r_lon[cols][None, :] - a.d_lon[rows][:, None]
    squared *= squared
    squared *= kx * kx
    dy = a.r_lat[cols][None, :] - a.d_lat[rows][:, None]
    dy *= dy
    dy *= KM_PER_DEGREE_LAT * KM_PER_DEGREE_LAT
    squared += dy
    near = squared <= radius_km * radius_km
    unknown = np.isnan(squared)
    if unknown.any():
        d_area = a.d_area[rows][:, None]
        near |= unknown & (d_area == a.r_area[cols][None, :]) & (d_area >= 0)
    other = a.d_household[rows][:, None] != a.r_household[cols][None, :]
    capacity = np.broadcast_to(a.r_capacity[cols][None, :] > 0, skill.shape)
    return [skill, timing, near, other, capacity], squared


def _conflicts(demands: Sequence[Demand], resources: Sequence[Resource]) -> set[tuple[int, int]]:
    """Declared conflicts and exclusions as (demand index, resource index) pairs."""
    pairs: set[tuple[int, int]] = set()
    by_household: dict[int, list[int]] = {}
    by_person: dict[int, list[int]] = {}
    for i, d in enumerate(demands):
        if d.household is not None:
            by_household.setdefault(d.household, []).append(i)
        if d.person is not None:
            by_person.setdefault(d.person, []).append(i)
    resource_at = {r.id: j for j, r in enumerate(resources)}
    for j, r in enumerate(resources):
        for h in r.conflict_households:
            pairs.update((i, j) for i in by_household.get(h, ()))
        for p in r.conflict_persons:
            pairs.update((i, j) for i in by_person.get(p, ()))
    for i, d in enumerate(demands):
        for rid in d.excluded:
            if rid in resource_at:
                pairs.add((i, resource_at[rid]))
    return pairs


def graph_build(
    demands: Sequence[Demand],
    resources: Sequence[Resource],
    *,
    weights: Weights,
    radius_km: float,
    arrays: "_Arrays | None" = None,
) -> Graph:
    """Every feasible (demand, resource) edge with its weighted parts, built vectorised."""
    weights.validate()
    if not (math.isfinite(radius_km) and radius_km > 0):
        raise InvalidInput("radius must be a positive number of km", "radius_km")
    a = arrays or _Arrays(demands, resources)
    w = np.array([weights.as_dict()[p] for p in PARTS], dtype=np.float64)
    d_parts: list[np.ndarray] = []
    r_parts: list[np.ndarray] = []
    dist_parts: list[np.ndarray] = []
    fb_parts: list[np.ndarray] = []
    for rows, cols in _blocks(a, radius_km):
        masks, distance = _rule_masks(a, rows, cols, radius_km)
        ok = masks[2]
        for m in (masks[0], masks[1], masks[3], masks[4]):
            ok &= m
        bi, bj = np.nonzero(ok)
        d_parts.append(rows[bi])
        r_parts.append(cols[bj])
        dist_parts.append(np.sqrt(distance[bi, bj]))
        both = a.d_window[rows[bi]] & a.r_window[cols[bj]]
        fb_parts.append(_lowest_bit(both))
    di = np.concatenate(d_parts) if d_parts else np.zeros(0, dtype=np.int64)
    rj = np.concatenate(r_parts) if r_parts else np.zeros(0, dtype=np.int64)
    dist = np.concatenate(dist_parts) if dist_parts else np.zeros(0)
    first_block = np.concatenate(fb_parts) if fb_parts else np.zeros(0, dtype=np.int64)
    forbidden = _conflicts(demands, resources)
    if forbidden and len(di):
        keep = np.array([(int(i), int(j)) not in forbidden for i, j in zip(di, rj, strict=True)])
        di, rj, dist, first_block = di[keep], rj[keep], dist[keep], first_block[keep]
    raw = np.empty((len(di), len(PARTS)), dtype=np.float64)
    raw[:, 0] = np.take(URGENCY_VALUE, a.d_urgency[di]) if len(di) else 0
    raw[:, 1] = a.d_vulnerability[di]
    raw[:, 2] = a.d_waiting[di]
    raw[:, 3] = np.where(np.isfinite(dist), np.clip(1 - dist / radius_km, 0, 1), 0.5)
    best = np.zeros(len(di), dtype=bool)
    for word in range(a.words):
        best |= (a.d_best[di, word] & a.r_skills[rj, word]) != 0
    raw[:, 4] = np.where(best, 1.0, 0.5)
    raw[:, 5] = a.r_reputation[rj]
    raw[:, 6] = a.d_fairness[di]
    parts = raw * w[None, :]
    score = parts.sum(axis=1)
    cost = np.rint(score * (COST_SCALE / weights.total)).astype(np.int64)
    capacity = np.where(a.r_divisible[rj], np.minimum(a.d_units[di], a.r_capacity[rj]), 1).astype(
        np.int64
    )
    return Graph(
        demand_index=di.astype(np.int64),
        resource_index=rj.astype(np.int64),
        capacity=capacity,
        parts=parts,
        score=score,
        cost=cost,
        distance_km=dist,
        first_block=first_block,
    )


def _blocks(a: _Arrays, radius_km: float) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    """Demand rows in spatial tiles (rows of the radius' height, ordered by longitude),
    each with the resources in its bounding box widened by the radius (plus those
    without a location): the distance rule prunes before any pair is built."""
    n_d = len(a.d_lat)
    all_cols = np.arange(len(a.r_lat))
    located = np.isfinite(a.r_lat) & np.isfinite(a.r_lon)
    r_sorted = all_cols[located][np.argsort(a.r_lat[located], kind="stable")]
    r_lats = a.r_lat[r_sorted]
    unlocated = all_cols[~located]
    margin_lat = radius_km / KM_PER_DEGREE_LAT
    margin_lon = radius_km / (KM_PER_DEGREE_LON_EQUATOR * math.cos(math.radians(a.lat0)))
    d_known = np.isfinite(a.d_lat) & np.isfinite(a.d_lon)
    known_rows = np.nonzero(d_known)[0]
    band = np.floor(a.d_lat[known_rows] / margin_lat)
    order = np.concatenate(
        [known_rows[np.lexsort((a.d_lon[known_rows], band))], np.nonzero(~d_known)[0]]
    )
    for start in range(0, n_d, TILE):
        rows = order[start : start + TILE]
        lats, lons = a.d_lat[rows], a.d_lon[rows]
        if np.isfinite(lats).all() and np.isfinite(lons).all():
            lo = np.searchsorted(r_lats, lats.min() - margin_lat, side="left")
            hi = np.searchsorted(r_lats, lats.max() + margin_lat, side="right")
            band_cols = r_sorted[lo:hi]
            band_lons = a.r_lon[band_cols]
            inside = (band_lons >= lons.min() - margin_lon) & (band_lons <= lons.max() + margin_lon)
            cols = np.sort(np.concatenate([band_cols[inside], unlocated]))
        else:
            cols = all_cols
        yield rows, cols


def _lowest_bit(values: np.ndarray) -> np.ndarray:
    """Index of the lowest set bit of each uint64 (-1 for zero)."""
    v = values.astype(np.uint64)
    low = v & (~v + np.uint64(1))
    out = np.full(len(v), -1, dtype=np.int64)
    nz = low != 0
    out[nz] = np.log2(low[nz].astype(np.float64)).astype(np.int64)
    return out


def solve_optimal(graph: Graph, units: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Units of flow on each edge of a maximum-score assignment (min-cost flow)."""
    edges = len(graph.cost)
    if edges == 0:
        return np.zeros(0, dtype=np.int64)
    n_d, n_r = len(units), len(capacity)
    source, sink = n_d + n_r, n_d + n_r + 1
    total = int(units.sum())
    flow = min_cost_flow.SimpleMinCostFlow()
    d_nodes = np.arange(n_d, dtype=np.int32)
    r_nodes = np.arange(n_d, n_d + n_r, dtype=np.int32)
    tails = np.concatenate(
        [
            graph.demand_index.astype(np.int32),
            np.full(n_d, source, dtype=np.int32),
            r_nodes,
            np.array([source], dtype=np.int32),
        ]
    )
    heads = np.concatenate(
        [
            (graph.resource_index + n_d).astype(np.int32),
            d_nodes,
            np.full(n_r, sink, dtype=np.int32),
            np.array([sink], dtype=np.int32),
        ]
    )
    caps = np.concatenate(
        [graph.capacity, units, capacity, np.array([total], dtype=np.int64)]
    ).astype(np.int64)
    costs = np.concatenate([-graph.cost, np.zeros(n_d + n_r + 1, dtype=np.int64)]).astype(np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supplies = np.zeros(n_d + n_r + 2, dtype=np.int64)
    supplies[source], supplies[sink] = total, -total
    flow.set_nodes_supplies(np.arange(n_d + n_r + 2, dtype=np.int32), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    return np.asarray(flow.flows(np.arange(edges, dtype=np.int32)), dtype=np.int64)


def solve_greedy(
    graph: Graph, units: np.ndarray, capacity: np.ndarray, urgency: np.ndarray
) -> np.ndarray:
    """Baseline: most urgent demand first (then input order), first feasible resource."""
    order = np.lexsort((graph.resource_index, graph.demand_index, urgency[graph.demand_index]))
    left_units = units.copy()
    left_cap = capacity.copy()
    flows = np.zeros(len(graph.cost), dtype=np.int64)
    for e in order:
        i, j = graph.demand_index[e], graph.resource_index[e]
        give = min(left_units[i], left_cap[j], graph.capacity[e])
        if give > 0:
            flows[e] = give
            left_units[i] -= give
            left_cap[j] -= give
    return flows


def _unmatched_reasons(
    a: _Arrays,
    demands: Sequence[Demand],
    resources: Sequence[Resource],
    rows: list[int],
    radius_km: float,
    forbidden: set[tuple[int, int]],
) -> dict[int, str]:
    """The first hard rule that leaves no resource for each unmatched demand."""
    out: dict[int, str] = {}
    if not rows:
        return out
    if not resources:
        return dict.fromkeys(rows, REASON_NO_RESOURCES)
    for start in range(0, len(rows), DEMAND_CHUNK // 4):
        chunk = rows[start : start + DEMAND_CHUNK // 4]
        out.update(_reasons_chunk(a, chunk, len(resources), radius_km, forbidden))
    return out


def _reasons_chunk(
    a: _Arrays, rows: list[int], n_resources: int, radius_km: float, forbidden: set[tuple[int, int]]
) -> dict[int, str]:
    out: dict[int, str] = {}
    index = np.array(rows, dtype=np.int64)
    masks, _distance = _rule_masks(a, index, np.arange(n_resources), radius_km)
    for k, i in enumerate(rows):
        alive = masks[0][k].copy()
        codes = (REASON_NO_SKILL, REASON_NO_TIME, REASON_NO_ONE_NEAR)
        reason = ""
        for code, m in zip(codes, masks[:3], strict=True):
            if code != REASON_NO_SKILL:
                alive &= m[k]
            if not alive.any():
                reason = code
                break
        if not reason:
            alive &= masks[3][k]
            for j in np.nonzero(alive)[0]:
                if (i, int(j)) in forbidden:
                    alive[j] = False
            if not alive.any():
                reason = REASON_CONFLICT
            elif not (alive & masks[4][k]).any():
                reason = REASON_NO_CAPACITY
            else:
                reason = REASON_TAKEN
        out[i] = reason
    return out


def match(
    demands: Sequence[Demand],
    resources: Sequence[Resource],
    *,
    weights: Weights | None = None,
    radius_km: float = 2.0,
    solver: str = "optimal",
    alternatives: int = 0,
) -> MatchResult:
    """Match demands to resources; deterministic for the same input (sorted by id)."""
    weights = weights or Weights()
    if solver not in ("optimal", "greedy"):
        raise InvalidInput("solver must be 'optimal' or 'greedy'", "solver")
    demands = sorted(demands, key=lambda d: d.id)
    resources = sorted(resources, key=lambda r: r.id)
    if len({d.id for d in demands}) != len(demands) or len({r.id for r in resources}) != len(
        resources
    ):
        raise InvalidInput("ids must be unique", "id")
    started = time.perf_counter()
    arrays = _Arrays(demands, resources)
    graph = graph_build(demands, resources, weights=weights, radius_km=radius_km, arrays=arrays)
    built = time.perf_counter()
    if solver == "optimal":
        flows = solve_optimal(graph, arrays.d_units, arrays.r_capacity)
    else:
        flows = solve_greedy(graph, arrays.d_units, arrays.r_capacity, arrays.d_urgency)
    solved = time.perf_counter()
    assignments = []
    got = np.zeros(len(demands), dtype=np.int64)
    for e in np.nonzero(flows)[0]:
        i, j, units = int(graph.demand_index[e]), int(graph.resource_index[e]), int(flows[e])
        got[i] += units
        dist = float(graph.distance_km[e])
        parts = {p: float(graph.parts[e, k]) for k, p in enumerate(PARTS)}
        assignments.append(
            Assignment(
                demand=demands[i].id,
                resource=resources[j].id,
                units=units,
                score=sum(parts.values()),
                parts=parts,
                distance_km=dist if math.isfinite(dist) else None,
                first_block=int(graph.first_block[e]),
            )
        )
    short = [i for i in range(len(demands)) if got[i] < arrays.d_units[i]]
    # A demand with feasible edges lost them to better-scoring ones; the others get the
    # first hard rule that left nobody.
    has_edges = np.bincount(graph.demand_index, minlength=len(demands)) > 0
    reasons_for = dict.fromkeys((i for i in short if has_edges[i]), REASON_TAKEN)
    reasons_for.update(
        _unmatched_reasons(
            arrays,
            demands,
            resources,
            [i for i in short if not has_edges[i]],
            radius_km,
            _conflicts(demands, resources),
        )
    )
    unmatched = [
        Unmatched(
            demand=demands[i].id,
            reason=reasons_for[i],
            units_missing=int(arrays.d_units[i] - got[i]),
            skills=demands[i].skills,
        )
        for i in short
    ]
    others: dict[str, list[tuple[str, float]]] = {}
    if alternatives and len(flows):
        unused = np.nonzero(flows == 0)[0]
        order = unused[np.lexsort((-graph.score[unused], graph.demand_index[unused]))]
        for e in order:
            listed = others.setdefault(demands[int(graph.demand_index[e])].id, [])
            if len(listed) < alternatives:
                listed.append((resources[int(graph.resource_index[e])].id, float(graph.score[e])))
    round_reasons = []
    if not demands:
        round_reasons.append("no_demands")
    if not resources:
        round_reasons.append(REASON_NO_RESOURCES)
    return MatchResult(
        assignments=assignments,
        unmatched=unmatched,
        total_score=float(sum(a.score * a.units for a in assignments)),
        total_cost=int((graph.cost * flows).sum()) if len(flows) else 0,
        edges=len(graph.cost),
        build_seconds=built - started,
        solve_seconds=solved - built,
        reasons=round_reasons,
        alternatives=others,
    )


def pair_evaluate(
    demand: Demand, resource: Resource, *, weights: Weights, radius_km: float
) -> tuple[Assignment | None, str]:
    """One pair (an operator's edit): its assignment if every hard rule holds, else why not."""
    result = match([demand], [resource], weights=weights, radius_km=radius_km)
    if result.assignments:
        return result.assignments[0], ""
    return None, result.unmatched[0].reason if result.unmatched else REASON_NO_RESOURCES
