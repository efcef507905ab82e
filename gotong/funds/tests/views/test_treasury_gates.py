"""The officers' money pages under /k/<slug>/bendahara/: each page admits its roles, refuses
the others (403) and sends visitors to the login; the hub links only to what a role may open."""

from typing import Any

import pytest
from django.test import Client

from gotong.accounts.models import Role
from gotong.funds.tests.views.pages import (
    bendahara_url,
    client_as,
    english_client,
)

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- gates

PAGES = [
    # (path below /bendahara/, a role that may open it, a role that may not)
    ("", Role.BENDAHARA, Role.WARGA),
    ("", Role.AUDITOR, Role.KETUA_RT),
    ("kampanye/", Role.OPERATOR, Role.BENDAHARA),
    ("kampanye/baru/", Role.KETUA_RW, Role.BENDAHARA),
    ("pencocokan/", Role.BENDAHARA, Role.AUDITOR),
    ("pencocokan/baru/", Role.OPERATOR, Role.KETUA_RW),
    ("donasi/catat/", Role.BENDAHARA, Role.OPERATOR),
    ("antrian/", Role.BENDAHARA, Role.LURAH),
    ("antrian/?status=pending", Role.ADMIN, Role.OPERATOR),
    ("mutasi-bank/", Role.BENDAHARA, Role.OPERATOR),
    ("buku-besar/", Role.AUDITOR, Role.WARGA),
    ("buku-besar/transfer/", Role.KOMITE_ETIKA, Role.UMKM),
]


@pytest.mark.parametrize(("path", "allowed", "refused"), PAGES)
def test_each_page_admits_its_role_refuses_others_and_asks_visitors_to_log_in(
    money: Any, make_member: Any, path: str, allowed: Role, refused: Role
) -> None:
    url = bendahara_url(money) + path

    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/masuk/")
    assert client_as(allowed, money, make_member).get(url).status_code == 200
    denied = client_as(refused, money, make_member).get(url)
    assert denied.status_code == 403
    assert "Not allowed" in denied.content.decode()


def test_an_officer_without_the_totp_step_has_no_treasurer_rights(money: Any) -> None:
    client = Client()
    client.force_login(money.treasurer)  # password only: no verified device in the session

    assert client.get(bendahara_url(money)).status_code == 403
    assert client.get(bendahara_url(money) + "antrian/").status_code == 403


def test_the_hub_links_only_to_what_the_role_may_open(money: Any, make_member: Any) -> None:
    treasurer = english_client(money.treasurer).get(bendahara_url(money)).content.decode()
    auditor = client_as(Role.AUDITOR, money, make_member).get(bendahara_url(money)).content.decode()

    assert "/bendahara/antrian/" in treasurer and "/bendahara/mutasi-bank/" in treasurer
    assert "/bendahara/buku-besar/" in treasurer and "/bendahara/pencocokan/" in treasurer
    assert "/bendahara/kampanye/" not in treasurer
    assert "/bendahara/buku-besar/" in auditor
    assert "/bendahara/antrian/" not in auditor and "/bendahara/pencocokan/" not in auditor
