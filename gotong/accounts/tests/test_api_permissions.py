"""Every API route declares a permission from the table, and the table is what is enforced.

A new endpoint without a declared rule, or a rule removed from the table, fails here.
"""

import re
from typing import Any

import pytest
from django.test import Client

from config.api import api
from gotong.accounts.models import KELURAHAN_ROLES, Role
from gotong.accounts.permissions import PERMISSION_TABLE
from gotong.accounts.tests.clients import client_for
from gotong.accounts.tests.factories import MembershipFactory, TOTPDeviceFactory, UserFactory
from gotong.registry.tests.factories import permission_test_ids

pytestmark = pytest.mark.django_db


def _operations() -> list[tuple[str, str, str]]:
    schema = api.get_openapi_schema()
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            found.append((path, method, operation.get("x-permission", "")))
    return found


OPERATIONS = _operations()


def test_the_api_has_routes_to_check() -> None:
    assert len(OPERATIONS) >= 8


@pytest.mark.parametrize(("path", "method", "perm"), OPERATIONS)
def test_every_route_declares_a_permission_from_the_table(
    path: str, method: str, perm: str
) -> None:
    assert perm, f"{method.upper()} {path} declares no permission"
    assert perm in PERMISSION_TABLE, f"{method.upper()} {path}: {perm!r} is not in the table"


def _user_with(role: Role, rt: Any) -> Any:
    user = UserFactory()
    if role in KELURAHAN_ROLES:
        MembershipFactory(user=user, role=role, kelurahan=rt.kelurahan)
        TOTPDeviceFactory(user=user)
    elif role == Role.KETUA_RW:
        MembershipFactory(user=user, role=role, kelurahan=rt.kelurahan, rw=rt.rw)
    else:
        MembershipFactory(user=user, role=role, kelurahan=rt.kelurahan, rw=rt.rw, rt=rt)
    return user


def _url(path: str, values: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)


def _call(client: Client, method: str, url: str) -> Any:
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, data={}, content_type="application/json")


def _refused_by_gate(response: Any, perm: str, status: int) -> bool:
    if response.status_code != status:
        return False
    return response.json().get("extra", {}).get("permission") == perm


@pytest.mark.parametrize(("path", "method", "perm"), OPERATIONS)
@pytest.mark.parametrize("role", [None, *Role])
def test_route_admits_exactly_the_roles_in_the_table(
    path: str, method: str, perm: str, role: Role | None, rt: Any
) -> None:
    rule = PERMISSION_TABLE[perm]
    member = MembershipFactory(kelurahan=rt.kelurahan, rw=rt.rw, rt=rt)
    # Ids of rows that need not exist: the gate answers before the row is looked up.
    url = _url(
        path,
        {
            "slug": rt.kelurahan.slug,
            "rt_id": rt.pk,
            "membership_id": member.pk,
            "need_id": 999_999,
            "activity_id": 999_999,
            "assignment_id": 999_999,
            "round_id": 999_999,
            "proposal_id": 999_999,
            "campaign_id": 999_999,
            "donation_id": 999_999,
            "disbursement_id": 999_999,
            "transfer_id": 999_999,
            "year": 2026,
            "cycle_id": 999_999,
            "order_id": 999_999,
            "household_id": 999_999,
            "dataset_name": "kpi",
            "month": "2000-01",
            **permission_test_ids(rt),
        },
    )
    client = client_for(_user_with(role, rt) if role else None)

    response = _call(client, method, url)

    if rule.public:
        assert response.status_code not in (401, 403), response.content
    elif role is None:
        assert _refused_by_gate(response, perm, 401), response.content
    elif rule.allows_role(role):
        assert not _refused_by_gate(response, perm, 403), response.content
        assert response.status_code != 401
    else:
        assert _refused_by_gate(response, perm, 403), response.content
