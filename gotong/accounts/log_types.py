"""Entry types of the accounts app (imported from ``AccountsConfig.ready``)."""

from gotong.transparency.log_schema import DATE, PSEUDONYM, REF, entry_types_declare, enum

from .models import Role

_MEMBERSHIP = {
    "member": PSEUDONYM,
    "role": enum(Role),
    "unit": REF,
    "valid_from": DATE,
    "valid_to": DATE,
}

entry_types_declare({"membership.granted": _MEMBERSHIP, "membership.ended": _MEMBERSHIP})
