"""The public notice (`/privacy/`) and its revision history: only what was published."""

import datetime

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from .models import NoticeRevision
from .register import revision_in_force
from .snapshot import displayed_register


def _notice_context(revision: NoticeRevision, *, on: datetime.date) -> dict:
    notice = revision.snapshot
    page = notice["requests"]["page"]
    return {
        "revision": revision,
        "notice": notice,
        "register": displayed_register(notice, on=on),
        # Until the procedure page exists the notice prints a placeholder, not an address.
        "requests_url": page if page.startswith(("/", "https://", "http://")) else None,
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
    return render(request, "purposes/notice.html", {**context, "upcoming": upcoming})


def history(request):
    revisions = NoticeRevision.objects.only("number", "published_at", "effective_on", "method")
    return render(request, "purposes/history.html", {"revisions": revisions})


def revision(request, number: int):
    revision = get_object_or_404(NoticeRevision, number=number)
    context = _notice_context(revision, on=revision.effective_on)
    return render(request, "purposes/revision.html", context)
