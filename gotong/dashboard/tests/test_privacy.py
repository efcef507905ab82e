"""Small cells are suppressed, also through combined filters; an attacker who queries
every filter combination of the public API cannot re-identify one resident. (The
integer-programming attacker is in ``test_suppression.py``.)"""

import itertools
from typing import Any

import pytest
from django.test import Client

from gotong.accounts.tests.factories import UserFactory
from gotong.dashboard import selectors, services
from gotong.dashboard.suppression import SUPPRESSED

from .factories import household, need

pytestmark = pytest.mark.django_db


def test_one_resident_cannot_be_found_through_filter_combinations(
    rt: Any, rt_other_rw: Any
) -> None:
    """RW 1 has one health need (a single household); everything else is large."""
    raiser = UserFactory()
    for n in range(12):
        need(rt, household(rt), status="closed", hours=10 + n, raiser=raiser)
        need(rt_other_rw, household(rt_other_rw), status="closed", hours=10 + n, raiser=raiser)
    for _n in range(6):
        need(
            rt_other_rw,
            household(rt_other_rw),
            status="closed",
            hours=5,
            raiser=raiser,
            category="kesehatan",
        )
    target = household(rt)
    need(rt, target, status="closed", hours=30, raiser=raiser, category="kesehatan")
    services.snapshot_refresh(kelurahan=rt.kelurahan)
    cube = selectors.snapshot_get(kelurahan=rt.kelurahan, part="cube")
    assert cube is not None
    client = Client()
    base = f"/api/v1/k/{rt.kelurahan.slug}/dashboard/needs"
    known: dict[tuple[str, str, str], dict[str, Any]] = {}
    for month, rw, category in itertools.product(
        ["", *cube["values"][0]], ["", *cube["values"][1]], ["", *cube["values"][2]]
    ):
        response = client.get(base, {"month": month, "rw": rw, "category": category})
        assert response.status_code == 200
        known[(month or "*", rw or "*", category or "*")] = response.json()["needs"]
    # The direct question is suppressed ...
    month = next(m for m in cube["values"][0] if known[(m, "1", "kesehatan")]["raised"] != 0)
    assert known[(month, "1", "kesehatan")]["raised"] == SUPPRESSED
    assert known[("*", "1", "kesehatan")]["raised"] == SUPPRESSED
    # ... and no subtraction along any dimension recovers it: the attacker repeatedly
    # solves every line (a total and its parts) that has exactly one unknown.
    values = {key: row["raised"] for key, row in known.items()}
    dims = [["*", *cube["values"][0]], ["*", *cube["values"][1]], ["*", *cube["values"][2]]]
    solved = {k: v for k, v in values.items() if isinstance(v, int)}
    progress = True
    while progress:
        progress = False
        for axis in range(3):
            others = [d for i, d in enumerate(dims) if i != axis]
            for fixed in itertools.product(*others):

                def key(value: str, fixed: Any = fixed, axis: int = axis) -> Any:
                    parts = list(fixed)
                    parts.insert(axis, value)
                    return tuple(parts)

                total, parts = key("*"), [key(v) for v in dims[axis][1:]]
                unknown = [k for k in [total, *parts] if k not in solved]
                if len(unknown) != 1:
                    continue
                if unknown[0] == total:
                    solved[total] = sum(solved[p] for p in parts)
                else:
                    solved[unknown[0]] = solved[total] - sum(
                        solved[p] for p in parts if p in solved
                    )
                progress = True
    assert ("*", "1", "kesehatan") not in solved
    assert (month, "1", "kesehatan") not in solved


def test_public_figures_hold_no_location_finer_than_rw(rt: Any) -> None:
    raiser = UserFactory()
    for _n in range(6):
        need(rt, household(rt), status="submitted", hours=None, raiser=raiser)
    services.snapshot_refresh(kelurahan=rt.kelurahan)
    public = selectors.snapshot_get(kelurahan=rt.kelurahan)
    text = str(public)
    assert "rt_id" not in text and "latitude" not in text
    assert "'need'" not in text  # no need ids on public pages


def test_bad_filter_values_get_a_clear_error(rt: Any) -> None:
    response = Client().get(f"/api/v1/k/{rt.kelurahan.slug}/dashboard/needs", {"rw": "99"})
    assert response.status_code == 422
    assert response.json()["extra"]["field"] == "rw"
    page = Client().get(f"/k/{rt.kelurahan.slug}/dasbor/", {"category": "nope"})
    assert page.status_code == 422
