"""Permissions of the policy pages (loaded by rules' autodiscovery)."""

from gotong.accounts.models import Role
from gotong.accounts.permissions import PUBLIC, permissions_declare, roles

permissions_declare(
    {
        "pages.view": PUBLIC,
        # The kelurahan writes its own privacy policy and SOPs.
        "pages.edit": roles(Role.OPERATOR, Role.LURAH, Role.ADMIN),
    }
)
