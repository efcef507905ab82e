"""API and pages: the flows for the right roles, and no other kelurahan's rows anywhere."""

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gotong.accounts.models import Role
from gotong.registry import selectors
from gotong.registry.models import DataAccess, Organisation, Person
from gotong.registry.tests.factories import OrganisationFactory, PersonFactory, nik_for
from gotong.territory.tests.factories import RTFactory, RWFactory

pytestmark = pytest.mark.django_db
NIK = nik_for(dt.date(1990, 6, 1), "M", 55)


def _payload(**extra: Any) -> dict[str, Any]:
    return {
        "full_name": "Joko Widodo",
        "sex": "M",
        "birth_date": "1990-06-01",
        "rw_number": 1,
        "rt_number": 1,
        "nik": NIK,
        "consents": ["aid", "sensitive_data"],
        **extra,
    }


def test_self_registration_and_my_data_over_the_api(rt: Any, make_member: Any, login: Any) -> None:
    user = make_member(Role.WARGA, rt)
    client = login(user)
    base = f"/api/v1/k/{rt.kelurahan.slug}/registry"

    created = client.post(f"{base}/self", _payload(), content_type="application/json")
    head = make_member(Role.KETUA_RT, rt)
    login(head).get(f"{base}/persons/{created.json()['id']}?purpose=aid_verification")
    log = client.get(f"{base}/me/access-log").json()
    export = client.get(f"{base}/me/export").json()
    withdrawn = client.post(
        f"{base}/me/consents/withdraw",
        {"purpose": "sensitive_data"},
        content_type="application/json",
    )

    assert created.status_code == 201, created.content
    assert NIK not in created.content.decode()
    assert [(a["accessor_role"], a["purpose"]) for a in log] == [("ketua_rt", "aid_verification")]
    assert export["person"]["nik"] == NIK
    assert withdrawn.status_code == 200
    assert Person.objects.get().nik_index == ""


def test_a_bad_nik_over_the_api_says_which_part_and_saves_nothing(
    rt: Any, make_member: Any, login: Any
) -> None:
    client = login(make_member(Role.WARGA, rt))
    response = client.post(
        f"/api/v1/k/{rt.kelurahan.slug}/registry/self",
        _payload(nik="3577034401900055"),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["extra"] == {"field": "nik", "part": "sex"}
    assert "3577034401900055" not in response.content.decode()
    assert not Person.objects.exists()


def test_tier2_is_revealed_only_on_request_with_a_purpose(
    rt: Any, make_member: Any, login: Any
) -> None:
    person = PersonFactory(rt=rt, nik=NIK)
    client = login(make_member(Role.OPERATOR, rt.kelurahan))
    base = f"/api/v1/k/{rt.kelurahan.slug}/registry/persons/{person.pk}"

    plain = client.get(base)
    no_purpose = client.post(
        f"{base}/reveal", {"fields": ["nik"], "purpose": ""}, content_type="application/json"
    )
    revealed = client.post(
        f"{base}/reveal",
        {"fields": ["nik"], "purpose": "aid_verification"},
        content_type="application/json",
    )

    assert NIK not in plain.content.decode() and plain.json()["has_nik"]
    assert no_purpose.status_code == 422
    assert revealed.json() == {"nik": NIK}
    assert list(DataAccess.objects.order_by("pk").values_list("tier", flat=True)) == [1, 2]


def test_no_selector_or_endpoint_returns_another_kelurahans_rows(
    rt: Any, other_kelurahan: Any, make_member: Any, login: Any
) -> None:
    foreign_rt = RTFactory(rw=RWFactory(kelurahan=other_kelurahan, number=1), number=1)
    foreign = PersonFactory(rt=foreign_rt)
    foreign_org = OrganisationFactory(kelurahan=other_kelurahan, status="approved")
    mine = PersonFactory(rt=rt)
    operator = make_member(Role.OPERATOR, rt.kelurahan)
    operator.is_verified = lambda: True
    k = rt.kelurahan

    assert list(selectors.person_list(kelurahan=k)) == [mine]
    assert list(selectors.person_list_for_viewer(kelurahan=k, user=operator)) == [mine]
    assert not selectors.organisation_list(kelurahan=k).exists()
    assert not selectors.household_list(kelurahan=k).exists()
    assert not selectors.volunteer_list(kelurahan=k).exists()
    assert not selectors.data_request_queue(kelurahan=k, user=operator).exists()
    assert not selectors.duplicate_case_list(kelurahan=k).exists()
    assert not selectors.consent_list_for_person(kelurahan=k, person=foreign).exists()
    for get, pk in [
        (selectors.person_get, foreign.pk),
        (selectors.organisation_get, foreign_org.pk),
    ]:
        with pytest.raises(Exception, match="not found|tidak ditemukan"):
            get(kelurahan=k, pk=pk)
    client = login(operator)
    base = f"/api/v1/k/{k.slug}/registry"
    listed = client.get(f"{base}/persons").json()
    assert [p["id"] for p in listed] == [mine.pk]
    assert client.get(f"{base}/persons/{foreign.pk}").status_code == 404
    assert (
        client.post(
            f"{base}/persons/{foreign.pk}/reveal",
            {"fields": ["nik"], "purpose": "emergency"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert client.get(f"{base}/organisations").json() == []
    assert client.get(f"/k/{k.slug}/warga/{foreign.pk}/").status_code == 404


def test_organisation_registration_and_approval(rt: Any, make_member: Any, login: Any) -> None:
    base = f"/api/v1/k/{rt.kelurahan.slug}/registry/organisations"
    owner = login(make_member(Role.WARGA, rt))
    created = owner.post(
        base,
        {
            "kind": "umkm",
            "name": "Warung Bu Sri",
            "contact_phone": "0812 1111 2222",
            "rw_number": 1,
            "rt_number": 1,
        },
        content_type="application/json",
    )
    assert created.status_code == 201 and owner.get(base).json() == []
    operator = login(make_member(Role.OPERATOR, rt.kelurahan))

    decided = operator.post(
        f"{base}/{created.json()['id']}/decide", {"approve": True}, content_type="application/json"
    )

    assert decided.json()["status"] == "approved"
    assert [o["name"] for o in owner.get(base).json()] == ["Warung Bu Sri"]
    assert Organisation.objects.get().decided_by is not None


def test_volunteer_signup_with_skills_and_windows(rt: Any, make_member: Any, login: Any) -> None:
    user = make_member(Role.WARGA, rt)
    PersonFactory(rt=rt, user=user)
    client = login(user)
    response = client.post(
        f"/api/v1/k/{rt.kelurahan.slug}/registry/volunteers",
        {
            "skills": ["driver", "cook"],
            "windows": [{"weekday": 5, "start": "08:00", "end": "12:00"}],
            "max_tasks_per_week": 3,
        },
        content_type="application/json",
    )
    bad = client.post(
        f"/api/v1/k/{rt.kelurahan.slug}/registry/volunteers",
        {"skills": ["driver"], "windows": [{"weekday": 5, "start": "12:00", "end": "08:00"}]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["skills"] == ["cook", "driver"]
    assert bad.status_code == 422 and bad.json()["extra"]["field"] == "windows"


def test_pages_for_the_resident_and_the_rt_head(rt: Any, make_member: Any, login: Any) -> None:
    user = make_member(Role.WARGA, rt)
    client = login(user)
    slug = rt.kelurahan.slug
    form = client.post(
        f"/k/{slug}/daftar/",
        {
            "full_name": "Ani",
            "sex": "F",
            "birth_date": "1990-01-02",
            "rt": rt.pk,
            "dtks_listed": "unknown",
            "consents": ["aid"],
        },
    )
    head = login(make_member(Role.KETUA_RT, rt))
    listing = head.get(f"/k/{slug}/warga/")
    me = client.get(f"/k/{slug}/data-saya/")
    download = client.get(f"/k/{slug}/data-saya/unduh/")

    assert form.status_code == 302, form.content
    assert "Ani" in listing.content.decode()
    assert me.status_code == 200 and "Ketua RT" in me.content.decode()
    assert "ketua_rt" not in me.content.decode()
    assert download["Content-Type"].startswith("application/json")
    assert client.get(f"/k/{slug}/warga/").status_code == 403
    assert client.get(f"/k/{slug}/impor/").status_code == 403


def test_the_import_page_refuses_a_bad_file_and_offers_the_report(
    rt: Any, make_member: Any, login: Any
) -> None:
    client = login(make_member(Role.OPERATOR, rt.kelurahan))
    upload = SimpleUploadedFile("w.csv", b"nama,jenis_kelamin\nA,L\n", "text/csv")
    page = client.post(f"/k/{rt.kelurahan.slug}/impor/", {"file": upload})
    batch_id = page.context["batch"].pk
    report = client.get(f"/k/{rt.kelurahan.slug}/impor/{batch_id}/laporan.csv")
    assert not page.context["batch"].imported
    assert report.status_code == 200 and b"baris" in report.content
    assert not Person.objects.exists()
