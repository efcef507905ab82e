"""Permissions of the territory app (loaded by rules' autodiscovery)."""

from gotong.accounts.models import Role
from gotong.accounts.permissions import PUBLIC, permissions_declare, roles

permissions_declare(
    {
        "territory.view": PUBLIC,
        "territory.manage": roles(Role.OPERATOR, Role.ADMIN),
    }
)
