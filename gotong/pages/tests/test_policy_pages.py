"""The portal's own policies: public privacy and SOP pages whose steps link to where they
happen, linked from the footer and every consent checkbox, and rewritten by an operator
without code (the log keeps only the text's hash)."""

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from gotong.accounts.models import Role
from gotong.accounts.tests.clients import client_for
from gotong.core.exceptions import PermissionDenied, ValidationFailed
from gotong.pages import services
from gotong.pages.models import PolicyKind, PolicyPage
from gotong.territory.models import RT, Kelurahan
from gotong.transparency.models import LogEntry

pytestmark = pytest.mark.django_db


def test_the_privacy_page_names_the_rights_and_links_to_my_data(kelurahan: Kelurahan) -> None:
    page = client_for(None).get(reverse("pages:privacy", kwargs={"slug": kelurahan.slug}))
    text = page.content.decode()
    assert page.status_code == 200
    assert "3 x 24" in text
    assert reverse("registry:me", kwargs={"slug": kelurahan.slug}) in text


def test_each_step_of_the_need_sop_links_to_its_page(kelurahan: Kelurahan) -> None:
    text = client_for(None).get(reverse("pages:sop_need", kwargs={"slug": kelurahan.slug}))
    body = text.content.decode()
    assert reverse("needs:submit", kwargs={"slug": kelurahan.slug}) in body
    assert reverse("activities:queue", kwargs={"slug": kelurahan.slug}) in body
    assert body.count("<li>") == 6


def test_the_footer_and_the_consent_checkboxes_link_to_the_privacy_policy(
    kelurahan: Kelurahan, rt: RT, make_member: Callable[..., Any]
) -> None:
    privacy = reverse("pages:privacy", kwargs={"slug": kelurahan.slug})
    home = client_for(None).get(reverse("web:home", kwargs={"slug": kelurahan.slug}))
    assert privacy in home.content.decode()
    resident = make_member(Role.WARGA, rt)
    register = client_for(resident).get(
        reverse("registry:register", kwargs={"slug": kelurahan.slug})
    )
    form = register.content.decode().split("<form", 1)[1]
    assert privacy in form


def test_an_operator_rewrites_the_donation_sop_and_the_log_keeps_its_hash(
    kelurahan: Kelurahan, make_member: Callable[..., Any]
) -> None:
    operator = make_member(Role.OPERATOR, kelurahan)
    response = client_for(operator).post(
        reverse("pages:edit", kwargs={"slug": kelurahan.slug, "kind": PolicyKind.SOP_DONATION}),
        {"title": "SOP Pengelolaan Donasi", "intro": "", "steps": "Transfer\nLapor\nTerbit"},
    )
    assert response.status_code == 302
    page = PolicyPage.objects.get(kelurahan=kelurahan, kind=PolicyKind.SOP_DONATION)
    assert page.steps == ["Transfer", "Lapor", "Terbit"]
    entry = json.loads(LogEntry.objects.filter(kelurahan=kelurahan).latest("index").body)
    text = json.dumps(
        {"title": "SOP Pengelolaan Donasi", "intro": "", "steps": ["Transfer", "Lapor", "Terbit"]},
        ensure_ascii=False,
    )
    assert entry["type"] == "policy.updated"
    assert entry["data"]["text"] == hashlib.sha256(text.encode()).hexdigest()
    shown = client_for(None).get(reverse("pages:sop_donation", kwargs={"slug": kelurahan.slug}))
    assert "Lapor" in shown.content.decode()


def test_a_resident_may_not_edit_and_a_wrong_step_count_changes_nothing(
    kelurahan: Kelurahan, rt: RT, make_member: Callable[..., Any]
) -> None:
    resident = make_member(Role.WARGA, rt)
    with pytest.raises(PermissionDenied):
        services.policy_page_update(
            actor=resident,
            kelurahan=kelurahan,
            kind="privacy",
            title="X",
            intro="",
            steps=["a"] * 3,
        )
    operator = make_member(Role.OPERATOR, kelurahan)
    operator.is_verified = lambda: True
    with pytest.raises(ValidationFailed):
        services.policy_page_update(
            actor=operator, kelurahan=kelurahan, kind="privacy", title="X", intro="", steps=["a"]
        )
    assert not PolicyPage.objects.exists()
