"""Operations on the register and the notice: saving a draft row, publishing a revision.

Every change writes its audit event in the same transaction. Events name the row and the
changed fields, never the text: a register holds no personal data, but the trail's rule
is the same everywhere.
"""

import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.trail import SYSTEM, Actor, actor_for, append

from .models import Notice, NoticeRevision
from .snapshot import build_snapshot, digest


class NothingToPublish(ValidationError):
    """The draft is the notice already published."""


def _actor(by: AbstractBaseUser | None) -> Actor:
    # No user: the system itself (the loader of a fresh install).
    return Actor(SYSTEM) if by is None else actor_for(by)


@transaction.atomic
def save_row(
    *, instance: models.Model, by: AbstractBaseUser, fields: list[str], created: bool
) -> models.Model:
    """Save one draft row of the register or notice, audited (a change with no field is not)."""
    instance.full_clean()
    instance.save()
    if created or fields:
        verb = "created" if created else "changed"
        append(
            action=f"purposes.{instance._meta.model_name}.{verb}",
            actor=_actor(by),
            target=instance,
            details={"fields": sorted(fields)},
        )
    return instance


@transaction.atomic
def delete_row(*, instance: models.Model, by: AbstractBaseUser) -> None:
    """Delete one draft row, audited. Published revisions keep what it was."""
    append(
        action=f"purposes.{instance._meta.model_name}.deleted",
        actor=_actor(by),
        target=instance,
    )
    instance.delete()


@transaction.atomic
def publish(
    *,
    method: str,
    by: AbstractBaseUser | None,
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
        published_by=by,
        snapshot=snapshot,
        digest=digest(snapshot),
    )
    revision.full_clean()
    revision.save()
    append(
        action="purposes.notice.published",
        actor=_actor(by),
        target=revision,
        details={
            "number": revision.number,
            "method": revision.method,
            "effective_on": effective.isoformat(),
            "digest": revision.digest,
        },
    )
    return revision
