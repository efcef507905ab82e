"""Permissions of the transparency app (loaded by rules' autodiscovery)."""

from gotong.accounts.models import Role
from gotong.accounts.permissions import PUBLIC, permissions_declare, roles

permissions_declare(
    {
        "transparency.view": PUBLIC,
        # Photo evidence of an action: the people who do or oversee the work (and the
        # treasurer, for receipts of money in and proofs of payment).
        "transparency.evidence_upload": roles(
            Role.RELAWAN, Role.KETUA_RT, Role.KETUA_RW, Role.OPERATOR, Role.BENDAHARA, Role.ADMIN
        ),
        # Evidence notes are private: besides the uploader and those over the subject,
        # the kelurahan's officers read them.
        "transparency.view_notes": roles(
            Role.OPERATOR, Role.LURAH, Role.KOMITE_ETIKA, Role.AUDITOR, Role.ADMIN
        ),
    }
)
