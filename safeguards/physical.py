"""Physical safeguards: entries to the rooms where personal data is handled, and devices
and media taken out (持ち出し) and returned. What is still out, and what is late, is asked of
`still_out` and `overdue_checkouts`.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.trail import actor_for, append
from audit.vocabulary import Action
from core import audited, deadlines
from safeguards.models import AreaEntry, DeviceCheckout, SecureArea


class AlreadyClosed(Exception):
    """The entry was already left, or the device already returned."""


@transaction.atomic
def enter_area(*, area: SecureArea, user, by, at: datetime.datetime | None = None) -> AreaEntry:
    return audited.save(
        AreaEntry(area=area, user=user, entered_at=at or timezone.now()),
        by=by,
        action=Action.SAFEGUARDS_AREAENTRY_ENTERED,
        details=lambda entry: {"area": area.pk, "user": user.pk},
    )


@transaction.atomic
def leave_area(*, entry: AreaEntry, by, at: datetime.datetime | None = None) -> AreaEntry:
    locked = AreaEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.left_at is not None:
        raise AlreadyClosed(_("退室は記録済みです。"))
    locked.left_at = at or timezone.now()
    locked.full_clean()
    locked.save(update_fields=["left_at"])
    append(action=Action.SAFEGUARDS_AREAENTRY_LEFT, actor=actor_for(by), target=locked)
    return locked


@transaction.atomic
def check_out_device(*, checkout: DeviceCheckout, by) -> DeviceCheckout:
    """Record a device or medium leaving the office, with its protection and return date."""
    return audited.save(
        checkout,
        by=by,
        action=Action.SAFEGUARDS_DEVICECHECKOUT_TAKEN_OUT,
        details=lambda checkout: {"kind": checkout.kind, "user": checkout.taken_by_id},
    )


@transaction.atomic
def return_device(
    *, checkout: DeviceCheckout, by, at: datetime.datetime | None = None
) -> DeviceCheckout:
    locked = DeviceCheckout.objects.select_for_update().get(pk=checkout.pk)
    if locked.returned_at is not None:
        raise AlreadyClosed(_("返却は記録済みです。"))
    locked.returned_at = at or timezone.now()
    locked.full_clean()
    locked.save(update_fields=["returned_at"])
    append(action=Action.SAFEGUARDS_DEVICECHECKOUT_RETURNED, actor=actor_for(by), target=locked)
    return locked


def still_out():
    return DeviceCheckout.objects.filter(returned_at__isnull=True)


def overdue_checkouts(*, today: datetime.date):
    return still_out().filter(deadlines.overdue_q("expected_back_on", today=today))


def checkout_overdue(checkout: DeviceCheckout, *, today: datetime.date) -> bool:
    return deadlines.is_overdue(
        checkout.expected_back_on, today=today, done=checkout.returned_at is not None
    )
