"""Permissions of the activities app (loaded by rules' autodiscovery)."""

from gotong.accounts.models import Role
from gotong.accounts.permissions import ANY_USER, permissions_declare, roles

# Who may sign off as an independent verifier; RT and RW heads only for activities
# outside their own RT / RW (checked by the service).
VERIFIER_ROLES = (Role.RELAWAN, Role.KETUA_RT, Role.KETUA_RW, Role.KOMITE_ETIKA, Role.AUDITOR)

permissions_declare(
    {
        # Any logged-in user: see activities they take part in, answer invitations, check
        # in and out, enter a recipient's code, rate help they received, declare a conflict.
        # The services check who they are in the activity.
        "activities.participate": ANY_USER,
        # RT/RW heads and officers plan and run activities in their area.
        "activities.manage": roles(Role.KETUA_RT, Role.KETUA_RW, Role.OPERATOR, Role.ADMIN),
        # The three sign-off layers above the executor.
        "activities.signoff_rt": roles(Role.KETUA_RT),
        "activities.signoff_rw": roles(Role.KETUA_RW),
        "activities.verify": roles(*VERIFIER_ROLES),
        # Closing a signed-off activity (and its needs) and the sign-off policy.
        "activities.close": roles(Role.OPERATOR, Role.ADMIN),
        "activities.policy": roles(Role.OPERATOR, Role.ADMIN),
        # The RT head rates for a beneficiary who cannot.
        "activities.rate_on_behalf": roles(Role.KETUA_RT),
        # Reputation figures (average ratings per volunteer and UMKM).
        "activities.view_reputation": roles(
            Role.OPERATOR, Role.LURAH, Role.AUDITOR, Role.KOMITE_ETIKA, Role.ADMIN
        ),
    }
)
