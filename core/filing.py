"""The public filing: what a request (disclosure) and a complaint (complaints) share.

A person files at one of the society's two public desks without an account. Either way the
filing gets a receipt number to quote, a secret token that opens its status page (stored
only as a hash), a submission key that makes a second press of 送信 find the first filing,
the channel it came by, and, once the desk has matched it, a link to the member; after the
member's 消去 the link gives way to a keyed digest of what the filing said.

Domain-neutral: the member is named by its label ("records.Member"), never imported, and the
desks' own fields stay in their models.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicFiling(models.Model):
    class Channel(models.TextChoices):
        WEB = "web", _("ウェブ")
        POST = "post", _("郵送")
        COUNTER = "counter", _("窓口")
        PHONE = "phone", _("電話")

    receipt_number = models.CharField(_("受付番号"), max_length=16, unique=True, editable=False)
    channel = models.CharField(_("受付方法"), max_length=8, choices=Channel.choices)
    received_at = models.DateTimeField(_("受付日時"))
    # SHA-256 of the status page's secret token (core.receipts): the token itself is shown
    # and mailed once, and never stored.
    token_hash = models.CharField(_("照会用トークンのハッシュ"), max_length=64, editable=False)
    # The confirmation page's key: a second press of 送信 finds the first filing.
    submission_key = models.CharField(
        _("送信キー"), max_length=32, unique=True, null=True, blank=True, editable=False
    )
    # PROTECT: only the filing's erasure lets go of the member, and it keeps the digest
    # below first; a link that vanished with the member would lose what the filing said.
    member = models.ForeignKey(
        "records.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("照合した加入者"),
    )
    # After a 消去 of the member: a keyed digest of the filing's personal fields, which are
    # emptied (each desk's erasure module says when).
    identity_digest = models.CharField(
        _("記載事項のダイジェスト"), max_length=64, blank=True, editable=False
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.receipt_number
