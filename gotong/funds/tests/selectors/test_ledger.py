"""The fixed accounts exist from the kelurahan's creation; reading one never writes."""

from typing import cast

import pytest

from gotong.core.exceptions import NotFound
from gotong.funds import selectors
from gotong.funds.models import SINGLETON_KINDS, Account, AccountKind
from gotong.territory.models import Kelurahan
from gotong.territory.services import kelurahan_create
from gotong.territory.tests.factories import KelurahanFactory

pytestmark = pytest.mark.django_db


def test_a_new_kelurahan_gets_its_fixed_accounts_when_it_is_created() -> None:
    kelurahan = kelurahan_create(region_code="35.77.03.1009")
    kinds = set(Account.objects.filter(kelurahan=kelurahan).values_list("kind", flat=True))
    assert kinds == {str(kind) for kind in SINGLETON_KINDS}
    bank = selectors.account_of_kind(kelurahan=kelurahan, kind=AccountKind.BANK)
    assert bank.code == "bank" and bank.debit_normal and bank.balance == 0


def test_reading_a_missing_fixed_account_is_refused_and_creates_nothing() -> None:
    kelurahan = cast(Kelurahan, KelurahanFactory())  # made without the service: no accounts
    with pytest.raises(NotFound) as missing:
        selectors.account_of_kind(kelurahan=kelurahan, kind=AccountKind.AID_FUND)
    assert missing.value.extra == {"reason": "account_missing", "kind": "aid_fund"}
    assert not Account.objects.filter(kelurahan=kelurahan).exists()
