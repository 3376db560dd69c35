"""Write operations on members, records, restrictions and third-party provisions.

Every entry point (the admin, the API, the commands, other apps' workflows) writes through
these functions: each normalises its input, calls `full_clean()`, saves, and appends its
audit event in the same transaction. Events carry ids, field names and keyed digests of
old and new values, never the values themselves. Reads of personal data do not belong
here: they pass through the gate.

Where it lives
  `records.services` is a package, one module per topic; callers import the names it
  exports below, whichever module holds them:
    `members`       `member_create`, `member_update`, `MEMBER_FIELDS`,
                    `normalize_member_fields`
    `records`       `record_create`, `record_update`, `record_delete`
    `restrictions`  `restriction_add` (and the stops in force, which provisions check)
    `consents`      `consent_record`, `consent_withdraw`, `consents_in_force`
    `protections`   `protection_set`, `protection_lift` (DV and the like)
    `provisions`    `provision_register`, `ProvisionRefused`, `condition_refusal` (and the
                    retention erasure checks)
    `erasure`       `member_erase`, `check_retention`, `kept_by_law`
    `trail`         `value_digest`: the digests every event carries
"""

from .consents import consent_record, consent_withdraw, consents_in_force
from .erasure import check_retention, kept_by_law, member_erase
from .members import MEMBER_FIELDS, member_create, member_update, normalize_member_fields
from .protections import protection_lift, protection_set
from .provisions import ProvisionRefused, condition_refusal, provision_register
from .records import record_create, record_delete, record_update
from .restrictions import restriction_add
from .trail import value_digest

__all__ = [
    "MEMBER_FIELDS",
    "ProvisionRefused",
    "check_retention",
    "condition_refusal",
    "consent_record",
    "consent_withdraw",
    "consents_in_force",
    "kept_by_law",
    "member_create",
    "member_erase",
    "member_update",
    "normalize_member_fields",
    "protection_lift",
    "protection_set",
    "provision_register",
    "record_create",
    "record_delete",
    "record_update",
    "restriction_add",
    "value_digest",
]
