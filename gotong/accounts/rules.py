"""Permissions of the accounts app (loaded by rules' autodiscovery)."""

from .models import Role
from .permissions import ANY_USER, PUBLIC, permissions_declare, roles

permissions_declare(
    {
        "accounts.login": PUBLIC,
        "accounts.view_self": ANY_USER,
        # Seeing who holds which role in a unit, and granting or ending roles there.
        "accounts.view_members": roles(
            Role.KETUA_RT, Role.KETUA_RW, Role.OPERATOR, Role.LURAH, Role.ADMIN
        ),
        "accounts.grant_membership": roles(Role.KETUA_RT, Role.KETUA_RW, Role.OPERATOR, Role.ADMIN),
    }
)
