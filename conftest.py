"""Fixtures shared by every app's tests: two kelurahan, territory, people in roles."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from gotong.accounts.models import OFFICER_ROLES, Role, User
from gotong.accounts.tests.clients import client_for
from gotong.accounts.tests.factories import MembershipFactory, TOTPDeviceFactory, UserFactory
from gotong.territory.models import RT, Kelurahan
from gotong.territory.tests.factories import KelurahanFactory, RTFactory, RWFactory


@pytest.fixture
def kelurahan(db: Any) -> Kelurahan:
    return KelurahanFactory()


@pytest.fixture
def other_kelurahan(db: Any) -> Kelurahan:
    """Taman in Kabupaten Sidoarjo: same name, another tenant."""
    return KelurahanFactory(
        name="Taman",
        slug="taman-sidoarjo",
        region_code="35.15.13.1005",
        kecamatan="Taman",
        kota_kabupaten="Kabupaten Sidoarjo",
    )


@pytest.fixture
def rt(kelurahan: Kelurahan) -> RT:
    return RTFactory(rw=RWFactory(kelurahan=kelurahan, number=1), number=1)


@pytest.fixture
def rt_same_rw(rt: RT) -> RT:
    return RTFactory(rw=rt.rw, number=2)


@pytest.fixture
def rt_other_rw(kelurahan: Kelurahan) -> RT:
    return RTFactory(rw=RWFactory(kelurahan=kelurahan, number=2), number=1)


@pytest.fixture
def make_member(db: Any) -> Callable[..., User]:
    """A user holding ``role`` over ``unit`` (a Kelurahan, RW or RT), with a TOTP device
    when the role is an officer role."""

    def make(role: Role, unit: Any, **user_fields: Any) -> User:
        user = UserFactory(**user_fields)
        kwargs: dict[str, Any] = {"user": user, "role": role}
        if isinstance(unit, Kelurahan):
            kwargs["kelurahan"] = unit
        elif isinstance(unit, RT):
            kwargs.update(kelurahan=unit.kelurahan, rw=unit.rw, rt=unit)
        else:
            kwargs.update(kelurahan=unit.kelurahan, rw=unit)
        MembershipFactory(**kwargs)
        if role in OFFICER_ROLES:
            TOTPDeviceFactory(user=user)
        return user

    return make


@pytest.fixture
def login() -> Callable[[User | None], Client]:
    return client_for


@pytest.fixture(autouse=True)
def outbox_dir(settings: Any, tmp_path: Any) -> Any:
    """Each test reads only the messages it caused (file notification backend)."""
    settings.GOTONG_NOTIFICATION_FILE_DIR = str(tmp_path / "outbox")
    return tmp_path / "outbox"


def _append_only_tables_clear() -> None:
    from django.db import connection

    from gotong.funds.db import ledger_tables_clear
    from gotong.transparency.db import log_tables_clear

    ledger_tables_clear(connection)
    log_tables_clear(connection)


@pytest.fixture
def log_tables_flushable(transactional_db: Any) -> Any:
    """For transactional tests (live server, threads): empty every append-only table (the
    transparency log and the funds ledger) before Django's flush, which their triggers
    would refuse row by row."""
    yield
    _append_only_tables_clear()


@pytest.fixture
def ledger_tables_flushable(log_tables_flushable: Any) -> Any:
    """The same, under the name the funds tests use."""
    return log_tables_flushable
