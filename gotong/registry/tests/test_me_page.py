"""'Who saw my data' speaks the resident's language: role and field names, never codes."""

from collections.abc import Callable
from typing import Any

from gotong.accounts.models import Role
from gotong.needs.tests.factories import resident
from gotong.registry import services
from gotong.registry.models import AccessPurpose
from gotong.territory.models import RT


def test_the_resident_sees_who_read_what_in_words(
    rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    person = resident(rt)
    head = make_member(Role.KETUA_RT, rt)
    services.person_list_view(
        actor=head,
        kelurahan=rt.kelurahan,
        persons=[person],
        rt=rt,
        purpose=AccessPurpose.AID_VERIFICATION,
    )
    html = login(person.user).get("/k/taman/data-saya/").content.decode()
    table = html.split('id="siapa"', 1)[1]
    assert "Ketua RT" in table and "Nama lengkap" in table and "Tanggal lahir" in table
    for code in ("ketua_rt", "full_name", "birth_date", "vulnerability"):
        assert code not in table
