"""Core's models: `Created`, the stamp of who entered a row and when, for any app's models
to inherit; and the outbox (`core.outbox`), every mail Kumiai sends, written in the
transaction of the state that warrants it and sent by the worker."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Created(models.Model):
    """When a row was entered and by which staff user (`audit.trail.user_of`): empty for the
    public on a public form and for the system. The trail says the same in its event; this
    is what the row's own pages show."""

    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登録者"),
    )

    class Meta:
        abstract = True


class OutboxMail(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("送信待ち")
        SENT = "sent", _("送信済み")
        FAILED = "failed", _("送信できず")

    # The template the body was written from: what kind of mail it is, for the officer.
    template = models.CharField(_("種類"), max_length=200)
    subject = models.CharField(_("件名"), max_length=200)
    # The body and the addresses are kept only until the mail is sent (then emptied): the
    # body holds the status link with its token.
    body = models.TextField(_("本文"), blank=True)
    to = models.JSONField(_("宛先"), default=list, blank=True)
    recipients = models.PositiveSmallIntegerField(_("宛先の数"))
    state = models.CharField(
        _("状態"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("送信の試行回数"), default=0)
    # The class of the last error only (e.g. SMTPServerDisconnected): its message may quote
    # an address.
    last_error = models.CharField(_("最後のエラー"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("次の試行"), null=True, blank=True)
    sent_at = models.DateTimeField(_("送信日時"), null=True, blank=True)
    # A mail still waiting when the person it names was erased (APPI Art. 35) is sent as
    # queued, and emptied then, or as soon as it fails: a failed mail is otherwise kept whole
    # for the officer to resend.
    erased_meanwhile = models.BooleanField(_("待機中に宛先の本人を消去した"), default=False)

    class Meta:
        verbose_name = _("送信メール")
        verbose_name_plural = _("送信メール")
        permissions = [("resend_outboxmail", _("送信できなかったメールを再送できる"))]

    def __str__(self) -> str:
        return _("メール #%(id)s") % {"id": self.pk}
