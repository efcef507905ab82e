"""Permissions of the registry app (loaded by rules' autodiscovery)."""

from gotong.accounts.models import Role
from gotong.accounts.permissions import ANY_USER, PUBLIC, permissions_declare, roles

permissions_declare(
    {
        # A logged-in person registers themselves, sees and downloads their own data, sees
        # who read it, withdraws consent, asks for a correction or erasure.
        "registry.register_self": ANY_USER,
        "registry.view_own_data": ANY_USER,
        "registry.register_organisation": ANY_USER,
        "registry.volunteer_signup": ANY_USER,
        "registry.view_organisations": PUBLIC,
        "registry.view_skills": PUBLIC,
        # RT head registers a household of their RT (proxy); RW heads and officers too.
        "registry.register_household": roles(
            Role.KETUA_RT, Role.KETUA_RW, Role.OPERATOR, Role.ADMIN
        ),
        # Kiosk at the kelurahan office or posyandu, with a photo of the signed form.
        "registry.register_kiosk": roles(Role.OPERATOR, Role.ADMIN),
        # Tier 1 (name, RT, phone, flags) of residents in the viewer's unit; every read logged.
        "registry.view_persons": roles(
            Role.KETUA_RT, Role.KETUA_RW, Role.OPERATOR, Role.LURAH, Role.ADMIN
        ),
        # Tier 2 (NIK, KK, health, bank): explicit reveal with a logged purpose.
        "registry.reveal_sensitive": roles(Role.KETUA_RT, Role.OPERATOR, Role.ADMIN),
        # Correction requests go to the RT head or an operator; erasure to an operator.
        "registry.handle_requests": roles(Role.KETUA_RT, Role.OPERATOR, Role.ADMIN),
        "registry.erase": roles(Role.OPERATOR, Role.ADMIN),
        "registry.approve_organisation": roles(Role.OPERATOR, Role.ADMIN),
        "registry.manage_duplicates": roles(Role.OPERATOR, Role.ADMIN),
        "registry.import": roles(Role.OPERATOR, Role.ADMIN),
    }
)
