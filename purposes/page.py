"""What `/privacy/` shows beside the published revision, and the copy each revision keeps.

The revision (its snapshot) is the notice's text and register. Beside it the page shows, from
the live registers, the society's name, address and representative (APPI Art. 32(1)(i)), the
processors under contract and the joint uses published (Art. 27(5)(iii)), the 外的環境 where
data is handled abroad (Art. 32(1)(iv)), the fees and how to pay them (Art. 32(1)(iii), 38),
and the retention schedule (Art. 22). Publishing a revision freezes that part of the page as
it reads on the revision's first day (`beside_html`, kept in `NoticeRevision.page`), so
that what was published when can be read back. Nothing here writes.
"""

import datetime

from django.template.loader import render_to_string

from .models import Category
from .outsourcing import JointUse, Processor, SocietyProfile, fees

TEMPLATE = "purposes/_beside.html"


def beside_context(notice: dict, *, on: datetime.date) -> dict:
    """The context of `TEMPLATE` for the revision whose snapshot is `notice`, on day `on`."""
    processors = [
        p
        for p in Processor.objects.filter(published=True).prefetch_related("categories")
        if p.under_contract(on)
    ]
    joint_uses = JointUse.objects.filter(published_on__lte=on).exclude(ends_on__lt=on)
    return {
        "society_name": notice["society_name"],
        "profile": SocietyProfile.objects.first(),
        "processors": processors,
        "joint_uses": joint_uses.prefetch_related("categories"),
        "abroad": [p for p in processors if p.country],
        "fees": fees(),
        "retention": _retention(notice),
    }


def _retention(notice: dict) -> list[tuple[str, Category | None]]:
    """Each category of the published register, by its published name, with its retention
    schedule as the register keeps it now (Art. 22): the schedule is the society's practice,
    not a term of the notice, so it shows without a new revision (as the processors do)."""
    codes = [category["code"] for category in notice["register"]]
    live = Category.objects.in_bulk(codes, field_name="code")
    return [(category["name"], live.get(category["code"])) for category in notice["register"]]


def beside_html(notice: dict, *, on: datetime.date) -> str:
    """That part of the page as `/privacy/` renders it on day `on`: what a revision keeps."""
    return render_to_string(TEMPLATE, beside_context(notice, on=on))
