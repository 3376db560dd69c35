"""What a statutory-exception read (APPI Art. 18(3)) was for, kept beside the trail.

The access event itself carries only the ground's code; the user's stated reason is free
text that may name a person, so it lives here, keyed by the event's seq, never in the trail.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The condition each ground of APPI Art. 18(3)(ii)-(iv) and (vi), and of Art. 27(1)(ii)-(iv)
# and (vii), adds to its need (the words after 「であって」): the ground holds only when the
# condition does, which the staff member confirms, by the ground's code (the same code means
# the same ground in both lists).
_CONSENT_DIFFICULT = _("本人の同意を得ることが困難であること")
CONDITIONS = {
    "life": _CONSENT_DIFFICULT,
    "protection": _CONSENT_DIFFICULT,
    "public_health": _CONSENT_DIFFICULT,
    "state": _("本人の同意を得ることにより当該事務の遂行に支障を及ぼすおそれがあること"),
    "state_affairs": _("本人の同意を得ることにより当該事務の遂行に支障を及ぼすおそれがあること"),
    "academic": _(
        "提供先が学術研究機関等で、学術研究目的で取り扱う必要があり、個人の権利利益を不当に"
        "侵害するおそれがないこと"
    ),
}


def condition_of(ground: str) -> str | None:
    """What must also hold for `ground` (a code) to apply, in Japanese; None for 法令."""
    condition = CONDITIONS.get(ground)
    return None if condition is None else str(condition)


class StatutoryGround(models.TextChoices):
    """APPI Art. 18(3): use beyond the purposes of use without the person's consent, in the
    Act's words (as amended in 2021, in force April 2022). A code is stored (the trail, and
    `StatutoryAccessReason`): the words may change, a code never.

    Item (v) is left out: it is the ground of a 学術研究機関等 using data for its own
    research, and a health insurance society is none. Item (vi), using data to provide it to
    a 学術研究機関等 for its research (a university's study of the society's data), is the
    society's to use."""

    LAW = "law", _("法令（条例を含む。）に基づく場合（法第18条第3項第1号）")
    LIFE = (
        "life",
        _(
            "人の生命、身体又は財産の保護のために必要がある場合であって、本人の同意を得ることが"
            "困難であるとき（同項第2号）"
        ),
    )
    PUBLIC_HEALTH = (
        "public_health",
        _(
            "公衆衛生の向上又は児童の健全な育成の推進のために特に必要がある場合であって、本人の"
            "同意を得ることが困難であるとき（同項第3号）"
        ),
    )
    STATE = (
        "state",
        _(
            "国の機関若しくは地方公共団体又はその委託を受けた者が法令の定める事務を遂行すること"
            "に対して協力する必要がある場合であって、本人の同意を得ることにより当該事務の遂行に"
            "支障を及ぼすおそれがあるとき（同項第4号）"
        ),
    )
    ACADEMIC = (
        "academic",
        _(
            "学術研究機関等に個人データを提供する場合であって、当該学術研究機関等が当該個人"
            "データを学術研究目的で取り扱う必要があるとき（当該個人データを取り扱う目的の一部が"
            "学術研究目的である場合を含み、個人の権利利益を不当に侵害するおそれがある場合を"
            "除く。）（同項第6号）"
        ),
    )

    @property
    def article(self) -> str:
        """The item, as a heading shows it (the words are long)."""
        item = {"law": 1, "life": 2, "public_health": 3, "state": 4, "academic": 6}[self.value]
        return str(_("法第18条第3項第%(item)d号")) % {"item": item}


class StatutoryAccessReason(models.Model):
    event_seq = models.PositiveBigIntegerField(_("監査イベントの連番"), unique=True)
    ground = models.CharField(_("根拠"), max_length=20, choices=StatutoryGround.choices)
    reason = models.TextField(_("理由"))

    class Meta:
        verbose_name = _("法令に基づく例外の理由")
        verbose_name_plural = _("法令に基づく例外の理由")
        ordering = ("-event_seq",)

    def __str__(self) -> str:
        return f"#{self.event_seq} {self.get_ground_display()}"
