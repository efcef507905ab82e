"""Every page of a kelurahan carries a menu fitted to the person's roles."""

from collections.abc import Callable
from typing import Any

from django.test import Client

from gotong.accounts.models import Role
from gotong.accounts.tests.factories import UserFactory
from gotong.needs.tests.factories import raise_need, resident
from gotong.territory.models import RT


def menu_labels(page: Any) -> list[str]:
    return [str(item.label) for item in page.context["menu"]]


def work_items(page: Any) -> dict[str, int | None]:
    return {str(item.label): item.count for item in page.context["work_menu"]}


def test_a_visitor_finds_help_market_donations_and_the_dashboard(rt: RT) -> None:
    page = Client().get("/k/taman/")
    assert menu_labels(page) == ["Minta bantuan", "Pasar", "Donasi", "Dasbor"]
    assert page.context["work_menu"] == []
    assert b'href="/k/taman/pasar/"' in page.content


def test_a_new_user_without_registration_is_offered_registration(
    rt: RT, login: Callable[..., Client]
) -> None:
    page = login(UserFactory()).get("/k/taman/")
    assert "Daftar" in menu_labels(page)
    assert b'href="/k/taman/daftar/"' in page.content


def test_a_registered_resident_sees_their_requests_and_data(
    rt: RT, login: Callable[..., Client]
) -> None:
    page = login(resident(rt).user).get("/k/taman/")
    labels = menu_labels(page)
    assert {"Permintaan saya", "Data saya"} <= set(labels) and "Daftar" not in labels


def test_the_rt_head_sees_the_queue_with_its_count(
    rt: RT, rt_same_rw: RT, make_member: Callable[..., Any], login: Callable[..., Client]
) -> None:
    raise_need(resident(rt))
    raise_need(resident(rt))
    raise_need(resident(rt_same_rw))  # another RT's need is not in this head's count
    head = make_member(Role.KETUA_RT, rt)
    page = login(head).get("/k/taman/")
    queues = {k: v for k, v in work_items(page).items() if k.startswith("Antrean RT")}
    assert queues == {"Antrean RT 01": 2}
    assert f'href="/k/taman/rt/{rt.pk}/antrian/"'.encode() in page.content


def test_the_rw_head_sees_approvals_waiting(
    rt: RT, make_member: Callable[..., Any], login: Callable[..., Client]
) -> None:
    page = login(make_member(Role.KETUA_RW, rt.rw)).get("/k/taman/")
    assert work_items(page)["Persetujuan RW 01"] == 0


def test_an_officer_sees_only_the_desks_their_role_opens(
    kelurahan: Any, make_member: Callable[..., Any], login: Callable[..., Client]
) -> None:
    page = login(make_member(Role.BENDAHARA, kelurahan)).get("/k/taman/")
    desks = work_items(page)
    assert "Bendahara" in desks and "Papan kebutuhan" not in desks
