"""Entry types of the registry app (imported from ``RegistryConfig.ready``).

Ids, counts, flags and field names only: never a name, number, address or a typed reason.
"""

from gotong.transparency.log_schema import (
    BOOL,
    COUNT,
    ID,
    NUMBER,
    SLUG,
    TIME,
    code,
    entry_types_declare,
    list_of,
)

_CASE = {"case_id": ID, "candidate_id": ID}
_VOLUNTEER = {
    "person_id": ID,
    "skills": list_of(SLUG),
    "windows": COUNT,
    "max_tasks_per_week": COUNT,
}

entry_types_declare(
    {
        "person.registered": {
            "channel": SLUG,
            "rt_id": ID,
            "household_id": ID,
            "consents": list_of(SLUG),
            "has_nik": BOOL,
            "by_guardian": BOOL,
        },
        "person.duplicate_suspected": {**_CASE, "score": NUMBER},
        "person.merge_proposed": {**_CASE, "reason": SLUG},
        "person.duplicate_decided": {**_CASE, "decision": SLUG},
        "person.sensitive_revealed": {
            "fields": list_of(SLUG),
            "purpose": SLUG,
            "channel": SLUG,
        },
        "person.data_exported": {"consents": COUNT, "accesses": COUNT},
        "person.corrected": {"fields": list_of(SLUG)},
        "person.erased": {"household_id": ID},
        "household.registered": {"rt_id": ID, "members": COUNT, "has_kk": BOOL},
        "organisation.registered": {"kind": SLUG, "rt_id": ID, "outside": BOOL},
        "organisation.approved": {"kind": SLUG},
        "organisation.rejected": {"kind": SLUG},
        "skill.list_created": {"skills": list_of(SLUG)},
        "volunteer.signed_up": _VOLUNTEER,
        "volunteer.updated": _VOLUNTEER,
        "consent.granted": {
            "purpose": SLUG,
            "text_version": code(r"[0-9]{1,4}", 4),
            "channel": SLUG,
        },
        "consent.withdrawn": {"purpose": SLUG, "tier2_wiped": BOOL},
        "data_request.submitted": {"kind": SLUG, "person_id": ID, "due_at": TIME},
        "data_request.resolved": {"kind": SLUG, "approved": BOOL, "late": BOOL},
        "import.refused": {"rows": COUNT, "errors": COUNT},
        "import.completed": {
            "rows": COUNT,
            "persons": COUNT,
            "households": COUNT,
            "consents": COUNT,
            "duplicate_cases": COUNT,
        },
        "data_keys.rotated": {
            "model": code(r"[a-z_]{1,32}\.[A-Za-z]{1,48}", 64),
            "rows": COUNT,
            "key_version": COUNT,
        },
    }
)
