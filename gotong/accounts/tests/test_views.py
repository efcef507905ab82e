from collections.abc import Callable
from typing import Any

import pytest

from gotong.accounts.models import Membership, Role
from gotong.territory.models import RT

pytestmark = pytest.mark.django_db


def test_rt_head_sees_and_adds_residents_of_their_rt(
    rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    head = make_member(Role.KETUA_RT, rt, display_name="Ketua Contoh (demo)")
    client = login(head)
    page = client.get(f"/k/taman/rt/{rt.pk}/warga/")
    assert page.status_code == 200 and b"Ketua Contoh (demo)" in page.content

    added = client.post(
        f"/k/taman/rt/{rt.pk}/warga/",
        {"phone": "0857 0000 3333", "display_name": "Baru (demo)", "role": "warga"},
    )
    assert added.status_code == 302
    assert Membership.objects.filter(user__phone="+6285700003333", rt=rt).exists()


def test_bad_input_on_the_members_page_changes_nothing(
    rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    client = login(make_member(Role.KETUA_RT, rt))
    page = client.post(
        f"/k/taman/rt/{rt.pk}/warga/", {"phone": "12345", "display_name": "", "role": "ketua_rt"}
    )
    assert page.status_code == 200
    assert set(page.context["form"].errors) == {"phone", "display_name", "role"}
    assert Membership.objects.count() == 1


def test_residents_cannot_open_the_members_page(
    rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    client = login(make_member(Role.WARGA, rt))
    assert client.get(f"/k/taman/rt/{rt.pk}/warga/").status_code == 403


def test_account_page_lists_roles(
    rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    client = login(make_member(Role.RELAWAN, rt))
    page = client.get("/akun/")
    assert page.status_code == 200 and len(page.context["memberships"]) == 1


def test_account_page_needs_login(client: Any) -> None:
    assert client.get("/akun/").url.startswith("/masuk/")
