"""The public notice (`/privacy/`) and its revision history: only what was published."""

import datetime

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from .models import Category, NoticeRevision
from .outsourcing import JointUse, Processor, SocietyProfile, fees
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
    return render(
        request,
        "purposes/notice.html",
        {
            **context,
            **_society_context(on=today),
            "retention": _retention(context["notice"]),
            "upcoming": upcoming,
        },
    )


def _society_context(*, on: datetime.date) -> dict:
    """What the notice page shows beside the published revision, from the live registers:
    the society's address and representative (Art. 32(1)(i)), its processors and joint uses
    (Art. 27(5)(iii): a joint use from the day it was published), the 外的環境 where data is
    handled abroad (Art. 32(1)(iv)) and the fees with how to pay them (Art. 32(1)(iii), 38)."""
    processors = [
        p
        for p in Processor.objects.filter(published=True).prefetch_related("categories")
        if p.under_contract(on)
    ]
    joint_uses = JointUse.objects.filter(published_on__lte=on).exclude(ends_on__lt=on)
    profile = SocietyProfile.objects.first()
    abroad = [p for p in processors if p.country]
    return {
        "profile": profile,
        "processors": processors,
        "joint_uses": joint_uses.prefetch_related("categories"),
        "abroad": abroad,
        "fees": fees(),
    }


def _retention(notice: dict) -> list[tuple[str, Category | None]]:
    """Each category of the published register, by its published name, with its retention
    schedule as the register keeps it now (Art. 22): the schedule is the society's practice,
    not a term of the notice, so it shows without a new revision (as the processors do)."""
    codes = [category["code"] for category in notice["register"]]
    live = Category.objects.in_bulk(codes, field_name="code")
    return [(category["name"], live.get(category["code"])) for category in notice["register"]]


def history(request):
    revisions = NoticeRevision.objects.only("number", "published_at", "effective_on", "method")
    return render(request, "purposes/history.html", {"revisions": revisions})


def revision(request, number: int):
    revision = get_object_or_404(NoticeRevision, number=number)
    context = _notice_context(revision, on=revision.effective_on)
    return render(request, "purposes/revision.html", context)
