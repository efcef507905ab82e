"""Permissions of the insights app (loaded by rules' autodiscovery)."""

from gotong.accounts.models import Role
from gotong.accounts.permissions import permissions_declare, roles

permissions_declare(
    {
        # Scores, early warning and forecasts: RT/RW heads for their area, officers.
        "insights.view": roles(Role.KETUA_RT, Role.KETUA_RW, Role.OPERATOR, Role.LURAH, Role.ADMIN),
        # Confirming or dismissing the use of a score in a decision (logged).
        "insights.review": roles(Role.KETUA_RT, Role.OPERATOR, Role.ADMIN),
    }
)
