"""Permissions of the matching app (loaded by rules' autodiscovery)."""

from gotong.accounts.models import Role
from gotong.accounts.permissions import ANY_USER, permissions_declare, roles

permissions_declare(
    {
        # The operator board: rounds, proposals with their reasons, fairness reports.
        "matching.view": roles(Role.KETUA_RW, Role.OPERATOR, Role.LURAH, Role.AUDITOR, Role.ADMIN),
        # Running a round (the scheduled task runs them too) and re-matching declines.
        "matching.run": roles(Role.OPERATOR, Role.ADMIN),
        # A person confirms, edits or rejects each proposal (the engine never assigns);
        # the same roles as assigning a need (needs.assign), checked over its RT.
        "matching.confirm": roles(Role.KETUA_RW, Role.OPERATOR, Role.ADMIN),
        # Weights, radius and the skills that serve each category of need.
        "matching.policy": roles(Role.OPERATOR, Role.ADMIN),
        # "Why is my request not matched yet?" (the service checks the need is theirs).
        "matching.why": ANY_USER,
    }
)
