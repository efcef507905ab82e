"""Changes to couriers and sellers go through services and the public log, not the admin:
``courier_update`` (packages per trip, active flag) and ``seller_remove``, each for the
operator only, refused with nothing changed on bad input, and done from the operator's
couriers and UMKM pages; the admin shows both read-only."""

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from gotong.accounts.models import Role
from gotong.accounts.tests.clients import client_for
from gotong.accounts.tests.factories import TOTPDeviceFactory, UserFactory
from gotong.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from gotong.transparency.models import LogEntry

from .. import selectors, services
from ..models import Courier, Seller
from .factories import Market, verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(login: Any) -> Any:
    def english_client(user: Any) -> Client:
        client = login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return english_client


def _url(name: str, kelurahan: Any) -> str:
    return reverse(f"market:{name}", kwargs={"slug": kelurahan.slug})


def _courier(world: Market, kelurahan: Any, **fields: Any) -> Courier:
    values: dict[str, Any] = {"label": "Mas Joko", "capacity": 5}
    values.update(fields)
    return services.courier_create(actor=world.operator, kelurahan=kelurahan, **values)


def _seller(world: Market, kelurahan: Any, make_member: Any) -> Seller:
    user = make_member(Role.UMKM, kelurahan, phone="+6281299990001")
    return services.seller_add(actor=world.operator, organisation=world.sayur, user=user)


def _state(courier: Courier) -> tuple[int, bool]:
    courier.refresh_from_db()
    return courier.capacity, courier.is_active


# ---------------------------------------------------------------------- couriers


def test_an_operator_changes_a_couriers_capacity_and_takes_them_off_the_routes(
    world: Market, kelurahan: Any
) -> None:
    courier = _courier(world, kelurahan)
    services.courier_update(actor=world.operator, courier=courier, capacity=8, is_active=True)
    assert _state(courier) == (8, True)
    entry = LogEntry.objects.filter(type="market.courier_updated").latest("index")
    assert entry.subject == f"courier:{courier.pk}"
    assert '"capacity":8' in entry.body and '"was":{"active":true,"capacity":5}' in entry.body
    assert "Mas Joko" not in entry.body  # the name on the route sheet is not logged

    services.courier_update(actor=world.operator, courier=courier, capacity=8, is_active=False)
    assert _state(courier) == (8, False)
    assert not selectors.courier_list(kelurahan=kelurahan).filter(pk=courier.pk).exists()
    assert selectors.courier_list(kelurahan=kelurahan, include_inactive=True).get() == courier
    # The same values again: nothing to log.
    services.courier_update(actor=world.operator, courier=courier, capacity=8, is_active=False)
    assert LogEntry.objects.filter(type="market.courier_updated").count() == 2


def test_courier_changes_are_refused_for_other_roles_and_bad_values(
    world: Market, kelurahan: Any, rt: Any, make_member: Any
) -> None:
    courier = _courier(world, kelurahan)
    seller = verified(make_member(Role.UMKM, kelurahan))
    for actor in (make_member(Role.WARGA, rt), seller, make_member(Role.RELAWAN, rt)):
        with pytest.raises(PermissionDenied):
            services.courier_update(actor=actor, courier=courier, capacity=6, is_active=True)
    for capacity in (0, -1, 201, "6", None, True, 2.5):
        with pytest.raises(ValidationFailed, match="between 1 and 200"):
            services.courier_update(
                actor=world.operator, courier=courier, capacity=capacity, is_active=True
            )
    with pytest.raises(ValidationFailed, match="active"):
        services.courier_update(actor=world.operator, courier=courier, capacity=6, is_active="yes")
    assert _state(courier) == (5, True)
    assert not LogEntry.objects.filter(type="market.courier_updated").exists()


def test_a_person_is_not_put_back_as_a_second_active_courier(
    world: Market, kelurahan: Any, rt: Any, make_member: Any
) -> None:
    rider = make_member(Role.RELAWAN, rt)
    old = _courier(world, kelurahan, user=rider)
    services.courier_update(actor=world.operator, courier=old, capacity=5, is_active=False)
    _courier(world, kelurahan, label="Mas Joko (motor baru)", user=rider)
    with pytest.raises(Conflict, match="already a courier"):
        services.courier_update(actor=world.operator, courier=old, capacity=5, is_active=True)
    assert _state(old) == (5, False)


def test_the_couriers_page_changes_a_row_and_shows_refusals(
    world: Market, kelurahan: Any, other_kelurahan: Any, rt: Any, make_member: Any, login: Any
) -> None:
    courier = _courier(world, kelurahan)
    page = _url("couriers", kelurahan)
    operator = login(world.operator)
    listed = operator.get(page).content.decode()
    assert f'id="courier-form-{courier.pk}"' in listed and 'value="update"' in listed

    done = operator.post(page, {"action": "update", "courier": courier.pk, "capacity": "7"})
    assert done.status_code == 302
    assert _state(courier) == (7, False)  # the box unticked: taken off the routes
    shown = operator.get(page).content.decode()
    assert "Courier Mas Joko updated." in shown and "Not active" in shown

    ticked = {"action": "update", "courier": courier.pk, "capacity": "7", "is_active": "1"}
    assert operator.post(page, ticked).status_code == 302
    assert _state(courier) == (7, True)

    for capacity, message in (
        ("0", "A courier carries between 1 and 200 packages."),
        ("250", "A courier carries between 1 and 200 packages."),
        ("tujuh", "Give the number of packages per trip as a whole number."),
        ("", "Give the number of packages per trip."),
    ):
        refused = operator.post(page, {**ticked, "capacity": capacity})
        assert refused.status_code == 422, capacity
        assert message in refused.content.decode()
    elsewhere = Courier.objects.create(kelurahan=other_kelurahan, label="Kurir lain", capacity=3)
    for pk in (elsewhere.pk, 999_999, "x"):
        assert operator.post(page, {**ticked, "courier": pk, "capacity": "9"}).status_code == 404
    assert _state(courier) == (7, True)
    assert Courier.objects.get(pk=elsewhere.pk).capacity == 3

    for user in (make_member(Role.WARGA, rt), verified(make_member(Role.UMKM, kelurahan))):
        denied = login(user).post(page, {**ticked, "capacity": "2"})
        assert denied.status_code == 403
    assert _state(courier) == (7, True)
    assert LogEntry.objects.filter(type="market.courier_updated").count() == 2


# ----------------------------------------------------------------------- sellers


def test_an_operator_removes_a_seller_who_then_manages_nothing(
    world: Market, kelurahan: Any, make_member: Any
) -> None:
    seller = _seller(world, kelurahan, make_member)
    user = verified(seller.user)
    services.seller_remove(actor=world.operator, seller=seller)
    assert not Seller.objects.filter(pk=seller.pk).exists()
    entry = LogEntry.objects.filter(type="market.seller_removed").latest("index")
    assert entry.subject == f"organisation:{world.sayur.pk}"
    assert f'"seller":"seller:{seller.pk}"' in entry.body
    assert "6281299990001" not in entry.body and "9990001" not in entry.body
    with pytest.raises(PermissionDenied, match="do not manage"):
        services.product_update(actor=user, product=world.bayam, changes={"price": 3500})
    with pytest.raises(NotFound):
        services.seller_remove(actor=world.operator, seller=seller)  # already removed
    assert LogEntry.objects.filter(type="market.seller_removed").count() == 1


def test_a_seller_is_removed_only_by_an_operator(
    world: Market, kelurahan: Any, rt: Any, make_member: Any
) -> None:
    seller = _seller(world, kelurahan, make_member)
    for actor in (make_member(Role.WARGA, rt), verified(seller.user)):
        with pytest.raises(PermissionDenied):
            services.seller_remove(actor=actor, seller=seller)
    assert Seller.objects.filter(pk=seller.pk).exists()
    assert not LogEntry.objects.filter(type="market.seller_removed").exists()


def test_the_umkm_page_removes_a_seller(
    world: Market, kelurahan: Any, other_kelurahan: Any, rt: Any, make_member: Any, login: Any
) -> None:
    seller = _seller(world, kelurahan, make_member)
    page = _url("umkm_queue", kelurahan)
    operator = login(world.operator)
    assert f'id="seller-{seller.pk}"' in operator.get(page).content.decode()

    form = {"action": "seller_remove", "seller": seller.pk}
    for user in (make_member(Role.WARGA, rt), verified(seller.user)):
        assert login(user).post(page, form).status_code == 403
    assert Seller.objects.filter(pk=seller.pk).exists()
    for pk in (999_999, "", "x"):
        assert operator.post(page, {**form, "seller": pk}).status_code == 404
    assert Seller.objects.filter(pk=seller.pk).exists()

    done = operator.post(page, form)
    assert done.status_code == 302
    assert not Seller.objects.filter(pk=seller.pk).exists()
    shown = operator.get(page).content.decode()
    assert f"The seller no longer manages the products of {world.sayur.name}." in shown
    assert f'id="seller-{seller.pk}"' not in shown
    assert operator.post(page, form).status_code == 404  # twice: already gone
    assert LogEntry.objects.filter(type="market.seller_removed").count() == 1


# ------------------------------------------------------------------------- admin


def test_the_admin_shows_couriers_and_sellers_read_only(
    world: Market, kelurahan: Any, make_member: Any
) -> None:
    courier = _courier(world, kelurahan)
    seller = _seller(world, kelurahan, make_member)
    staff = UserFactory(is_staff=True, is_superuser=True)
    TOTPDeviceFactory(user=staff)
    client = client_for(staff)
    for model, obj in (("courier", courier), ("seller", seller)):
        assert client.get(reverse(f"admin:market_{model}_changelist")).status_code == 200
        change = reverse(f"admin:market_{model}_change", args=[obj.pk])
        page = client.get(change)
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
        assert client.post(change, {"capacity": "1", "is_active": ""}).status_code == 403
        delete = reverse(f"admin:market_{model}_delete", args=[obj.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
    assert _state(courier) == (5, True)
    assert Seller.objects.filter(pk=seller.pk).exists()
