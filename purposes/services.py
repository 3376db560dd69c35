"""Publishing the register and the notice as a revision. (A draft row is saved and deleted
through `core.audited`, as every register edited in the admin is.)

The publication writes its audit event in the same transaction, with identifiers and the
snapshot's digest, never the text.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.trail import By, user_of
from audit.vocabulary import Action
from core import audited

from .models import Notice, NoticeRevision
from .snapshot import build_snapshot, digest


class NothingToPublish(ValidationError):
    """The draft is the notice already published."""


@transaction.atomic
def publish(
    *,
    method: str,
    by: By,
    effective: datetime.date | None = None,
) -> NoticeRevision:
    """Freeze the draft as the next revision of the notice, in force from `effective`.

    `effective` defaults to today (Asia/Tokyo) and may not be earlier: a changed purpose
    applies only once notified or published (APPI Art. 21(3)), never retroactively.
    Raises `NothingToPublish` when the draft equals the latest revision.
    """
    today = timezone.localdate()
    effective = effective or today
    if effective < today:
        raise ValidationError({"effective_on": _("適用日は本日以降の日付にしてください。")})
    # The notice row's lock serialises publishers, so that two cannot take the same number.
    Notice.objects.select_for_update().get(pk=1)
    snapshot = build_snapshot()
    latest = NoticeRevision.objects.order_by("-number").first()
    if latest is not None and latest.snapshot == snapshot:
        raise NothingToPublish(
            _("下書きは公表済みの第%(number)d版と同じです。") % {"number": latest.number}
        )
    revision = NoticeRevision(
        number=latest.number + 1 if latest else 1,
        published_at=timezone.now(),
        effective_on=effective,
        method=method,
        published_by=user_of(by),
        snapshot=snapshot,
        digest=digest(snapshot),
    )
    return audited.save(
        revision,
        by=by,
        action=Action.PURPOSES_NOTICE_PUBLISHED,
        details=lambda revision: {
            "number": revision.number,
            "method": revision.method,
            "effective_on": effective.isoformat(),
            "digest": revision.digest,
        },
    )
