"""`keys_pending` for every template: to the privacy officer, per kind, how many members' key
operations after an erasure (a re-key after a partial one, the destruction of the key after a
whole one) are not done yet and since when (`records.rekeying`), for the admin's banner; an
empty list to anyone else, or when none is pending."""

from django.utils.functional import SimpleLazyObject

from safeguards.roles import Role, has_role

from .rekeying import PendingSummary, pending_summary


def keys_pending(request) -> dict:
    def summary() -> list[PendingSummary]:
        if not has_role(request.user, Role.PRIVACY_OFFICER):
            return []
        return pending_summary()

    # Lazy: only the admin's pages print it; the others do not pay for the queries.
    return {"keys_pending": SimpleLazyObject(summary)}
