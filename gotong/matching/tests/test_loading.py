"""The planning horizon the matching engine works on."""

import datetime as dt
import zoneinfo

from gotong.matching.loading import Horizon

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")


def test_a_round_in_the_evening_never_proposes_a_start_in_the_past() -> None:
    """A round at 19:37 WIB inside the 18:00-21:00 block proposes 20:00, not 18:00."""
    now = dt.datetime(2026, 12, 7, 19, 37, tzinfo=WIB)
    horizon = Horizon.from_now(now)
    block = 6  # 18:00-21:00 today
    assert horizon.block_start(block) == dt.datetime(2026, 12, 7, 18, 0, tzinfo=WIB)
    assert horizon.proposed_start(block) == dt.datetime(2026, 12, 7, 20, 0, tzinfo=WIB)
    assert horizon.proposed_start(block + 1) == dt.datetime(2026, 12, 7, 21, 0, tzinfo=WIB)


def test_on_the_half_hour_the_start_is_now() -> None:
    now = dt.datetime(2026, 12, 7, 19, 30, tzinfo=WIB)
    assert Horizon.from_now(now).proposed_start(6) == now
