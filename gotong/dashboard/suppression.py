"""Small-cell suppression of a count table with every marginal (no Django imports).

A cube holds counts for every combination of dimension values, plus the marginal cells
where any dimension is ``ALL`` ("*"), so every filter combination is one lookup. Each cell
also knows how many distinct people it counts.

1. Primary: a cell counting 1-4 people is shown as "<5".
2. Secondary: every *line* (the cells along one dimension with the others fixed, plus
   their total, which is their sum) must not have exactly one hidden cell, or it could be
   worked out by subtraction from the others. While some line has exactly one, the
   smallest visible non-zero cell of that line is hidden too (shown as "x"). This runs to a
   fixed point over all lines of all dimensions, so combining filters (a total minus the
   other categories, a month minus the other RWs, ...) cannot recover a hidden cell.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

ALL = "*"
SMALL_CELL = 5
PRIMARY = "<5"
SECONDARY = "x"

Key = tuple[str, ...]


@dataclass
class Cube:
    """Counts (and distinct people) for every cell of ``dims``, marginals included."""

    dims: list[str]
    values: list[list[str]]
    count: dict[Key, int] = field(default_factory=dict)
    people: dict[Key, set[Any]] = field(default_factory=dict)
    hidden: dict[Key, str] = field(default_factory=dict)

    def add(self, key: Sequence[str], person: Any, n: int = 1) -> None:
        """Count one row at ``key`` (and in every marginal that contains it)."""
        options = [(value, ALL) for value in key]
        for cell in product(*options):
            self.count[cell] = self.count.get(cell, 0) + n
            self.people.setdefault(cell, set()).add(person)

    def cells(self) -> Iterable[Key]:
        return product(*[[*values, ALL] for values in self.values])

    def protect(self, threshold: int = SMALL_CELL) -> "Cube":
        """Apply primary then secondary suppression (in place); returns the cube."""
        for key in self.cells():
            people = len(self.people.get(key, ()))
            if 0 < people < threshold:
                self.hidden[key] = PRIMARY
        lines = list(self._lines())
        changed = True
        while changed:
            changed = False
            for line in lines:
                hidden = [k for k in line if k in self.hidden]
                if len(hidden) != 1:
                    continue
                candidates = [k for k in line if k not in self.hidden]
                nonzero = [k for k in candidates if self.count.get(k, 0) > 0]
                # Hide the most detailed, smallest cell: totals stay visible when possible.
                pick = min(
                    nonzero or candidates,
                    key=lambda k: (k.count(ALL), self.count.get(k, 0), k),
                )
                self.hidden[pick] = SECONDARY
                changed = True
        return self

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

    def shown(self, key: Sequence[str]) -> int | str:
        """The published value of a cell: its count, "<5" or "x"."""
        key = tuple(key)
        return self.hidden.get(key, self.count.get(key, 0))

    def published(self) -> dict[str, Any]:
        """JSON-ready protected cube: dims, values and ``"a|b|c": value`` cells."""
        return {
            "dims": self.dims,
            "values": self.values,
            "cells": {"|".join(key): self.shown(key) for key in self.cells()},
        }


def small_count(n: int, threshold: int = SMALL_CELL) -> int | str:
    """A single count of people, suppressed when 1-4."""
    return PRIMARY if 0 < n < threshold else n
