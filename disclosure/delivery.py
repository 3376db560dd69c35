"""How a disclosure package reaches the member: from the status page, or, where it holds
要配慮個人情報, by 本人限定受取郵便 to the address the register holds (APPI Art. 33(1), the
method the society offers; Art. 23, safe handling).

The status link and the birth date that open a download are known to whoever shares the
member's mailbox or household, or employs them; a letter handed only to the addressee, on
proof of identity at the post office, is not. The choice is the officer's when the request is
carried out (`services.request_carry_out`); the request keeps it, the status page and the
completion letter tell it.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from audit import trail
from audit.vocabulary import Action

from .models import Package, Request

Delivery = Request.Delivery
NO_ADDRESS = gettext_lazy(
    "加入者の登録に住所がないため、本人限定受取郵便で送れません。加入者の住所を登録するか、"
    "ダウンロードを選んでください。"
)
NO_POSTING_DAY = gettext_lazy("本人限定受取郵便の発送日を入力してください。")


def registered_address(request: Request) -> str:
    """The member's address as the register holds it ("" when it holds none)."""
    member = request.member
    if member is None or not member.address:
        return ""
    return f"〒{member.postal_code} {member.address}" if member.postal_code else member.address


def holds_sensitive(records) -> bool:
    """Whether records bound for a package include a category the register flags 要配慮."""
    return any(record.category.sensitive for record in records)


def deliver(
    *,
    request: Request,
    package: Package,
    method: str,
    by,
    posted_on: datetime.date | None = None,
    tracking_number: str = "",
) -> Request:
    """Record how `package` goes to the member (the caller's transaction, before the
    completion letter, which tells it). A post is audited with the day and whether it is
    tracked: the number itself stays on the request."""
    request.delivery = method
    if method == Delivery.RESTRICTED_POST:
        if not registered_address(request):
            raise ValidationError(NO_ADDRESS)
        if posted_on is None:
            raise ValidationError(NO_POSTING_DAY)
        request.posted_on, request.tracking_number = posted_on, tracking_number
    else:
        request.posted_on, request.tracking_number = None, ""
    request.full_clean()
    request.save(update_fields=["delivery", "posted_on", "tracking_number", "updated_at"])
    if method == Delivery.RESTRICTED_POST:
        trail.append(
            action=Action.DISCLOSURE_PACKAGE_POSTED,
            actor=trail.actor_for(by),
            target=package,
            details={
                "request": request.pk,
                "method": method,
                "day": posted_on.isoformat() if posted_on else None,
                "tracked": bool(tracking_number),
            },
        )
    return request
