"""The admin shows what services own and never changes it around them.

The rule: no registered ModelAdmin of a domain app (``gotong.*``), nor of the models that
grant rights (groups, authenticator devices), adds, changes or deletes rows, in its own
views or its inlines. State changes from the admin only through actions that call the
service (``SERVICE_ACTIONS``). The few change views that stay open are in
``EDITABLE_FIELDS`` with the fields they may edit and the reason no service owns them.
"""

import datetime as dt
from typing import Any

import pytest
from django.contrib import admin, messages
from django.contrib.auth.models import Group, Permission
from django.db.models import Model
from django.test import RequestFactory
from django.urls import reverse

from gotong.accounts.models import Membership, Role, User
from gotong.accounts.tests.factories import TOTPDeviceFactory, UserFactory
from gotong.registry.models import (
    AccessChannel,
    DataAccess,
    Organisation,
    OrganisationStatus,
    Skill,
)
from gotong.registry.tests.factories import OrganisationFactory, PersonFactory, nik_for
from gotong.territory.models import RT
from gotong.transparency.models import LogEntry

pytestmark = pytest.mark.django_db

# Models outside gotong whose rows grant rights: under the same rule.
RIGHTS_MODELS = {"auth.Group", "otp_totp.TOTPDevice"}

# Change views that stay open, with the only fields they edit. No add, no delete.
EDITABLE_FIELDS: dict[str, set[str]] = {
    # Blocking a lost or misused login and fixing a display name have no service. Roles,
    # staff rights, groups, the login number and the password stay read-only here.
    "accounts.User": {"display_name", "is_active"},
    # No service edits the skill list after its defaults (skill_defaults_ensure); operators
    # rename or retire a skill here. Code and kelurahan stay read-only (slots refer to them).
    "registry.Skill": {"name", "is_active"},
}

# Admin actions that change state, each through the named service.
SERVICE_ACTIONS: dict[str, set[str]] = {
    "accounts.Membership": {"membership_end_today"},  # membership_end
    "gotong_channels.OutboundMessage": {"retry_dead"},  # message_retry
    "registry.Organisation": {"organisation_approve", "organisation_reject"},  # decide
}


def _in_scope(model: type[Model]) -> bool:
    return model._meta.app_config.name.startswith("gotong.") or (model._meta.label in RIGHTS_MODELS)


def _superuser_request() -> Any:
    request = RequestFactory().get("/admin/")
    request.user = User(phone="+6285700000001", is_active=True, is_staff=True, is_superuser=True)
    return request


def test_no_admin_adds_changes_or_deletes_what_a_service_owns() -> None:
    request = _superuser_request()
    writable = []
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if not _in_scope(model):
            continue
        checked += 1
        label = model._meta.label
        doors = {
            "add": model_admin.has_add_permission(request),
            "change": model_admin.has_change_permission(request),
            "delete": model_admin.has_delete_permission(request),
        }
        if label in EDITABLE_FIELDS:
            doors.pop("change")
        writable += [f"{label}: {door}" for door, is_open in doors.items() if is_open]
        for inline_class in model_admin.inlines:
            inline = inline_class(model, admin.site)
            for door, is_open in {
                "add": inline.has_add_permission(request, None),
                "change": inline.has_change_permission(request, None),
                "delete": inline.can_delete and inline.has_delete_permission(request, None),
            }.items():
                if is_open:
                    writable.append(f"{label} inline {inline_class.__name__}: {door}")
        actions = set(model_admin.get_actions(request)) - SERVICE_ACTIONS.get(label, set())
        writable += [f"{label}: action {name}" for name in sorted(actions)]
    assert checked > 30  # the walk saw the domain admins
    assert writable == []


def test_the_change_views_left_open_edit_only_their_listed_fields(rt: RT) -> None:
    request = _superuser_request()
    instances: dict[str, Any] = {
        "accounts.User": UserFactory(),
        "registry.Skill": Skill.objects.create(kelurahan=rt.kelurahan, code="cook", name="Cook"),
    }
    assert set(instances) == set(EDITABLE_FIELDS)
    for label, allowed in EDITABLE_FIELDS.items():
        obj = instances[label]
        model_admin = admin.site._registry[type(obj)]
        form = model_admin.get_form(request, obj, change=True)
        assert set(form.base_fields) == allowed, label
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_delete_permission(request, obj)


def test_the_user_admin_cannot_grant_roles_or_staff_rights(
    rt: RT, make_member: Any, login: Any
) -> None:
    superuser = make_member(Role.ADMIN, rt.kelurahan, is_staff=True, is_superuser=True)
    resident = make_member(Role.WARGA, rt)
    held = Membership.objects.get(user=resident)
    group = Group.objects.create(name="auditors")
    client = login(superuser)
    page = reverse("admin:accounts_user_change", args=[resident.pk])
    assert client.get(page).status_code == 200

    response = client.post(
        page,
        {
            "display_name": "Ibu Sari",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [group.pk],
            "phone": "+6285799999999",
            "memberships-TOTAL_FORMS": "2",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": held.pk,
            "memberships-0-user": resident.pk,
            "memberships-0-role": Role.OPERATOR,
            "memberships-0-kelurahan": rt.kelurahan_id,
            "memberships-1-user": resident.pk,
            "memberships-1-role": Role.ADMIN,
            "memberships-1-kelurahan": rt.kelurahan_id,
            "memberships-1-valid_from": "2026-01-01",
        },
    )

    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.display_name == "Ibu Sari"  # the one thing the admin may change
    assert not resident.is_staff and not resident.is_superuser
    assert not resident.groups.exists() and resident.phone != "+6285799999999"
    assert list(Membership.objects.filter(user=resident).values_list("role", flat=True)) == [
        Role.WARGA
    ]
    password_page = reverse("admin:auth_user_password_change", args=[resident.pk])
    assert client.get(password_page).status_code == 403
    assert client.get(reverse("admin:accounts_membership_add")).status_code == 403
    assert client.get(reverse("admin:accounts_user_add")).status_code == 403


def test_a_role_change_in_the_membership_admin_is_refused(
    rt: RT, make_member: Any, login: Any
) -> None:
    superuser = make_member(Role.ADMIN, rt.kelurahan, is_staff=True, is_superuser=True)
    membership = Membership.objects.get(user=make_member(Role.WARGA, rt))
    page = reverse("admin:accounts_membership_change", args=[membership.pk])

    response = login(superuser).post(page, {"role": Role.OPERATOR, "user": membership.user_id})

    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.WARGA


def test_ending_a_role_from_the_admin_goes_through_the_service(
    rt: RT, make_member: Any, login: Any
) -> None:
    admin_user = make_member(Role.ADMIN, rt.kelurahan, is_staff=True, is_superuser=True)
    membership = Membership.objects.get(user=make_member(Role.WARGA, rt))

    login(admin_user).post(
        reverse("admin:accounts_membership_changelist"),
        {"action": "membership_end_today", "_selected_action": [membership.pk]},
    )

    membership.refresh_from_db()
    assert membership.valid_to is not None
    assert LogEntry.objects.filter(
        kelurahan=rt.kelurahan, type="membership.ended", subject=f"membership:{membership.pk}"
    ).exists()


def test_approving_an_organisation_from_the_admin_goes_through_the_service(
    rt: RT, make_member: Any, login: Any
) -> None:
    operator = make_member(Role.OPERATOR, rt.kelurahan, is_staff=True, is_superuser=True)
    pending = OrganisationFactory(kelurahan=rt.kelurahan, status=OrganisationStatus.PENDING)
    changelist = reverse("admin:registry_organisation_changelist")

    login(operator).post(
        changelist, {"action": "organisation_approve", "_selected_action": [pending.pk]}
    )

    pending.refresh_from_db()
    assert pending.status == OrganisationStatus.APPROVED and pending.decided_by == operator
    assert LogEntry.objects.filter(
        type="organisation.approved", subject=f"organisation:{pending.pk}"
    ).exists()


def test_staff_without_the_operator_role_cannot_approve_from_the_admin(rt: RT, login: Any) -> None:
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_organisation"))
    TOTPDeviceFactory(user=staff)
    pending = OrganisationFactory(kelurahan=rt.kelurahan, status=OrganisationStatus.PENDING)

    response = login(staff).post(
        reverse("admin:registry_organisation_changelist"),
        {"action": "organisation_approve", "_selected_action": [pending.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert [m.level for m in response.context["messages"]] == [messages.ERROR]
    assert Organisation.objects.get(pk=pending.pk).status == OrganisationStatus.PENDING
    assert not LogEntry.objects.filter(type="organisation.approved").exists()


def test_opening_a_person_in_the_admin_is_logged_and_shows_no_ciphertext(
    rt: RT, make_member: Any, login: Any
) -> None:
    superuser = make_member(Role.ADMIN, rt.kelurahan, is_staff=True, is_superuser=True)
    person = PersonFactory(rt=rt, nik=nik_for(dt.date(1970, 1, 1), "M"))

    response = login(superuser).get(reverse("admin:registry_person_change", args=[person.pk]))

    assert response.status_code == 200
    assert person.nik_ciphertext and person.nik_ciphertext not in response.content.decode()
    assert person.full_name in response.content.decode()
    assert DataAccess.objects.filter(person_id=person.pk, channel=AccessChannel.ADMIN).count() == 1
