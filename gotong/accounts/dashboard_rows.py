"""The accounts app's published reads for the dashboard: user ids only."""

import datetime as dt

from gotong.territory.models import Kelurahan

from .models import Membership


def member_users_logged_in_since(*, kelurahan: Kelurahan, since: dt.datetime) -> set[int]:
    """Ids of users with a role in the kelurahan who logged in since then."""
    return set(
        Membership.objects.filter(kelurahan=kelurahan, user__last_login__gte=since).values_list(
            "user_id", flat=True
        )
    )
