"""Every dashboard page renders, for the public and for an officer."""

from typing import Any

import pytest
from django.test import Client

from gotong.accounts.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "dasbor/",
        "dasbor/data/",
        "dasbor/data/kamus.json",
        "dasbor/data/kpi.csv",
        "dasbor/data/needs_cells.json",
        "dasbor/laporan/",
        "dasbor/sinergi/",
        "dasbor/sinergi.pdf",
    ],
)
def test_public_pages_render_without_login(path: str, rt: Any) -> None:
    response = Client().get(f"/k/{rt.kelurahan.slug}/{path}")
    assert response.status_code == 200, response.content[:500]


def test_officer_page_refuses_a_resident_and_admits_an_operator(
    rt: Any, make_member, login
) -> None:
    url = f"/k/{rt.kelurahan.slug}/dasbor/petugas/"
    assert login(make_member(Role.WARGA, rt)).get(url).status_code == 403
    assert login(make_member(Role.OPERATOR, rt.kelurahan)).get(url).status_code == 200
    assert login(make_member(Role.KETUA_RT, rt)).get(url).status_code == 200
