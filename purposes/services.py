"""Publishing the register and the notice as a revision. (A draft row is saved and deleted
through `core.audited`, as every register edited in the admin is.)

The publication writes its audit event in the same transaction, with identifiers and the
snapshot's digest, never the text.
"""

import datetime
import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.trail import By, user_of
from audit.vocabulary import Action
from core import audited

from . import page
from .models import Notice, NoticeRevision, Purpose
from .snapshot import build_snapshot, digest


class NothingToPublish(ValidationError):
    """The draft is the notice already published."""


def added_purposes(latest: NoticeRevision | None) -> list[Purpose]:
    """The purposes the draft register holds that `latest` (the revision published last)
    did not: those Art. 17(2) asks about. None before the first revision."""
    if latest is None:
        return []
    published = {
        permission["purpose_id"]
        for category in latest.snapshot["register"]
        for permission in category["permissions"]
    }
    return list(
        Purpose.objects.filter(permissions__isnull=False)
        .exclude(id__in=published)
        .distinct()
        .order_by("id")
    )


@transaction.atomic
def publish(
    *,
    method: str,
    by: By,
    effective: datetime.date | None = None,
    added_related: bool | None = None,
) -> NoticeRevision:
    """Freeze the draft as the next revision of the notice, in force from `effective`.

    `effective` defaults to today (Asia/Tokyo) and may not be earlier: a changed purpose
    applies only once notified or published (APPI Art. 21(3)), never retroactively.
    Where the draft adds purposes, `added_related` says whether they are reasonably related
    to the purposes before (APPI Art. 17(2)); an unrelated one is a use outside them, so it
    is published as needing the member's consent (Art. 18(1): `Purpose.Consent.EXPLICIT`).
    Raises `NothingToPublish` when the draft equals the latest revision.
    """
    today = timezone.localdate()
    effective = effective or today
    if effective < today:
        raise ValidationError({"effective_on": _("適用日は本日以降の日付にしてください。")})
    # The notice row's lock serialises publishers, so that two cannot take the same number.
    Notice.objects.select_for_update().get(pk=1)
    latest = NoticeRevision.objects.order_by("-number").first()
    added = added_purposes(latest)
    if added and added_related is None:
        raise ValidationError(
            {
                "added_related": _(
                    "追加する利用目的（%(names)s）が変更前の利用目的と関連性を有するかを"
                    "選んでください（法第17条第2項）。"
                )
                % {"names": "、".join(purpose.name for purpose in added)}
            }
        )
    if added and not added_related:
        for purpose in added:
            purpose.consent = Purpose.Consent.EXPLICIT
            audited.save(purpose, by=by, fields=["consent"])
    snapshot = build_snapshot()
    # What the page shows beside the notice from its first day (processors, joint uses, the
    # retention schedule...): kept with the revision. A change there alone is worth a
    # revision too, so that the change is kept with its day.
    beside = page.beside_html(snapshot, on=effective)
    if latest is not None and latest.snapshot == snapshot and latest.page == beside:
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
        page=beside,
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
            "page_digest": hashlib.sha256(beside.encode()).hexdigest(),
            "added_purposes": [purpose.code for purpose in added],
            "added_related": added_related if added else None,
        },
    )
