"""Administration kept apart: the four-eyes approvals and the API tokens as the admin shows them.

An `Approval` is a change one officer asked for and a second, different privacy officer
decides (`safeguards.approvals`): a scope granted, a role or permission given, a superuser
made, a whole member erased, a package holding 要配慮個人情報 released. `ApiToken` is DRF's
token under a Japanese name, listed and revoked in the admin (`safeguards.tokens`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token


class Approval(models.Model):
    class Kind(models.TextChoices):
        SCOPE_GRANT = "scope_grant", _("担当範囲の割当て")
        ROLE_CHANGE = "role_change", _("役割・権限の付与")
        MEMBER_ERASURE = "member_erasure", _("加入者全体の消去")
        PACKAGE_RELEASE = "package_release", _("要配慮個人情報を含む開示データの交付")
        DISPOSAL = "disposal", _("要配慮個人情報又は加入者全体の廃棄")

    class State(models.TextChoices):
        PENDING = "pending", _("承認待ち")
        APPROVED = "approved", _("承認済み")
        REJECTED = "rejected", _("却下")

    kind = models.CharField(_("種別"), max_length=20, choices=Kind.choices)
    state = models.CharField(_("状態"), max_length=10, choices=State.choices, default=State.PENDING)
    # What to do on approval: an operation of `safeguards.approvals` and the ids it takes
    # (`{"op": "add_group", "user": 5, "group": 2}`), or, for an erasure or a release, the
    # object it permits (`{"op": "permit", "target": "disclosure.request", "id": 7}`).
    change = models.JSONField(_("変更の内容"))
    description = models.CharField(_("内容"), max_length=300)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("対象の職員"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("依頼者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("依頼日時"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承認・却下した者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("承認・却下の日時"), null=True, blank=True)
    # A permission (erasure, release) is used once: the approved change, then it is spent.
    used_at = models.DateTimeField(_("実施日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("承認（二者確認）")
        verbose_name_plural = _("承認（二者確認）")
        ordering = ("-requested_at", "-id")
        # Deciding is for a privacy officer by role (`safeguards.approvals.refusal`), not a
        # permission a group could be given.
        default_permissions = ("view",)
        indexes = [
            # The pending list, and "is this object's change approved?" on each erasure or release.
            models.Index(fields=("state", "kind"), name="safeguards_approval_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("requested_by")),
                name="safeguards_approval_four_eyes",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | models.Q(subject__isnull=True)
                | ~models.Q(decided_by=models.F("subject")),
                name="safeguards_approval_not_for_oneself",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}（{self.get_state_display()}）"


class ApiToken(Token):
    """DRF's token as the admin lists it: to whom, since when, until when."""

    class Meta:
        proxy = True
        verbose_name = _("APIトークン")
        verbose_name_plural = _("APIトークン")

    def __str__(self) -> str:
        # Token's own is its key, the secret: never on a page or in the admin's log.
        return _("%s のAPIトークン") % self.user.get_username()
