"""Needs pages: submit, my requests, story with steps, RT/RW queues, board (query counts)."""

from collections.abc import Callable
from typing import Any

import pytest

from gotong.accounts.models import Role
from gotong.needs import services
from gotong.needs.models import Need, Status
from gotong.needs.tests.factories import raise_need, resident, tomorrow
from gotong.registry.models import DataAccess
from gotong.territory.models import RT

pytestmark = pytest.mark.django_db


def form(**overrides: Any) -> dict[str, Any]:
    data = {
        "category": "pangan",
        "urgency": "tinggi",
        "description": "Butuh beras 5 kg",
        "quantity": 2,
        "unit": "paket",
        "people_affected": 3,
        "needed_by": tomorrow().date().isoformat(),
    }
    data.update(overrides)
    return data


def test_a_resident_asks_for_help_and_follows_it(rt: RT, login: Callable[..., Any]) -> None:
    warga = resident(rt)
    client = login(warga.user)
    assert client.get("/k/taman/bantuan/ajukan/").status_code == 200
    response = client.post("/k/taman/bantuan/ajukan/", form())
    need = Need.objects.get()
    assert response.status_code == 302 and response.url == f"/k/taman/bantuan/{need.pk}/"
    page = client.get(response.url).content.decode()
    assert "Butuh beras 5 kg" in page and "0 dari 2 paket terkirim" in page
    assert "Ketua RT" in page  # what is next, in plain words
    assert f"#{need.pk}" in client.get("/k/taman/bantuan/saya/").content.decode()


def test_bad_input_on_the_form_changes_nothing(rt: RT, login: Callable[..., Any]) -> None:
    client = login(resident(rt).user)
    page = client.post(
        "/k/taman/bantuan/ajukan/", form(description="x", needed_by="2000-01-01", quantity=0)
    )
    assert page.status_code == 200
    assert set(page.context["form"].errors) >= {"description", "needed_by", "quantity"}
    assert not Need.objects.exists()


def test_someone_without_a_registration_is_told_what_to_do(
    rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    client = login(make_member(Role.RELAWAN, rt))
    page = client.get("/k/taman/bantuan/ajukan/")
    assert page.status_code == 200 and b"Ketua RT" in page.content
    assert b'href="/k/taman/daftar/?next=/k/taman/bantuan/ajukan/"' in page.content


def test_the_rt_head_verifies_from_the_page_and_the_neighbour_cannot_look(
    rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    need = raise_need(resident(rt))
    head = login(make_member(Role.KETUA_RT, rt))
    page = head.get(f"/k/taman/bantuan/{need.pk}/")
    assert page.status_code == 200
    assert {s["to"] for s in page.context["steps"]} == {
        "verified",
        "rejected",
        "escalated",
        "cancelled",
    }
    assert DataAccess.objects.exists()  # the name shown to the RT head is a logged read
    head.post(f"/k/taman/bantuan/{need.pk}/", {"to": "verified"})
    need.refresh_from_db()
    assert need.status == Status.VERIFIED
    neighbour = login(resident(rt).user)
    assert neighbour.get(f"/k/taman/bantuan/{need.pk}/").status_code == 403


def test_a_refused_step_shows_the_reason_and_changes_nothing(
    rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    need = raise_need(resident(rt))
    head = login(make_member(Role.KETUA_RT, rt))
    response = head.post(
        f"/k/taman/bantuan/{need.pk}/", {"to": "rejected", "reason": ""}, follow=True
    )
    assert "alasan" in response.content.decode().lower()
    need.refresh_from_db()
    assert need.status == Status.SUBMITTED


def test_rt_queue_with_many_needs_uses_few_queries(
    rt: RT,
    make_member: Callable[..., Any],
    login: Callable[..., Any],
    django_assert_max_num_queries: Any,
) -> None:
    for i in range(40):
        raise_need(resident(rt), urgency=["darurat", "tinggi", "sedang", "rendah"][i % 4])
    client = login(make_member(Role.KETUA_RT, rt))
    with django_assert_max_num_queries(12):
        page = client.get(f"/k/taman/rt/{rt.pk}/antrian/")
    urgencies = [n.urgency for n in page.context["page"].object_list]
    assert urgencies[:10] == ["darurat"] * 10
    assert len(urgencies) == 30


def test_queues_and_board_are_for_their_roles_only(
    rt: RT, rt_other_rw: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    warga = login(resident(rt).user)
    other_head = login(make_member(Role.KETUA_RT, rt_other_rw))
    assert warga.get(f"/k/taman/rt/{rt.pk}/antrian/").status_code == 403
    assert other_head.get(f"/k/taman/rt/{rt.pk}/antrian/").status_code == 403
    assert warga.get("/k/taman/papan/").status_code == 403
    assert warga.get("/k/taman/rw/1/persetujuan/").status_code == 403


def test_rw_queue_and_board(
    rt: RT,
    make_member: Callable[..., Any],
    login: Callable[..., Any],
    django_assert_max_num_queries: Any,
) -> None:
    head = make_member(Role.KETUA_RT, rt)
    for _ in range(5):
        services.need_verify(actor=head, need=raise_need(resident(rt)))
    raise_need(resident(rt), urgency="darurat")
    rw_page = login(make_member(Role.KETUA_RW, rt.rw)).get("/k/taman/rw/1/persetujuan/")
    assert len(rw_page.context["page"].object_list) == 5
    operator = login(make_member(Role.OPERATOR, rt.kelurahan))
    with django_assert_max_num_queries(14):
        board = operator.get("/k/taman/papan/?urgency=darurat")
    assert len(board.context["page"].object_list) == 1
    assert operator.get("/k/taman/papan/?status=nonsense&rw=x").status_code == 200


def test_decisions_are_verbs_with_one_reason_field(
    rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    need = raise_need(resident(rt))
    page = login(make_member(Role.KETUA_RT, rt)).get(f"/k/taman/bantuan/{need.pk}/")
    html = page.content.decode()
    assert [s["label"] for s in page.context["steps"]] == [
        "Verifikasi",
        "Teruskan ke kelurahan",
        "Tolak",
        "Batalkan permintaan",
    ]
    assert html.count('name="reason"') == 1
    assert ">Ditolak<" not in html and ">Diverifikasi RT<" not in html


def test_the_resident_sees_their_own_request_in_plain_words(
    rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    person = resident(rt)
    need = raise_need(person)
    login(make_member(Role.KETUA_RT, rt)).post(f"/k/taman/bantuan/{need.pk}/", {"to": "verified"})
    page = login(person.user).get(f"/k/taman/bantuan/{need.pk}/")
    html = page.content.decode()
    assert page.context["beneficiary"] == "Anda"
    assert [s["label"] for s in page.context["steps"]] == ["Batalkan permintaan"]
    for raw in ("submitted", "verified", "ketua_rt", "warga"):
        assert f">{raw}<" not in html and f" {raw}\n" not in html
    assert "Diverifikasi RT" in html and "Ketua RT" in html


def test_the_rt_head_only_reason_is_not_on_the_residents_form(
    rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    page = login(resident(rt).user).get("/k/taman/bantuan/ajukan/")
    assert "duplicate_override_reason" not in page.context["form"].fields
    head = login(make_member(Role.KETUA_RT, rt))
    proxy = head.get(f"/k/taman/rt/{rt.pk}/bantuan/ajukan/")
    assert "duplicate_override_reason" in proxy.context["form"].fields
