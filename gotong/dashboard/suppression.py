"""Small-cell suppression of count tables with every marginal, audited against an attacker
who solves all published tables together (pure Python + OR-Tools CP-SAT, no Django).

A *family* of tables is a cube over ``dims`` (month x RW x category) for each of a list of
nested *milestones* (raised >= matched >= delivered >= closed: every need that reached a
milestone reached the ones before it). Each table holds every cell and every marginal
(``ALL`` = "*"), so every filter combination is one lookup. Internally the family is kept
as disjoint *stages* (stage s = needs whose last milestone is s), so the difference of two
milestones of one key (raised - delivered = needs not delivered) is a sum of stages.

What is sensitive: every published cell and every difference of two milestones of the
same key that counts 1-4 distinct people (households, else persons).

The attacker's model (what ``audit`` solves): non-negative integer stage counts for every
key; every marginal is the sum of its parts; every visible cell is a known number; every
suppressed cell is only "some number >= 0" (one symbol, ``SUPPRESSED``, for small cells
and for cells hidden to protect them, so the symbol itself says nothing). A sensitive
quantity is protected when its feasible interval over all such tables reaches 1 or
below *and* 5 or above: the attacker can tell neither whether it is 0, 1-4 or 5+, nor
which of 1-4 it is. CP-SAT checks both ends of every sensitive quantity (two feasibility
questions, "can it be >= 5?", "can it be <= 1?", answered first from the tables already
found).

How it is reached (``Family.protect``):
1. primary: every cell counting 1-4 people is suppressed; where a sensitive difference
   has both of its cells visible, the later milestone's cell is suppressed too;
2. the old line rule, to a fixed point: no line (one dimension with the others fixed,
   plus its total) may have exactly one suppressed cell (cheap, catches most cases);
3. the audit; for each quantity that fails, complementary suppression by the hypercube
   method: for every dimension pick the partner value whose cell costs least (already
   suppressed, else a detail cell before a total, else the smallest count) and suppress
   the 2^d corners, in the failing milestone first and then in every milestone; repeat
   until the audit passes. If a quantity still fails after every partner was tried, all
   cells in the lines through it are suppressed (the table is published coarser).
"""

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

ALL = "*"
SMALL_CELL = 5
PRIMARY = "<5"
# The one symbol of a suppressed cell in a protected table (small or complementary).
SUPPRESSED = "x"
SECONDARY = SUPPRESSED
# The protection interval: a sensitive quantity must be able to be this low and this high.
PROTECT_LOW = 1
PROTECT_HIGH = SMALL_CELL
SOLVE_SECONDS = 1.0
# A question about many quantities at once (see ``Attacker.reachable_all``).
BATCH_SECONDS = 2.0

Key = tuple[str, ...]
Cell = tuple[int, Key]  # (milestone index, key)


@dataclass(frozen=True)
class Quantity:
    """A sensitive published figure: stages ``low``..``high - 1`` of ``key``.

    ``high`` equal to the number of milestones is the milestone cell ``low`` itself;
    otherwise it is the difference of milestone cells ``low`` and ``high``."""

    low: int
    high: int
    key: Key


@dataclass
class AuditReport:
    """What the audit checked and found."""

    sensitive: int = 0
    failures: list[Quantity] = field(default_factory=list)
    solves: int = 0
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class Family:
    """Nested milestone tables over ``dims`` with every marginal, and their suppression."""

    dims: list[str]
    values: list[list[str]]
    milestones: list[str]
    stage_count: list[dict[Key, int]] = field(default_factory=list)
    stage_people: list[dict[Key, set[Any]]] = field(default_factory=list)
    hidden: set[Cell] = field(default_factory=set)
    report: AuditReport | None = None
    rounds: int = 0

    def __post_init__(self) -> None:
        stages = len(self.milestones)
        self.stage_count = self.stage_count or [{} for _s in range(stages)]
        self.stage_people = self.stage_people or [{} for _s in range(stages)]

    # --- data ---------------------------------------------------------------------------

    def add(self, key: Sequence[str], person: Any, reached: int = 0, n: int = 1) -> None:
        """Count one row at ``key`` whose last milestone is ``reached`` (and its marginals)."""
        counts, people = self.stage_count[reached], self.stage_people[reached]
        for cell in product(*[(value, ALL) for value in key]):
            counts[cell] = counts.get(cell, 0) + n
            people.setdefault(cell, set()).add(person)

    def keys(self) -> Iterable[Key]:
        return product(*[[*values, ALL] for values in self.values])

    def count(self, milestone: int, key: Key) -> int:
        """The true value of a milestone cell: rows that reached at least that milestone."""
        return sum(self.stage_count[s].get(key, 0) for s in range(milestone, self.size))

    def people(self, low: int, high: int, key: Key) -> int:
        """Distinct people in stages ``low``..``high - 1`` of ``key`` (5 means 5 or more)."""
        sets = [self.stage_people[s].get(key, set()) for s in range(low, high)]
        if any(len(found) >= SMALL_CELL for found in sets):
            return SMALL_CELL
        return min(len(set().union(*sets)), SMALL_CELL)

    @property
    def size(self) -> int:
        return len(self.milestones)

    def sensitive(self) -> list[Quantity]:
        """Every published cell and same-key milestone difference counting 1-4 people."""
        found = []
        for key in self.keys():
            for low in range(self.size):
                for high in range(low + 1, self.size + 1):
                    if 0 < self.people(low, high, key) < SMALL_CELL:
                        found.append(Quantity(low, high, key))
        return found

    # --- protection -----------------------------------------------------------------------

    def protect(self, max_rounds: int = 200) -> AuditReport:
        """Suppress until the audit passes (in place); returns the last audit's report."""
        sensitive = self.sensitive()
        self.suppress_primary(sensitive)
        self.suppress_by_lines()
        tried: dict[Quantity, int] = {}
        started = time.perf_counter()
        solves = 0
        report = audit(self, sensitive)
        solves += report.solves
        while report.failures and self.rounds < max_rounds:
            self.rounds += 1
            for quantity in report.failures:
                attempt = tried.get(quantity, 0)
                # Within a round, stop at the lines through the quantity: cells other
                # failures hid this round may already protect it (the next audit says).
                last = 2 * max(len(values) for values in self.values) + 1
                while not self._complement(quantity, attempt) and attempt < last:
                    attempt += 1
                tried[quantity] = attempt + 1
            report = audit(self, report.failures)
            solves += report.solves
            if not report.failures:
                report = audit(self, sensitive)
                solves += report.solves
        report.solves, report.seconds = solves, time.perf_counter() - started
        report.sensitive = len(sensitive)
        self.report = report
        return report

    def suppress_primary(self, sensitive: Iterable[Quantity]) -> None:
        """Suppress small cells, and one cell of each small difference of visible cells."""
        for quantity in sensitive:
            if quantity.high == self.size:
                self.hidden.add((quantity.low, quantity.key))
        for quantity in sensitive:
            if quantity.high == self.size:
                continue
            pair = [(quantity.low, quantity.key), (quantity.high, quantity.key)]
            if not any(cell in self.hidden for cell in pair):
                self.hidden.add(pair[1])

    def suppress_by_lines(self) -> None:
        """The line rule: no line may have exactly one suppressed cell (to a fixed point).

        On its own this is the rule used before the audit; it does not hold against an
        attacker who solves all lines of all dimensions together (see the tests)."""
        lines = [(m, line) for m in range(self.size) for line in self._lines()]
        changed = True
        while changed:
            changed = False
            for milestone, line in lines:
                hidden = [k for k in line if (milestone, k) in self.hidden]
                if len(hidden) != 1:
                    continue
                candidates = [k for k in line if (milestone, k) not in self.hidden]
                pick = min(candidates, key=lambda k: self._cost(milestone, k))
                self.hidden.add((milestone, pick))
                changed = True

    def _cost(self, milestone: int, key: Key) -> tuple[int, int, int, Key]:
        """How much information suppressing a cell loses: already hidden costs nothing;
        a total costs more than a detail cell; a larger count more than a smaller one
        (an empty cell is the last choice: hiding it rarely helps)."""
        if (milestone, key) in self.hidden:
            return (0, 0, 0, key)
        value = self.count(milestone, key)
        return (1, key.count(ALL), value if value else 10**9, key)

    def _lines(self) -> Iterable[list[Key]]:
        for axis, values in enumerate(self.values):
            others = [[*v, ALL] for i, v in enumerate(self.values) if i != axis]
            for fixed in product(*others):
                line = []
                for value in [*values, ALL]:
                    key = list(fixed)
                    key.insert(axis, value)
                    line.append(tuple(key))
                yield line

    def _complement(self, quantity: Quantity, attempt: int) -> bool:
        """One step of complementary suppression for a failing quantity; False when the
        step would suppress nothing new (the caller then tries the next step)."""
        before = len(self.hidden)
        ends = [quantity.low] + ([quantity.high] if quantity.high < self.size else [])
        hidden_ends = [m for m in ends if (m, quantity.key) in self.hidden] or ends
        partners_per_axis = [len(values) for values in self.values]
        if attempt <= 2 * max(partners_per_axis):
            rank, everywhere = attempt // 2, attempt % 2 == 1
            milestones = range(self.size) if everywhere else hidden_ends
            for milestone in hidden_ends:
                corners = self._hypercube(milestone, quantity.key, rank)
                for m in milestones:
                    self.hidden.update((m, corner) for corner in corners)
        elif attempt == 2 * max(partners_per_axis) + 1:
            for line in self._lines():
                if quantity.key in line:
                    self.hidden.update((m, k) for m in range(self.size) for k in line)
        else:
            self.hidden.update((m, k) for m in range(self.size) for k in self.keys())
            return True
        return len(self.hidden) > before

    def _hypercube(self, milestone: int, key: Key, rank: int) -> list[Key]:
        """The corners of the cheapest hypercube through ``key`` (``rank``-th partners)."""
        choices = []
        for axis, values in enumerate(self.values):
            options = [v for v in [*values, ALL] if v != key[axis]]

            def neighbour(value: str, axis: int = axis) -> Key:
                return (*key[:axis], value, *key[axis + 1 :])

            options.sort(key=lambda v, n=neighbour: self._cost(milestone, n(v)))  # type: ignore[misc]
            choices.append((key[axis], options[min(rank, len(options) - 1)]))
        return [tuple(corner) for corner in product(*choices)]

    # --- publishing -------------------------------------------------------------------------

    def shown(self, milestone: int, key: Sequence[str]) -> int | str:
        """The published value of a cell: its count, or ``SUPPRESSED``."""
        key = tuple(key)
        if (milestone, key) in self.hidden:
            return SUPPRESSED
        return self.count(milestone, key)

    def published(self) -> dict[str, Any]:
        """JSON-ready protected tables: ``"milestone|a|b|c": value`` cells."""
        return {
            "dims": self.dims,
            "values": self.values,
            "milestones": self.milestones,
            "cells": {
                "|".join((name, *key)): self.shown(m, key)
                for m, name in enumerate(self.milestones)
                for key in self.keys()
            },
        }


class Cube(Family):
    """One table (a single milestone) over ``dims`` with every marginal."""

    def __init__(self, dims: list[str], values: list[list[str]]) -> None:
        super().__init__(dims=dims, values=values, milestones=["count"])

    def add(self, key: Sequence[str], person: Any, reached: int = 0, n: int = 1) -> None:
        super().add(key, person, reached, n)

    def cell(self, key: Sequence[str]) -> int | str:
        """The published value of a cell of the one table."""
        return self.shown(0, key)


# --- the attacker -------------------------------------------------------------------------


class Attacker:
    """Everything published about a family, as a CP-SAT model over its stage counts."""

    def __init__(self, family: Family) -> None:
        self.family = family
        self.truth: dict[tuple[int, Key], int] = {
            (s, key): family.stage_count[s].get(key, 0)
            for key in family.keys()
            for s in range(family.size)
        }
        self.model, self.stage = self._model()
        self.witnesses: list[dict[tuple[int, Key], int]] = [self.truth]

    def _model(self) -> tuple[cp_model.CpModel, dict[tuple[int, Key], Any]]:
        """A fresh model of what is published: a variable per stage of every key with a
        suppressed cell, the true count elsewhere; every marginal is the sum of its parts."""
        family = self.family
        model = cp_model.CpModel()
        stages = family.size
        total = sum(family.count(0, k) for k in family.keys() if ALL not in k)
        bound = 4 * total + 1000
        stage: dict[tuple[int, Key], Any] = {}
        open_keys = {key for (_m, key) in family.hidden}
        for key in family.keys():
            for s in range(stages):
                if key in open_keys:
                    stage[(s, key)] = model.new_int_var(0, bound, "")
                else:
                    stage[(s, key)] = self.truth[(s, key)]
        for key in open_keys:
            for m in range(stages):
                if (m, key) not in family.hidden:
                    model.add(
                        sum(stage[(s, key)] for s in range(m, stages)) == family.count(m, key)
                    )
        for key in family.keys():
            if ALL not in key:
                continue
            axis = key.index(ALL)
            parts = [(*key[:axis], v, *key[axis + 1 :]) for v in family.values[axis]]
            for s in range(stages):
                terms = [stage[(s, k)] for k in [key, *parts]]
                if all(isinstance(t, int) for t in terms):
                    continue
                model.add(stage[(s, key)] == sum(stage[(s, k)] for k in parts))
        return model, stage

    def expression(
        self, quantity: Quantity, stage: dict[tuple[int, Key], Any] | None = None
    ) -> Any:
        stage = self.stage if stage is None else stage
        return sum(stage[(s, quantity.key)] for s in range(quantity.low, quantity.high))

    def _meets(
        self,
        solution: dict[tuple[int, Key], int],
        quantity: Quantity,
        at_least: int | None,
        at_most: int | None,
    ) -> bool:
        value = self._value(solution, quantity)
        return (at_least is not None and value >= at_least) or (
            at_most is not None and value <= at_most
        )

    def _relaxation_allows(
        self, quantities: list[Quantity], *, at_least: int | None, at_most: int | None
    ) -> list[Quantity]:
        """The quantities whose bound the LP relaxation (GLOP) does not rule out.

        The relaxation allows every integer table and more, so a quantity whose LP
        maximum is below ``at_least`` (or LP minimum above ``at_most``) is proven unable
        to reach it; an LP that reaches the bound proves nothing (CP-SAT decides)."""
        if not quantities:
            return quantities
        solver = pywraplp.Solver.CreateSolver("GLOP")
        stage: dict[tuple[int, Key], Any] = {}
        for cell, var in self.stage.items():
            stage[cell] = var if isinstance(var, int) else solver.NumVar(0, solver.infinity(), "")
        family = self.family
        stages = family.size
        open_keys = {key for (_m, key) in family.hidden}
        for key in open_keys:
            for m in range(stages):
                if (m, key) not in family.hidden:
                    solver.Add(
                        sum(stage[(s, key)] for s in range(m, stages)) == family.count(m, key)
                    )
        for key in family.keys():
            if ALL not in key:
                continue
            axis = key.index(ALL)
            parts = [(*key[:axis], v, *key[axis + 1 :]) for v in family.values[axis]]
            for s in range(stages):
                terms = [stage[(s, k)] for k in [key, *parts]]
                if all(isinstance(t, int) for t in terms):
                    continue
                solver.Add(stage[(s, key)] == sum(stage[(s, k)] for k in parts))
        kept = []
        for quantity in quantities:
            objective = solver.Objective()
            objective.Clear()
            for s in range(quantity.low, quantity.high):
                var = stage[(s, quantity.key)]
                if not isinstance(var, int):
                    objective.SetCoefficient(var, 1)
            if at_least is not None:
                objective.SetMaximization()
            else:
                objective.SetMinimization()
            status = solver.Solve()
            if status != pywraplp.Solver.OPTIMAL:
                kept.append(quantity)  # unbounded or unsolved: no proof, CP-SAT decides
                continue
            constant = sum(
                var
                for s in range(quantity.low, quantity.high)
                if isinstance(var := stage[(s, quantity.key)], int)
            )
            value = objective.Value() + constant
            if (at_least is not None and value >= at_least - 1e-6) or (
                at_most is not None and value <= at_most + 1e-6
            ):
                kept.append(quantity)
        return kept

    def reachable_all(
        self,
        quantities: Iterable[Quantity],
        *,
        at_least: int | None = None,
        at_most: int | None = None,
    ) -> tuple[set[Quantity], int]:
        """Which of the quantities can each be ``>= at_least`` (or ``<= at_most``) in some
        table consistent with what is published? Returns (those that can, solver calls).

        Many at once: one model asks for a table where as many of the still open
        quantities as possible reach the bound; every table CP-SAT returns is a witness
        (it satisfies every published figure), so each quantity it shows reaching the
        bound is proven; when CP-SAT proves that none of the open ones can, none can.
        Before CP-SAT, the LP relaxation rules out what it can (``_relaxation_allows``). A
        batch that ends on the time limit without a witness counts its open quantities
        as unable (they get more suppression, never less)."""
        reached: set[Quantity] = set()
        open_: list[Quantity] = []
        for quantity in quantities:
            if any(self._meets(w, quantity, at_least, at_most) for w in self.witnesses):
                reached.add(quantity)
            elif not isinstance(self.expression(quantity), int):
                open_.append(quantity)
        calls = 0
        open_ = self._relaxation_allows(open_, at_least=at_least, at_most=at_most)
        while open_:
            model, stage = self._model()
            flags = []
            for quantity in open_:
                flag = model.new_bool_var("")
                expression = self.expression(quantity, stage)
                if at_least is not None:
                    model.add(expression >= at_least).only_enforce_if(flag)
                else:
                    model.add(expression <= at_most).only_enforce_if(flag)
                flags.append(flag)
            model.add(sum(flags) >= 1)
            model.maximize(sum(flags))
            solver = _solver(BATCH_SECONDS)
            status = solver.solve(model)
            calls += 1
            if status == cp_model.INFEASIBLE:
                break  # proven: none of the open quantities can reach the bound
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                break  # the time limit counts as "cannot": more suppression, never less
            witness = {
                cell: var if isinstance(var, int) else solver.value(var)
                for cell, var in stage.items()
            }
            self.witnesses.append(witness)
            still = []
            for quantity in open_:
                if self._meets(witness, quantity, at_least, at_most):
                    reached.add(quantity)
                else:
                    still.append(quantity)
            open_ = still
        return reached, calls

    def _value(self, solution: dict[tuple[int, Key], int], quantity: Quantity) -> int:
        return sum(solution[(s, quantity.key)] for s in range(quantity.low, quantity.high))

    def reachable(
        self, quantity: Quantity, *, at_least: int | None = None, at_most: int | None = None
    ) -> tuple[bool, int]:
        """Is there a table consistent with what is published where the quantity is
        ``>= at_least`` (or ``<= at_most``)? Returns (answer, solver calls made)."""
        for solution in self.witnesses:
            value = self._value(solution, quantity)
            if (at_least is not None and value >= at_least) or (
                at_most is not None and value <= at_most
            ):
                return True, 0
        expression = self.expression(quantity)
        if isinstance(expression, int):
            return False, 0
        condition = self.model.new_bool_var("")
        if at_least is not None:
            self.model.add(expression >= at_least).only_enforce_if(condition)
        else:
            self.model.add(expression <= at_most).only_enforce_if(condition)
        self.model.clear_assumptions()
        self.model.add_assumption(condition)
        solver = _solver()
        status = solver.solve(self.model)
        self.model.clear_assumptions()
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False, 1
        self.witnesses.append(
            {
                cell: var if isinstance(var, int) else solver.value(var)
                for cell, var in self.stage.items()
            }
        )
        return True, 1

    def interval(self, quantity: Quantity) -> tuple[int, int]:
        """The feasible interval (min, max) of a quantity over every consistent table."""
        expression = self.expression(quantity)
        if isinstance(expression, int):
            return expression, expression
        found = []
        for sense in (self.model.minimize, self.model.maximize):
            sense(expression)
            solver = _solver()
            status = solver.solve(self.model)
            if status != cp_model.OPTIMAL:
                raise RuntimeError(f"CP-SAT did not finish: {solver.status_name(status)}")
            found.append(int(solver.objective_value))
        self.model.clear_objective()
        return found[0], found[1]


def _solver(seconds: float = SOLVE_SECONDS) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = seconds
    return solver


def audit(family: Family, quantities: Iterable[Quantity] | None = None) -> AuditReport:
    """Check that every sensitive quantity can be <= 1 and >= 5 given what is published."""
    started = time.perf_counter()
    attacker = Attacker(family)
    report = AuditReport()
    checked = list(family.sensitive() if quantities is None else quantities)
    report.sensitive = len(checked)
    high, calls = attacker.reachable_all(checked, at_least=PROTECT_HIGH)
    report.solves += calls
    low, calls = attacker.reachable_all([q for q in checked if q in high], at_most=PROTECT_LOW)
    report.solves += calls
    report.failures = [q for q in checked if q not in high or q not in low]
    report.seconds = time.perf_counter() - started
    return report


def small_count(n: int, threshold: int = SMALL_CELL) -> int | str:
    """A single count of people, suppressed when 1-4."""
    return PRIMARY if 0 < n < threshold else n
