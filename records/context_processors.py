"""`rekeys_pending` for every template: to the privacy officer, how many members' re-keys
after a partial erasure are not done yet and since when (`records.rekeying`), for the admin's
banner; None to anyone else, or when none is pending."""

from django.utils.functional import SimpleLazyObject

from safeguards.roles import Role, has_role

from .rekeying import pending_summary


def rekeys_pending(request) -> dict:
    def summary() -> dict | None:
        if not has_role(request.user, Role.PRIVACY_OFFICER):
            return None
        return pending_summary()

    # Lazy: only the admin's pages print it; the others do not pay for the queries.
    return {"rekeys_pending": SimpleLazyObject(summary)}
