"""The public notice (`/privacy/`) and its revision history: only what was published."""

import datetime

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from . import page
from .models import NoticeRevision
from .register import revision_in_force
from .snapshot import displayed_register


def _notice_context(revision: NoticeRevision, *, on: datetime.date) -> dict:
    notice = revision.snapshot
    procedure = notice["requests"]["page"]
    return {
        "revision": revision,
        "notice": notice,
        "register": displayed_register(notice, on=on),
        # Until the procedure page exists the notice prints a placeholder, not an address.
        "requests_url": procedure if procedure.startswith(("/", "https://", "http://")) else None,
        # The complaints form of the desk (by URL name: purposes imports no higher app).
        "complaints_url": reverse("complaints:new"),
        "desk_tel": "".join(ch for ch in notice["desk"]["phone"] if ch.isdigit()),
        "society_name": notice["society_name"],
    }


def notice(request):
    today = timezone.localdate()
    revision = revision_in_force(on=today)
    if revision is None:
        return render(request, "purposes/notice.html", {"revision": None})
    upcoming = (
        NoticeRevision.objects.filter(effective_on__gt=today)
        .order_by("effective_on", "number")
        .only("number", "effective_on")
        .first()
    )
    context = _notice_context(revision, on=today)
    return render(
        request,
        "purposes/notice.html",
        {**context, **page.beside_context(context["notice"], on=today), "upcoming": upcoming},
    )


def history(request):
    revisions = NoticeRevision.objects.only("number", "published_at", "effective_on", "method")
    return render(request, "purposes/history.html", {"revisions": revisions})


def revision(request, number: int):
    """A published revision as it was published: its notice and, where it was kept, what the
    page showed beside it then (`purposes.page`), never today's registers."""
    revision = get_object_or_404(NoticeRevision, number=number)
    context = _notice_context(revision, on=revision.effective_on)
    # Rendered by `page.beside_html` from the templates, escaped there, and never edited.
    context["beside"] = mark_safe(revision.page)  # noqa: S308
    return render(request, "purposes/revision.html", context)
