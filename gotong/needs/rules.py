"""Permissions of the needs app (loaded by rules' autodiscovery)."""

from gotong.accounts.models import Role
from gotong.accounts.permissions import ANY_USER, permissions_declare, roles

permissions_declare(
    {
        # A logged-in resident raises a need for themselves/their household and follows it.
        "needs.submit": ANY_USER,
        "needs.view_own": ANY_USER,
        # RT head: triage queue of their RT (verify, reject, escalate, raise as proxy).
        "needs.triage": roles(Role.KETUA_RT),
        # RW head approves what the RT verified.
        "needs.approve": roles(Role.KETUA_RW),
        # Escalated needs are decided by the kelurahan.
        "needs.decide_escalated": roles(Role.OPERATOR, Role.LURAH, Role.ADMIN),
        "needs.kiosk": roles(Role.OPERATOR, Role.ADMIN),
        # Assigning help and recording fulfilment.
        "needs.assign": roles(Role.KETUA_RW, Role.OPERATOR, Role.ADMIN),
        "needs.fulfil": roles(Role.KETUA_RT, Role.KETUA_RW, Role.OPERATOR, Role.ADMIN),
        "needs.confirm_on_behalf": roles(Role.KETUA_RT),
        "needs.close": roles(Role.OPERATOR, Role.ADMIN),
        "needs.cancel": roles(Role.KETUA_RT, Role.OPERATOR, Role.ADMIN),
        # The kelurahan-wide board.
        "needs.view_board": roles(Role.OPERATOR, Role.LURAH, Role.AUDITOR, Role.ADMIN),
        # Seeing needs of one's RT/RW (queues).
        "needs.view_area": roles(Role.KETUA_RT, Role.KETUA_RW),
    }
)
