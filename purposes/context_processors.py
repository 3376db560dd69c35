"""`society_name` for every template: the name in the notice in force today, once published."""

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from .models import NoticeRevision


def _published_name() -> str:
    name = (
        NoticeRevision.objects.filter(effective_on__lte=timezone.localdate())
        .order_by("-effective_on", "-number")
        .values_list("snapshot__society_name", flat=True)
        .first()
    )
    return name or ""


def society(request) -> dict:
    # Lazy: pages that do not print the name (the admin) do not pay for the query.
    return {"society_name": SimpleLazyObject(_published_name)}
