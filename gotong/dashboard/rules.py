"""Permissions of the dashboard app (loaded by rules' autodiscovery)."""

from gotong.accounts.models import Role
from gotong.accounts.permissions import PUBLIC, permissions_declare, roles

permissions_declare(
    {
        # Public aggregates, open data, monthly reports and the synergy diagram: no login.
        "dashboard.view_public": PUBLIC,
        # Officer dashboard: RT/RW heads see their area, officers the whole kelurahan.
        "dashboard.view_officer": roles(
            Role.KETUA_RT,
            Role.KETUA_RW,
            Role.OPERATOR,
            Role.LURAH,
            Role.AUDITOR,
            Role.KOMITE_ETIKA,
            Role.ADMIN,
        ),
        # Official reference figures (households per RW from the monografi).
        "dashboard.set_reference": roles(Role.OPERATOR, Role.ADMIN),
    }
)
