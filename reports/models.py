"""Daily summaries of the audit trail, so that the access review and the trail page add up
a few thousand rows instead of scanning millions of events.

Each summary is a grouping of events by Tokyo day and by codes: actor ids, purposes,
surfaces, category codes, reasons, actions, and for statutory reads the event's seq. Like
the trail, they hold ids and codes only, never a personal value.

`SummaryMark` says how far they have read: every event up to `through_seq` is counted in
them, none after. The pages add the events past the mark from the trail itself
(reports.summary), so the figures are exact whenever the summaries were last brought up to
date. Appends are serialised until commit (audit.trail.append), so no event at or below the
mark can still commit: a mark by seq misses nothing.

Rows are written only by `reports.summary.summarise`, under a lock on the mark.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SummaryMark(models.Model):
    """The one row (pk 1) that says how far the summaries have read the trail, and with
    which settings (office hours, the large-read threshold): summaries made with other
    settings are not used (reports.summary.stamp)."""

    through_seq = models.PositiveBigIntegerField(_("集計済みの連番"), default=0)
    stamp = models.CharField(_("集計時の設定"), max_length=200, blank=True)
    at = models.DateTimeField(_("集計日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("集計の進捗")
        verbose_name_plural = _("集計の進捗")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="reports_one_mark")]

    def __str__(self) -> str:
        return f"through #{self.through_seq}"


class ReadDay(models.Model):
    """`access.read` events of one handler on one Tokyo day."""

    day = models.DateField(_("日付"))
    actor_id = models.BigIntegerField(_("実行者ID"), null=True, blank=True)
    reads = models.PositiveBigIntegerField(_("閲覧回数"), default=0)
    rows = models.PositiveBigIntegerField(_("件数"), default=0)
    large = models.PositiveBigIntegerField(_("大量閲覧の回数"), default=0)
    outside_reads = models.PositiveBigIntegerField(_("時間外の閲覧回数"), default=0)
    outside_rows = models.PositiveBigIntegerField(_("時間外の件数"), default=0)

    class Meta:
        verbose_name = _("担当者別・日別の閲覧")
        verbose_name_plural = _("担当者別・日別の閲覧")
        # The access review's period; the fold's days.
        indexes = [models.Index(fields=("day",), name="reports_readday_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.actor_id}: {self.reads}"


class PurposeDay(models.Model):
    """`access.read` events of one Tokyo day by purpose, statutory ground and surface."""

    day = models.DateField(_("日付"))
    purpose = models.CharField(_("利用目的"), max_length=64, blank=True)
    ground = models.CharField(_("法令上の根拠"), max_length=64, blank=True)
    surface = models.CharField(_("経路"), max_length=64, blank=True)
    reads = models.PositiveBigIntegerField(_("閲覧回数"), default=0)
    rows = models.PositiveBigIntegerField(_("件数"), default=0)

    class Meta:
        verbose_name = _("利用目的別・日別の閲覧")
        verbose_name_plural = _("利用目的別・日別の閲覧")
        indexes = [models.Index(fields=("day",), name="reports_purposeday_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.purpose or self.ground} {self.surface}: {self.reads}"


class CategoryDay(models.Model):
    """`access.read` events of one Tokyo day that touched a category (an event that touched
    two counts once in each)."""

    day = models.DateField(_("日付"))
    category = models.CharField(_("類型"), max_length=64)
    reads = models.PositiveBigIntegerField(_("閲覧回数"), default=0)

    class Meta:
        verbose_name = _("類型別・日別の閲覧")
        verbose_name_plural = _("類型別・日別の閲覧")
        indexes = [models.Index(fields=("day",), name="reports_categoryday_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.category}: {self.reads}"


class RefusalDay(models.Model):
    """`access.refused` events of one Tokyo day by handler, reason, purpose and surface."""

    day = models.DateField(_("日付"))
    actor_id = models.BigIntegerField(_("実行者ID"), null=True, blank=True)
    reason = models.CharField(_("理由"), max_length=64, blank=True)
    purpose = models.CharField(_("利用目的"), max_length=64, blank=True)
    surface = models.CharField(_("経路"), max_length=64, blank=True)
    refusals = models.PositiveBigIntegerField(_("回数"), default=0)

    class Meta:
        verbose_name = _("拒否されたアクセス（日別）")
        verbose_name_plural = _("拒否されたアクセス（日別）")
        indexes = [models.Index(fields=("day",), name="reports_refusalday_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.actor_id} {self.reason}: {self.refusals}"


class EventDay(models.Model):
    """Events of every action on one Tokyo day: the trail page's counts."""

    day = models.DateField(_("日付"))
    action = models.CharField(_("操作"), max_length=64)
    events = models.PositiveBigIntegerField(_("イベント数"), default=0)
    # The lowest seq among them: a drill-down starts its walk of the trail by seq there
    # rather than at the first event ever (reports.summary.Source.first_seq).
    first_seq = models.PositiveBigIntegerField(_("最初の連番"), null=True, blank=True)

    class Meta:
        verbose_name = _("操作別・日別のイベント数")
        verbose_name_plural = _("操作別・日別のイベント数")
        indexes = [models.Index(fields=("day",), name="reports_eventday_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.action}: {self.events}"


class StatutoryRead(models.Model):
    """A read on a statutory exception (APPI Art. 18(3)): rare, so kept one row per event,
    by its seq, for the access review's list."""

    seq = models.PositiveBigIntegerField(_("連番"), unique=True)
    at = models.DateTimeField(_("日時"))
    actor_id = models.BigIntegerField(_("実行者ID"), null=True, blank=True)
    ground = models.CharField(_("法令上の根拠"), max_length=64, blank=True)
    rows = models.PositiveBigIntegerField(_("件数"), default=0)

    class Meta:
        verbose_name = _("法令に基づく例外による閲覧")
        verbose_name_plural = _("法令に基づく例外による閲覧")
        indexes = [models.Index(fields=("at",), name="reports_statutoryread_at")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.ground}"
