"""The audit trail: append-only, hash-chained events that hold no personal values.

Rows of `Event` are never updated or deleted: migrations install database triggers that
refuse it. Append only through `audit.trail.append`; the unique `seq` is what finally keeps
the chain from forking, whatever an appender does.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class Event(models.Model):
    seq = models.PositiveBigIntegerField(_("連番"), unique=True)
    at = models.DateTimeField(_("日時"))
    # A plain id, not a foreign key: the trail must outlive and never block the user row.
    actor_id = models.BigIntegerField(_("実行者ID"), null=True, blank=True)
    actor_kind = models.CharField(_("実行者の種別"), max_length=16)
    action = models.CharField(_("操作"), max_length=64)
    target_type = models.CharField(_("対象の種類"), max_length=100, blank=True)
    target_id = models.CharField(_("対象ID"), max_length=64, blank=True)
    purpose = models.CharField(_("利用目的"), max_length=64, blank=True)
    details = models.JSONField(_("詳細"), default=dict)
    prev_hash = models.CharField(_("直前のハッシュ"), max_length=64)
    hash = models.CharField(_("ハッシュ"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("監査イベント")
        verbose_name_plural = _("監査イベント")
        ordering = ("seq",)
        indexes = [
            # The auditors' reports: events of one kind over a period, and one actor's events.
            models.Index(fields=("action", "at"), name="audit_event_action_at"),
            models.Index(fields=("actor_id", "at"), name="audit_event_actor_at"),
            models.Index(fields=("target_type", "target_id"), name="audit_event_target"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"
