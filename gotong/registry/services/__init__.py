"""Registry use-cases, one module per group (callers import from ``gotong.registry.services``).

Registration and corrections (``people``)
- ``person_register_self``: a logged-in resident registers themselves (channel "self").
- ``household_register``: an RT head (or RW head, operator) registers a household of their
  RT as proxy; the head gives consent, as guardian for the children.
- ``person_register_kiosk``: an operator registers a resident at the office or posyandu;
  a photo of the signed paper form is required.
- ``person_data_clean``: one person's data checked and normalised (forms, API, import).
- ``person_update``: correct Tier-1 fields (RT head of their RT or an operator).

Duplicates (``duplicates``)
- same NIK/KK in the kelurahan: refused; for an operator, the registration is kept without
  the NIK and a "same NIK" case is opened (merge proposal, in ``people``).
- similar name + same birth date + same RT: a ``DuplicateCase`` for ``duplicate_case_decide``
  (unique / duplicate, deactivated never deleted / same household).

Organisations (``organisations``)
- ``organisation_register`` / ``organisation_decide``: UMKM, donors, groups, agencies and
  health posts sign up; an operator approves or rejects (``organisation_approve_by_system``
  for the demo).

Volunteers (``volunteers``)
- ``volunteer_signup``: a registered resident offers skills and weekly time windows
  (``volunteer_register_by_system`` for the demo).
- ``skill_defaults_ensure``: the kelurahan's managed list of skills.

Consent (``consents``)
- ``consent_grant`` / ``consent_withdraw``: per purpose, with text version and channel;
  withdrawing stops what depended on it (``person_notify`` sends nothing without consent
  to notifications; withdrawing "sensitive data" wipes the Tier-2 fields).
- ``person_consents``: the purposes in force.

Reads and the access log (``access``)
- ``person_view`` / ``person_list_view``: Tier-1 reads by someone else, each logged in
  ``DataAccess``; ``person_reveal``: Tier-2 reads, only with a purpose, logged.
- ``data_access_record``: the access-log rows of a read (also used by the admin).
- ``person_tier1``, ``person_own_tier2``, ``person_pseudonym``: what a viewer may see.

Data-subject rights (``rights``)
- ``person_data_export``: everything held about the person (JSON).
- ``data_request_submit`` / ``data_request_resolve``: corrections and erasure requests,
  3 x 24 hours to answer; ``person_erase`` wipes or pseudonymises personal fields.

Import (``importing``)
- ``person_import``: CSV/XLSX import of residents and households, all-or-nothing, with a
  row-by-row report (``person_import_by_system`` for the demo; ``report_csv``).

Keys (``keys``)
- ``data_keys_rotate``: re-encrypt Tier-2 columns under the newest key.

Shared definitions (``PersonData``, the encryption contexts, the Tier-1/Tier-2 field lists)
and private helpers live in ``_common``. Every change writes a transparency entry (ids,
counts and flags only) in its transaction.
"""

from ._common import (
    BANK_CONTEXT,
    HEALTH_CONTEXT,
    KK_CONTEXT,
    NIK_CONTEXT,
    TIER1_FIELDS,
    TIER2_FIELDS,
    VULNERABILITY_FLAGS,
    PersonData,
)
from .access import (
    data_access_record,
    person_list_view,
    person_own_tier2,
    person_pseudonym,
    person_reveal,
    person_tier1,
    person_view,
)
from .consents import consent_grant, consent_withdraw, person_consents, person_notify
from .duplicates import DUPLICATE_NAME_SCORE, duplicate_case_decide
from .importing import person_import, person_import_by_system, report_csv
from .keys import data_keys_rotate
from .organisations import (
    organisation_approve_by_system,
    organisation_decide,
    organisation_register,
)
from .people import (
    CORRECTABLE_FIELDS,
    EVIDENCE_MAX_BYTES,
    household_register,
    person_data_clean,
    person_register_kiosk,
    person_register_self,
    person_update,
)
from .rights import data_request_resolve, data_request_submit, person_data_export, person_erase
from .volunteers import (
    DEFAULT_SKILLS,
    skill_defaults_ensure,
    volunteer_register_by_system,
    volunteer_signup,
)

__all__ = [
    "BANK_CONTEXT",
    "CORRECTABLE_FIELDS",
    "DEFAULT_SKILLS",
    "DUPLICATE_NAME_SCORE",
    "EVIDENCE_MAX_BYTES",
    "HEALTH_CONTEXT",
    "KK_CONTEXT",
    "NIK_CONTEXT",
    "TIER1_FIELDS",
    "TIER2_FIELDS",
    "VULNERABILITY_FLAGS",
    "PersonData",
    "consent_grant",
    "consent_withdraw",
    "data_access_record",
    "data_keys_rotate",
    "data_request_resolve",
    "data_request_submit",
    "duplicate_case_decide",
    "household_register",
    "organisation_approve_by_system",
    "organisation_decide",
    "organisation_register",
    "person_consents",
    "person_data_clean",
    "person_data_export",
    "person_erase",
    "person_import",
    "person_import_by_system",
    "person_list_view",
    "person_notify",
    "person_own_tier2",
    "person_pseudonym",
    "person_register_kiosk",
    "person_register_self",
    "person_reveal",
    "person_tier1",
    "person_update",
    "person_view",
    "report_csv",
    "skill_defaults_ensure",
    "volunteer_register_by_system",
    "volunteer_signup",
]
