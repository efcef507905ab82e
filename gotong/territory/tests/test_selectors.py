"""Selectors never return another kelurahan's rows."""

import pytest

from gotong.core.exceptions import NotFound
from gotong.territory import selectors
from gotong.territory.models import Kelurahan
from gotong.territory.tests.factories import RTFactory, RWFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_tenants(kelurahan: Kelurahan, other_kelurahan: Kelurahan) -> tuple[Kelurahan, Kelurahan]:
    for k in (kelurahan, other_kelurahan):
        rw = RWFactory(kelurahan=k, number=1)
        RTFactory(rw=rw, number=1)
        RTFactory(rw=rw, number=2)
    return kelurahan, other_kelurahan


def test_rw_list_is_tenant_scoped(two_tenants: tuple[Kelurahan, Kelurahan]) -> None:
    mine, other = two_tenants
    rws = list(selectors.rw_list(kelurahan=mine))
    assert [rw.kelurahan_id for rw in rws] == [mine.pk]
    assert rws[0].rt_count == 2


def test_rt_list_is_tenant_scoped(two_tenants: tuple[Kelurahan, Kelurahan]) -> None:
    mine, other = two_tenants
    assert {rt.kelurahan_id for rt in selectors.rt_list(kelurahan=mine)} == {mine.pk}
    other_rw = selectors.rw_get(kelurahan=other, number=1)
    assert list(selectors.rt_list(kelurahan=mine, rw=other_rw)) == []


def test_single_row_selectors_do_not_find_another_tenants_rows(
    two_tenants: tuple[Kelurahan, Kelurahan],
) -> None:
    mine, other = two_tenants
    foreign_rt = selectors.rt_list(kelurahan=other).first()
    assert foreign_rt is not None
    with pytest.raises(NotFound):
        selectors.rt_get(kelurahan=mine, pk=foreign_rt.pk)
    assert selectors.rt_get(kelurahan=other, pk=foreign_rt.pk) == foreign_rt
    assert selectors.rt_get_by_number(kelurahan=mine, rw_number=1, rt_number=2).kelurahan == mine
    with pytest.raises(NotFound):
        selectors.rw_get(kelurahan=mine, number=7)


def test_list_selectors_run_a_fixed_number_of_queries(
    two_tenants: tuple[Kelurahan, Kelurahan], django_assert_max_num_queries: object
) -> None:
    mine, _ = two_tenants
    with django_assert_max_num_queries(1):  # type: ignore[operator]
        assert [str(rt) for rt in selectors.rt_list(kelurahan=mine)]
