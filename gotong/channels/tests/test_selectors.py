import pytest

from gotong.channels.models import MessageStatus, OutboundMessage
from gotong.channels.selectors import message_list_dead
from gotong.territory.models import Kelurahan

pytestmark = pytest.mark.django_db


def test_dead_letters_are_listed_per_kelurahan(
    kelurahan: Kelurahan, other_kelurahan: Kelurahan
) -> None:
    for k in (kelurahan, other_kelurahan):
        OutboundMessage.objects.create(
            kelurahan=k,
            channel="file",
            recipient="+6281234500000",
            template="login_code",
            body="x",
            status=MessageStatus.DEAD,
        )
    OutboundMessage.objects.create(
        kelurahan=kelurahan, channel="file", recipient="+6281234500000", template="t", body="x"
    )
    assert [m.kelurahan_id for m in message_list_dead(kelurahan=kelurahan)] == [kelurahan.pk]
